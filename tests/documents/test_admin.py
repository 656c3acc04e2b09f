"""The back office: staff publish, answer, publish a new version, close or reject."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEntry
from documents.models import DocumentProcess
from tests.admin_helpers import form_data, messages_of

from .pdfs import simple_pdf

pytestmark = pytest.mark.django_db

ADD = reverse("admin:documents_documentprocess_add")


def change_url(process) -> str:
    return reverse("admin:documents_documentprocess_change", args=[process.pk])


def test_staff_publish_a_document_to_sign_with_its_first_version(
    otp_admin_client, company, contract, signer
):
    content = simple_pdf("Aneks nr 2")
    response = otp_admin_client.post(
        ADD,
        {
            "company": company.pk,
            "contract": contract.pk,
            "kind": "sign",
            "category": "annex",
            "title": "Aneks nr 2",
            "description": "Zmiana harmonogramu",
            "file": SimpleUploadedFile("aneks.pdf", content),
            "note": "pierwsza wersja",
        },
        follow=True,
    )
    assert response.status_code == 200
    process = DocumentProcess.objects.get(title="Aneks nr 2")
    version = process.versions.get()
    assert (version.number, version.size, version.side, version.note) == (
        1,
        len(content),
        "staff",
        "pierwsza wersja",
    )
    assert process.status == "client" and process.created_by is not None
    assert AuditEntry.objects.filter(action="documents.created", company=company).exists()
    assert process.events.get().action == "created"


def test_the_add_form_refuses_a_file_that_is_not_a_pdf_and_a_foreign_contract(
    otp_admin_client, company, other_company
):
    from tests.factories import ContractFactory

    foreign = ContractFactory(company=other_company)
    response = otp_admin_client.post(
        ADD,
        {
            "company": company.pk,
            "contract": foreign.pk,
            "kind": "sign",
            "category": "annex",
            "title": "X",
            "file": SimpleUploadedFile("x.pdf", b"\x89PNG\r\n\x1a\n"),
        },
    )
    page = response.content.decode()
    assert "Zawartość pliku nie odpowiada jego rozszerzeniu" in page
    assert "Umowa należy do innej firmy." in page
    assert not DocumentProcess.objects.exists()


def test_staff_answer_publish_a_new_version_and_close(otp_admin_client, process):
    url = change_url(process)
    page = otp_admin_client.get(url)
    assert page.status_code == 200

    def post(**fields):
        return otp_admin_client.post(url, {**form_data(otp_admin_client.get(url)), **fields})

    post(
        new_version=SimpleUploadedFile("umowa-v2.pdf", simple_pdf("Umowa v2")),
        version_note="Poprawiony §4",
        comment="Uwzględniliśmy Państwa uwagi.",
    )
    process.refresh_from_db()
    assert process.versions.count() == 2 and process.comments.get().side == "staff"
    assert process.status == "client"

    response = post(close="reject", reason="")
    assert "Podaj powód odrzucenia." in response.content.decode()
    post(close="reject", reason="Klient zrezygnował")
    process.refresh_from_db()
    assert process.status == "rejected"
    assert process.events.order_by("-pk").first().actor.is_staff


def test_staff_open_a_process_and_the_clients_news_is_read(otp_admin_client, process, signer):
    from accounts.audit import AuditContext
    from documents import services

    services.comment_add(
        process=process, text="Pytanie", side="client", audit=AuditContext(actor=signer)
    )
    changelist = otp_admin_client.get(reverse("admin:documents_documentprocess_changelist"))
    assert "icon-yes.svg" in changelist.content.decode()
    otp_admin_client.get(change_url(process))
    process.refresh_from_db()
    assert not process.unread_by_staff


def test_staff_download_every_version_whole(otp_admin_client, process, published_pdf):
    version = process.versions.get()
    url = reverse("admin:documents_documentversion_download", args=[version.pk])
    response = otp_admin_client.get(url)
    assert b"".join(response.streaming_content) == published_pdf
    assert messages_of(response) == []
