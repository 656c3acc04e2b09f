"""In Chromium: a client submits a critical application with an SMS code and an attachment;
staff complete it in admin with an answer; the client sees the status, the answer and the
unread marker, and replies in the thread."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from requests_app.models import Application
from tests.accounts.helpers import last_code
from tests.browser.conftest import signed_in_page, staff_page  # noqa: F401 (the fixture)

from .helpers import PDF_BYTES, client_user, vehicle_contract

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_critical_application_from_submission_to_answer_and_reply(
    signed_in_page,  # noqa: F811
    live_server,
    browser,
    browser_context_args,
    company,
    staff_user,
):
    contract = vehicle_contract(company, plate="WA12345", number="UL/2026/LEND")
    user = client_user(company, first_name="Barbara")
    page = signed_in_page(user, path="/wnioski/")
    page.get_by_role("link", name="Złóż nowy wniosek").click()

    # The form follows the chosen type, then the contract (HTMX swaps it in place).
    page.get_by_label("Rodzaj wniosku").select_option(
        label="Zgoda na użyczenie pojazdu osobie trzeciej"
    )
    expect(page.get_by_text("Opłata wg Tabeli opłat")).to_be_visible()
    expect(page.get_by_text("złożenie potwierdzisz kodem SMS")).to_be_visible()
    page.get_by_label("Umowa").select_option(str(contract.pk))
    # The contract's vehicles are offered as the registration number to choose from.
    expect(page.locator("select#id_vehicle")).to_be_visible()
    page.get_by_label("Numer rejestracyjny pojazdu").select_option("WA12345")
    page.get_by_label("Imię").fill("Anna")
    page.get_by_label("Nazwisko").fill("Wiśniewska")
    page.get_by_label("PESEL").fill("02070803628")
    page.get_by_label("Seria i numer dowodu osobistego lub paszportu").fill("ABA300000")
    page.get_by_label(re.compile(r"^od\b")).fill("2026-08-01")
    page.get_by_label(re.compile(r"^do\b")).fill("2026-08-31")
    page.get_by_label("Załączniki").set_input_files(
        [{"name": "umowa użyczenia.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}]
    )
    page.get_by_role("button", name="Dalej: potwierdź kodem SMS").click()

    expect(page.get_by_role("heading", name="Potwierdź wniosek kodem SMS")).to_be_visible()
    expect(page.get_by_text("umowa użyczenia.pdf")).to_be_visible()
    page.get_by_label("Kod SMS").fill(last_code(user))
    page.get_by_role("button", name="Potwierdź").click()
    application = Application.objects.get()
    expect(page.get_by_text(f"Numer: {application.number}")).to_be_visible()

    page.get_by_role("link", name="Wnioski i sprawy").first.click()
    row = page.locator("#application-list tbody tr").first
    expect(row).to_contain_text(application.number)
    expect(row).to_contain_text("wysłany")

    # Staff complete it in admin with an answer.
    admin = staff_page(live_server, browser, browser_context_args, staff_user)
    admin.goto(f"{live_server.url}/admin/requests_app/application/")
    admin.get_by_role("link", name=application.number).click()
    admin.get_by_role("link", name=re.compile("Obsłuż")).click()
    admin.get_by_label(re.compile("zrealizuj z odpowiedzią")).check()
    admin.get_by_label("Treść dla klienta").fill("Zgoda wydana, dokument w załączniku.")
    admin.get_by_label("Załączniki").set_input_files(
        [{"name": "zgoda.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}]
    )
    admin.get_by_role("button", name="Zapisz i powiadom klienta").click()
    expect(admin.get_by_text("Klient dostał powiadomienie")).to_be_visible()

    # The client sees the unread marker, the new status and the answer, and replies.
    page.reload()
    nav = page.get_by_role("navigation", name="Menu główne")
    expect(nav.get_by_role("link", name=re.compile("Wnioski"))).to_contain_text("1")
    expect(row).to_contain_text("zrealizowany")
    expect(row.locator(".badge.rounded-pill")).to_be_visible()
    row.get_by_role("link", name=application.number).click()
    expect(page.get_by_text("Zgoda wydana, dokument w załączniku.")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("zgoda.pdf"))).to_be_visible()
    page.get_by_label("Twoja odpowiedź").fill("Dziękuję!")
    page.get_by_role("button", name="Wyślij odpowiedź").click()
    expect(page.get_by_text("Wysłaliśmy Twoją odpowiedź.")).to_be_visible()
    expect(page.locator(".ebok-thread-item").last).to_contain_text("Dziękuję!")
    assert not [e for e in page.console_errors if "Content Security Policy" in e]
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
