"""Self-registration in a real Chromium against the live server: the link read from the e-mail
outbox, the SMS code from the SMS outbox, then the usual three-step sign-in."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from accounts.models import User

from ..browser_helpers import sign_in
from ..helpers import last_code
from .registration_helpers import PASSWORD, recent_invoice, registrable_company

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_company_registers_its_first_user_and_signs_in(page: Page, live_server):
    company = registrable_company()
    invoice = recent_invoice(company)
    page.goto(f"{live_server.url}/logowanie/")
    page.get_by_role("link", name=re.compile("Zarejestruj się")).click()

    expect(page.get_by_role("heading", name="Zarejestruj się w eBOK")).to_be_visible()
    page.get_by_label("Numer klienta").fill(company.client_number)
    page.get_by_label("NIP firmy").fill("526-025-02-74")
    page.get_by_label("Numer faktury").fill(invoice.number)
    page.get_by_label("Kwota brutto tej faktury (zł)").fill("1 234,56")
    page.get_by_label("E-mail firmy").fill("biuro@transbud.example.pl")
    page.get_by_label("Telefon komórkowy firmy").fill("601 200 300")
    page.get_by_label("Akceptuję regulamin serwisu eBOK.").check()
    page.get_by_label(re.compile("Zapoznałem")).check()
    page.get_by_role("button", name="Zarejestruj się").click()

    expect(page.get_by_role("heading", name="Sprawdź skrzynkę e-mail")).to_be_visible()
    expect(page.get_by_text("Jeśli podane dane są zgodne z naszymi")).to_be_visible()
    (email,) = mail.outbox
    assert email.to == ["biuro@transbud.example.pl"]
    link = re.search(r"https?://\S+", email.body).group(0)

    page.goto(link)
    expect(page).to_have_url(re.compile(r"/rejestracja/aktywacja/$"))
    expect(page.get_by_text("Transbud Sp. z o.o.")).to_be_visible()
    page.get_by_label("Imię").fill("Łucja")
    page.get_by_label("Nazwisko").fill("Wiśniewska")
    page.get_by_label("Login").fill("lucja.w")
    page.get_by_label("Hasło", exact=True).fill(PASSWORD)
    page.get_by_label("Powtórz hasło").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Dalej: potwierdź telefon")).click()

    expect(page).to_have_url(re.compile(r"/rejestracja/aktywacja/telefon/$"))
    expect(page.get_by_text("+48 *** *** 300", exact=True)).to_be_visible()
    user = User.objects.get(company=company, login="lucja.w")
    page.get_by_label("Kod SMS").fill(last_code(user))
    page.get_by_role("button", name="Aktywuj konto").click()

    expect(page).to_have_url(re.compile(r"/logowanie/$"))
    expect(page.get_by_text("Konto jest aktywne")).to_be_visible()
    sign_in(page, live_server.url, user, PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("button", name=re.compile("Łucja Wiśniewska"))).to_be_visible()
    expect(page.get_by_role("link", name="Użytkownicy")).to_be_visible()  # the company's admin

    page.goto(link)  # the link worked once
    expect(page.get_by_role("heading", name="Ten link już nie działa")).to_be_visible()
