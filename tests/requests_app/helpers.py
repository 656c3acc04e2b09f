"""Building blocks of the applications tests: files of each kind, a contract with a vehicle,
posting a request the way the form does."""

from __future__ import annotations

import io
import uuid
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from requests_app.models import Application, Attachment, RequestType
from tests.factories import ContractFactory, LeasedAssetFactory, UserFactory

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def pdf(name: str = "dokument.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def png(name: str = "skan.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def docx_bytes(*, document: bytes = b"<w:document/>") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", document)
    return buffer.getvalue()


def zip_bomb_docx() -> SimpleUploadedFile:
    """A DOCX-shaped archive of a few hundred kilobytes that unpacks to 200 MB of zeros."""
    return SimpleUploadedFile(
        "umowa.docx",
        docx_bytes(document=b"\0" * (200 * 1024 * 1024)),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


def text(response) -> str:
    """The page's text with non-breaking spaces as spaces (amounts: "1 234,56 zł")."""
    return response.text.replace("\u00a0", " ").replace("\u202f", " ")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def client_user(company, **kwargs):
    return UserFactory(company=company, **kwargs)


def vehicle_contract(company, *, plate: str = "WA12345", **kwargs):
    contract = ContractFactory(company=company, **kwargs)
    LeasedAssetFactory(contract=contract, registration_number=plate)
    return contract


def request_type(code: str) -> RequestType:
    return RequestType.objects.get(code=code)


def settlement_question(**extra) -> dict:
    """A valid "settlement / accounting question" (no contract needed, not critical)."""
    return {
        "token": str(uuid.uuid4()),
        "request_type": "settlement-question",
        "contract": "",
        "topic": "balance",
        "invoice": "FV/2026/03/0001",
        "amount": "1 234,56",
        "question": "Proszę o potwierdzenie salda na koniec marca.",
        **extra,
    }


def travel_abroad(on_contract, **extra) -> dict:
    return {
        "token": str(uuid.uuid4()),
        "request_type": "travel-abroad",
        "contract": str(on_contract.pk),
        "country": "DE",
        "period__from": "2026-07-01",
        "period__to": "2026-07-14",
        "vehicle": on_contract.assets.first().registration_number,
        "person__first_name": "Jan",
        "person__last_name": "Nowak",
        "person__pesel": "44051401359",
        "person__document": "ABA300000",
        **extra,
    }


def lending(contract, **extra) -> dict:
    """The critical "lend the vehicle to a third party" request."""
    return {
        "token": str(uuid.uuid4()),
        "request_type": "lending",
        "contract": str(contract.pk),
        "vehicle": contract.assets.first().registration_number,
        "borrower__first_name": "Anna",
        "borrower__last_name": "Wiśniewska",
        "borrower__pesel": "02070803628",
        "borrower__document": "EA1234567",
        "period__from": "2026-08-01",
        "period__to": "2026-08-31",
        **extra,
    }


def submit(client: Client, data: dict, files: dict | None = None):
    return client.post(reverse("requests_app:new"), {**data, **(files or {})})


def nothing_stored(media_root) -> bool:
    stored = (
        [p for p in (media_root / "requests").rglob("*") if p.is_file()]
        if (media_root / "requests").exists()
        else []
    )
    return not stored and not Attachment.objects.exists()


def only_application() -> Application:
    return Application.objects.get()
