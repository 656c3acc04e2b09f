"""Building blocks of the claims tests: a fleet user, a CFM vehicle with its AC policy, files,
posting the damage report the way the form does."""

from __future__ import annotations

import datetime as dt
import io
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from ebok.dates import today
from tests.contracts.fleet.factories import FleetContractFactory, FleetVehicleFactory
from tests.factories import InsurancePolicyFactory, UserFactory

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, format="JPEG")
    return buffer.getvalue()


def jpeg(name: str = "zderzak.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_bytes(), content_type="image/jpeg")


def pdf(name: str = "oswiadczenie.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def fleet_user(company, **kwargs):
    return UserFactory(company=company, can_view_fleet=True, **kwargs)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def fleet_vehicle(company, *, plate: str = "WA 12345", insurer: str = "TUiR Warta SA", **kwargs):
    """A car on a running CFM contract, with its current AC policy and the insurer's claims
    contact."""
    start = today() - dt.timedelta(days=200)
    contract = FleetContractFactory(company=company, signed_on=start, start_date=start, **kwargs)
    vehicle = FleetVehicleFactory(contract=contract, registration_number=plate)
    InsurancePolicyFactory(
        contract=contract,
        asset=vehicle,
        insurer=insurer,
        valid_from=start,
        valid_to=start + dt.timedelta(days=364),
        claims_phone="502 308 308",
        claims_email="szkody@warta.example.pl",
        claims_url="https://szkody.warta.example.pl/",
    )
    return vehicle


def report_data(vehicle, **extra) -> dict:
    return {
        "token": str(uuid.uuid4()),
        "vehicle": str(vehicle.pk),
        "occurred_on": f"{today() - dt.timedelta(days=1):%d.%m.%Y}",
        "place": "Warszawa, ul. Puławska 145",
        "description": "Otarcie prawych drzwi na parkingu, sprawca nieznany.",
        **extra,
    }


def report(client: Client, data: dict, files: dict | None = None, **headers):
    return client.post(reverse("fleet:claim_report"), {**data, **(files or {})}, **headers)


def page_text(response) -> str:
    return response.content.decode().replace("\u00a0", " ").replace("\u202f", " ")
