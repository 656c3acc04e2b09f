"""The whole exchange in a real Chromium: staff publish, the client comments, staff answer with
a new version in the back office, the client downloads it, signs it for real (pyHanko, a test
CA made in the test) and uploads it; wrong files are each refused with their own message."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts.audit import AuditContext
from documents import services
from documents.models import DocumentProcess

from .conftest import CONTRACT_TEXT, checked
from .pdfs import sign_pdf, simple_pdf, tampered

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

V2_TEXT = ("Umowa leasingu operacyjnego UL/2026/00042", "Rata: 1 100,00 zl", "Strona 1")


def staff_page(browser, live_server, staff):
    client = Client()
    device = TOTPDevice.objects.create(user=staff, name="test", confirmed=True)
    client.force_login(staff)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    context = browser.new_context(locale="pl-PL")
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context.new_page()


def upload(page, name: str, content: bytes) -> None:
    page.get_by_label("Podpisany plik").set_input_files(
        files=[{"name": name, "mimeType": "application/pdf", "buffer": content}]
    )
    page.get_by_role("button", name="Prześlij podpisany dokument").click()


def test_a_document_is_negotiated_signed_and_checked(
    signed_in_page, browser, live_server, company, contract, signer, staff
):
    process = services.process_create(
        company=company,
        contract=contract,
        kind=DocumentProcess.Kind.SIGN,
        category=DocumentProcess.Category.CONTRACT,
        title="Umowa leasingu UL/2026/00042",
        file=checked(simple_pdf(*CONTRACT_TEXT)),
        audit=AuditContext(actor=staff),
    )
    page = signed_in_page(signer, path="/dokumenty/")
    expect(page.locator(".ebok-mainnav a", has_text="Dokumenty")).to_contain_text(
        "Dokumenty 1 nieprzeczytane"
    )
    page.get_by_role("link", name="Umowa leasingu UL/2026/00042").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Umowa leasingu UL/2026/00042")

    page.get_by_label("Twój komentarz").fill("Prosimy o obniżenie raty do 1 100 zł.")
    page.get_by_role("button", name="Dodaj komentarz").click()
    expect(page.get_by_role("alert")).to_contain_text("Komentarz dodany.")
    expect(page.locator(".ebok-lead")).to_contain_text("w trakcie procesowania")

    # Staff answer in the back office with a new version.
    admin = staff_page(browser, live_server, staff)
    admin.goto(f"{live_server.url}/admin/documents/documentprocess/{process.pk}/change/")
    admin.get_by_label("Nowa wersja (PDF)").set_input_files(
        files=[
            {"name": "umowa-v2.pdf", "mimeType": "application/pdf", "buffer": simple_pdf(*V2_TEXT)}
        ]
    )
    admin.get_by_label("Odpowiedź dla klienta").fill("Obniżyliśmy ratę – wersja 2.")
    admin.locator("input[name=_continue]").click()
    expect(admin.locator(".messagelist")).to_be_visible()
    admin.context.close()

    page.reload()
    expect(page.locator(".ebok-thread")).to_contain_text("Obniżyliśmy ratę – wersja 2.")
    with page.expect_download() as info:
        page.get_by_role("link", name="Pobierz wersję 2").first.click()
    download = info.value
    assert download.failure() is None and download.suggested_filename == "umowa-v2.pdf"
    published = Path(download.path()).read_bytes()

    upload(page, "umowa.pdf", published)
    expect(page.get_by_role("alert")).to_contain_text("Plik nie zawiera podpisu elektronicznego")
    upload(page, "umowa.pdf", tampered(sign_pdf(published)))
    expect(page.get_by_role("alert")).to_contain_text("Podpis w pliku jest uszkodzony")
    upload(page, "umowa.pdf", sign_pdf(simple_pdf(*CONTRACT_TEXT)))
    expect(page.get_by_role("alert")).to_contain_text(
        "Podpisano inny dokument niż opublikowana wersja 2."
    )
    assert process.versions.count() == 2

    upload(page, "umowa-podpisana.pdf", sign_pdf(published, who="Jan Kowalski"))
    expect(page.get_by_role("alert")).to_contain_text(
        "Podpisana wersja 3 przyjęta. Podpisał(a): Jan Kowalski."
    )
    expect(page.locator("[data-signer]")).to_contain_text("Jan Kowalski")
    expect(page.locator(".ebok-lead")).to_contain_text("w trakcie procesowania")
    assert page.console_errors == []
