"""Upload abuse: each refused with a clear message, nothing stored (no row, no file)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from requests_app.models import Application
from tests.multipart import multipart

from .helpers import (
    PDF_BYTES,
    client_user,
    docx_bytes,
    nothing_stored,
    pdf,
    png,
    settlement_question,
    signed_in,
    submit,
    zip_bomb_docx,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(company):
    return signed_in(client_user(company))


def refused(response, message: str) -> None:
    assert response.status_code == 200, response.status_code
    assert message in response.text, message
    assert not Application.objects.exists()
    assert nothing_stored(settings.MEDIA_ROOT)


def test_good_files_of_every_allowed_kind_are_stored_under_generated_names(client):
    files = [
        pdf("umowa.pdf"),
        png("skan.png"),
        SimpleUploadedFile("zestawienie.docx", docx_bytes()),
    ]
    response = submit(client, settlement_question(), {"attachments": files})
    assert response.status_code == 302
    application = Application.objects.get()
    stored = {a.name: a for a in application.attachments.all()}
    assert set(stored) == {"umowa.pdf", "skan.png", "zestawienie.docx"}
    for attachment in stored.values():
        assert attachment.file.name.startswith("requests/")
        assert attachment.name.split(".")[0] not in attachment.file.name
        assert (settings.MEDIA_ROOT / attachment.file.name).is_file()
    assert stored["skan.png"].content_type == "image/png"


def test_an_oversized_file_is_refused(client, settings):
    settings.REQUESTS_ATTACHMENT_MAX_BYTES = 1000
    big = pdf("duzy.pdf", PDF_BYTES + b"%" + b"x" * 2000 + b"\n%%EOF\n")
    response = submit(client, settlement_question(), {"attachments": [big]})
    refused(response, "Plik „duzy.pdf” jest za duży: najwyżej 1000")


def test_too_many_files_are_refused(client):
    files = [pdf(f"plik{i}.pdf") for i in range(6)]
    response = submit(client, settlement_question(), {"attachments": files})
    refused(response, "Możesz dodać najwyżej 5 plików naraz.")


def test_wrong_content_behind_a_right_extension_is_refused(client):
    fake = SimpleUploadedFile("faktura.pdf", b"MZ\x90\x00 this is a program", "application/pdf")
    response = submit(client, settlement_question(), {"attachments": [fake]})
    refused(response, "Plik „faktura.pdf” nie jest poprawnym plikiem dozwolonego typu")


def test_a_file_whose_name_claims_another_type_is_refused(client):
    response = submit(client, settlement_question(), {"attachments": [pdf("zdjecie.png")]})
    refused(response, "Plik „zdjecie.png” to PDF, a jego nazwa sugeruje inny typ.")


def test_a_plain_zip_archive_is_refused(client):
    archive = SimpleUploadedFile("dokumenty.docx", docx_bytes().replace(b"word/", b"misc/"))
    response = submit(client, settlement_question(), {"attachments": [archive]})
    refused(response, "nie jest poprawnym plikiem dozwolonego typu")


def test_a_zip_bomb_is_refused(client):
    response = submit(client, settlement_question(), {"attachments": [zip_bomb_docx()]})
    refused(response, "Plik „umowa.docx” po rozpakowaniu byłby zbyt duży.")


def test_an_empty_file_is_refused(client):
    empty = SimpleUploadedFile("pusty.pdf", b"", "application/pdf")
    response = submit(client, settlement_question(), {"attachments": [empty]})
    refused(response, "Plik „pusty.pdf” jest pusty.")


def test_a_broken_image_is_refused(client):
    broken = SimpleUploadedFile("skan.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 50, "image/png")
    response = submit(client, settlement_question(), {"attachments": [broken]})
    refused(response, "Plik „skan.png” nie jest poprawnym plikiem dozwolonego typu")


@pytest.mark.parametrize("name", ["C:raport.pdf", "..pdf", 'ra"port.pdf', "rap|ort.pdf"])
def test_names_that_are_no_plain_file_names_are_refused(client, name):
    response = submit(client, settlement_question(), {"attachments": [pdf(name)]})
    refused(response, "zawiera niedozwolone znaki")


@pytest.mark.parametrize(
    "name", ["../../etc/passwd.pdf", "C:\\Users\\x\\umowa.pdf", "pass\x07wd.pdf", "umowa\x1b.pdf"]
)
def test_names_with_paths_or_control_characters_are_refused(client, name):
    """Judged as the client sent them (Django's parser would quietly cut them to a plain name):
    refused with a message, nothing stored, nothing of the name on the disk."""
    body, content_type = multipart(settlement_question(), [("attachments", name, PDF_BYTES)])
    response = client.post(reverse("requests_app:new"), body, content_type=content_type)
    refused(response, "zawiera niedozwolone znaki")
    assert not (settings.MEDIA_ROOT.parent / "etc").exists()


def test_a_refused_file_refuses_the_whole_submission(client):
    files = [pdf("dobry.pdf"), SimpleUploadedFile("zly.pdf", b"nie pdf", "application/pdf")]
    response = submit(client, settlement_question(), {"attachments": files})
    refused(response, "Plik „zly.pdf” nie jest poprawnym plikiem")
