"""Upload abuse: every bad file is refused with a message, and nothing is stored."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEntry
from documents.models import DocumentProcess, DocumentVersion
from tests.multipart import multipart
from tests.portal_helpers import signed_in, text

from .pdfs import encrypted_pdf, sign_pdf, simple_pdf, tampered

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file())


def upload(client, process, name: str, content: bytes):
    url = reverse("documents:upload_signed", args=[process.pk])
    return client.post(url, {"file": SimpleUploadedFile(name, content)}, follow=True)


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("a.txt", "x")
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("umowa.pdf", b"", "Przesłany plik jest pusty."),
        ("umowa.pdf", PNG, "Zawartość pliku nie odpowiada jego rozszerzeniu (.pdf)."),
        ("umowa.pdf", zip_bytes(), "Zawartość pliku nie odpowiada jego rozszerzeniu (.pdf)."),
        ("umowa.exe", b"%PDF-1.7\n", "Dozwolone pliki: PDF z podpisem"),
        ("umowa.asice", zip_bytes(), "Zawartość pliku nie odpowiada jego rozszerzeniu"),
        (".umowa.pdf", b"%PDF-1.7\n", "Nieprawidłowa nazwa pliku."),
        ("a" * 160 + ".pdf", b"%PDF-1.7\n", "Nieprawidłowa nazwa pliku."),
        ("umowa.pdf", b"%PDF-1.7\nnot really a pdf", "plik jest uszkodzony"),
        ("umowa.pdf", None, "zaszyfrowany"),
        ("umowa.pdf", "unsigned", "nie zawiera podpisu"),
        ("umowa.pdf", "tampered", "Podpis w pliku jest uszkodzony"),
        ("umowa.pdf", "different", "Podpisano inny dokument niż opublikowana wersja 1."),
    ],
)
def test_a_bad_upload_is_refused_with_a_message_and_nothing_is_stored(
    process, signer, published_pdf, name, content, message
):
    content = (
        {
            None: encrypted_pdf(sign_pdf(published_pdf)),
            "unsigned": published_pdf,
            "tampered": tampered(sign_pdf(published_pdf)),
            "different": sign_pdf(simple_pdf("Umowa leasingu na inne warunki")),
        }.get(content, content)
        if not isinstance(content, bytes)
        else content
    )
    before = stored_files()
    response = upload(signed_in(signer), process, name, content)
    assert response.status_code == 200
    assert message in text(response)
    assert DocumentVersion.objects.filter(process=process).count() == 1
    assert stored_files() == before
    process.refresh_from_db()
    assert process.status == DocumentProcess.Status.CLIENT and process.signed_version is None


def test_an_oversized_upload_is_refused_before_it_is_read(process, signer, settings):
    settings.DOCUMENT_MAX_UPLOAD_MB = 1
    before = stored_files()
    response = upload(signed_in(signer), process, "umowa.pdf", b"%PDF-1.7\n" + b"0" * 1_100_000)
    assert "Plik jest za duży. Największy dopuszczalny rozmiar to 1 MB." in text(response)
    assert stored_files() == before
    assert process.versions.count() == 1


@pytest.mark.parametrize("name", ["../../etc/umowa.pdf", "C:\\x\\umowa.pdf", "umo\x07wa.pdf"])
def test_a_path_like_name_is_refused_as_the_client_sent_it(process, signer, published_pdf, name):
    """Django's parser would cut the name to `umowa.pdf`; the upload is judged by what the
    client sent: refused, nothing stored."""
    before = stored_files()
    body, content_type = multipart({}, [("file", name, sign_pdf(published_pdf))])
    url = reverse("documents:upload_signed", args=[process.pk])
    response = signed_in(signer).post(url, body, content_type=content_type, follow=True)
    assert "Nazwa pliku zawiera niedozwolone znaki." in text(response)
    assert stored_files() == before
    assert process.versions.count() == 1


def test_a_refused_signature_is_in_the_audit_log(process, signer, published_pdf):
    upload(signed_in(signer), process, "umowa.pdf", published_pdf)
    entry = AuditEntry.objects.get(action="documents.signature_refused")
    assert entry.details["result"] == "not_signed"


def test_a_signed_upload_is_a_new_version_and_nothing_is_overwritten(
    process, signer, published_pdf
):
    published = process.versions.get()
    first = Path(published.file.path).read_bytes()
    signed = sign_pdf(published_pdf, who="Jan Kowalski")
    response = upload(signed_in(signer), process, "umowa-podpisana.pdf", signed)
    assert "Podpisana wersja 2 przyjęta. Podpisał(a): Jan Kowalski." in text(response)
    version = process.versions.get(number=2)
    assert Path(version.file.path).read_bytes() == signed
    assert Path(published.file.path).read_bytes() == first
    assert (version.size, version.signature, version.signs_version) == (
        len(signed),
        "pades",
        published,
    )
    import hashlib

    assert version.sha256 == hashlib.sha256(signed).hexdigest()
    process.refresh_from_db()
    assert process.status == DocumentProcess.Status.PROCESSING
    assert process.signed_version == version
    page = text(response)
    assert "w trakcie procesowania" in page and "Jan Kowalski" in page
    with pytest.raises(TypeError):
        version.save()
    with pytest.raises(TypeError):
        DocumentVersion.objects.filter(pk=version.pk).update(note="x")


@pytest.mark.parametrize("name", ["u\x01mowa.pdf", "a/b.pdf", "..\\b.pdf", "\x00.pdf"])
def test_names_with_paths_or_control_characters_are_refused(name):
    from documents.uploads import UploadRefused, clean_name

    with pytest.raises(UploadRefused):
        clean_name(name)


def test_the_database_refuses_to_change_or_delete_a_version(process):
    from django.db import DatabaseError, connection, transaction

    version = process.versions.get()
    for sql in (
        "UPDATE documents_documentversion SET note = 'x' WHERE id = %s",
        "DELETE FROM documents_documentversion WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [version.pk])
