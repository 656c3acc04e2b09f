"""In a real Chromium: a company admin adds a user (confirmed with an SMS code), the user signs
in for the first time, the admin restricts them to one contract; and a password reset by the
e-mailed link + SMS code. Codes and the link are read from the outbox, as a person reads them
off their phone and mailbox."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from playwright.sync_api import Page, expect

from accounts.models import User
from tests.factories import CompanyFactory
from tests.portal_helpers import invoice_installments, make_contract, today

from ..browser_helpers import identify, sign_in, type_characters
from ..company_helpers import make_admin
from ..conftest import make_client_user
from ..helpers import PASSWORD, last_code, one_time_password

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in_context(browser, browser_context_args, live_server, user: User):
    """A browser already signed in as `user` (the admin's own sign-in is tested elsewhere)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(**browser_context_args)
    name = settings.SESSION_COOKIE_NAME
    context.add_cookies(
        [{"name": name, "value": client.cookies[name].value, "url": live_server.url}]
    )
    return context


def test_an_admin_adds_a_user_who_then_sees_only_the_contract_given_to_them(
    browser, browser_context_args, live_server, page: Page
):
    company = CompanyFactory(name="Ekotrans Sp. z o.o.")
    given = make_contract(company, number="UL/2026/WIDOCZNA")
    hidden = make_contract(company, number="UL/2026/UKRYTA")
    given_invoice = invoice_installments(given, through=today())[0]
    hidden_invoice = invoice_installments(hidden, through=today())[0]
    admin = make_admin(company, first_name="Anna", last_name="Admin", phone="+48600100100")
    base = live_server.url

    admin_context = signed_in_context(browser, browser_context_args, live_server, admin)
    admin_page = admin_context.new_page()
    admin_page.goto(f"{base}/")
    admin_page.get_by_role("link", name="Użytkownicy").click()
    admin_page.get_by_role("link", name="Dodaj użytkownika").click()
    admin_page.get_by_label("Login").fill("jan.nowy")
    admin_page.get_by_label("Imię").fill("Jan")
    admin_page.get_by_label("Nazwisko").fill("Nowy")
    admin_page.get_by_label("E-mail").fill("jan.nowy@ekotrans.example.pl")
    admin_page.get_by_label("Telefon komórkowy").fill("609 000 111")
    admin_page.get_by_role("button", name="Dodaj użytkownika").click()

    # HTMX swaps the form for the confirmation: the data to confirm and the code box.
    expect(admin_page.get_by_text("Sprawdź dane i potwierdź kodem SMS")).to_be_visible()
    expect(admin_page.get_by_text("+48 609 000 111")).to_be_visible()
    assert not User.objects.filter(login="jan.nowy").exists()
    admin_page.get_by_label("Kod SMS").fill(last_code(admin))
    admin_page.get_by_role("button", name="Potwierdź").click()
    expect(admin_page.get_by_text("Dodano użytkownika Jan Nowy.")).to_be_visible()
    new_user = User.objects.get(company=company, login="jan.nowy")

    # The new user: the first sign-in with the one-time password from the SMS.
    sign_in(page, base, new_user, one_time_password(new_user))
    expect(page).to_have_url(re.compile(r"/logowanie/nowe-haslo/$"))
    page.get_by_label("Nowe hasło", exact=True).fill("Jesienny#Wiatr88")
    page.get_by_label("Powtórz nowe hasło").fill("Jesienny#Wiatr88")
    page.get_by_role("button", name="Ustaw hasło i zaloguj się").click()
    expect(page).to_have_url(f"{base}/")
    page.goto(f"{base}/umowy/")
    expect(page.get_by_role("link", name="UL/2026/UKRYTA")).to_be_visible()  # all, for now

    # The admin restricts them to one contract (no SMS code needed for that).
    admin_page.get_by_label("tylko wybrane umowy").check()
    admin_page.get_by_label(re.compile("UL/2026/WIDOCZNA")).check()
    admin_page.get_by_role("button", name="Zapisz zmiany").click()
    expect(admin_page.get_by_text("Zapisano zmiany.")).to_be_visible()

    page.goto(f"{base}/umowy/")
    expect(page.get_by_role("link", name="UL/2026/WIDOCZNA")).to_be_visible()
    expect(page.get_by_text("UL/2026/UKRYTA")).to_have_count(0)
    page.goto(f"{base}/faktury/")
    expect(page.get_by_role("link", name=given_invoice.number, exact=True)).to_be_visible()
    expect(page.get_by_text(hidden_invoice.number)).to_have_count(0)
    response = page.goto(f"{base}/umowy/{hidden.pk}/")
    assert response.status == 404
    admin_context.close()


def test_a_forgotten_password_is_reset_by_the_emailed_link_and_an_sms_code(page: Page, live_server):
    company = CompanyFactory(name="Ekotrans Sp. z o.o.")
    user = make_client_user(
        company=company, login="anna.nowak", first_name="Anna", last_name="Nowak"
    )
    base = live_server.url

    page.goto(f"{base}/logowanie/")
    page.get_by_role("link", name="Nie pamiętasz hasła?").click()
    page.get_by_label("Numer klienta").fill(company.client_number)
    page.get_by_label("Login").fill("anna.nowak")
    page.get_by_role("button", name="Wyślij link").click()
    expect(page.get_by_role("heading", name="Sprawdź skrzynkę e-mail")).to_be_visible()

    email = mail.outbox[-1]
    assert email.to == [user.email]
    link = re.search(r"http://\S+", email.body).group(0)
    page.goto(link)
    expect(page.get_by_role("heading", name="Ustaw nowe hasło")).to_be_visible()
    assert "/reset/" in page.url and link != page.url  # the token left the address bar

    page.get_by_role("button", name="Wyślij kod SMS").click()
    expect(page.get_by_text("Wysłaliśmy kod SMS na numer +48 *** *** 200.")).to_be_visible()
    page.get_by_label("Nowe hasło", exact=True).fill("Nowy#Kierunek2027")
    page.get_by_label("Powtórz nowe hasło").fill("Nowy#Kierunek2027")
    page.get_by_label("Kod SMS").fill(last_code(user))
    page.get_by_role("button", name="Ustaw nowe hasło").click()

    expect(page).to_have_url(re.compile(r"/logowanie/$"))
    expect(page.get_by_text("Nowe hasło jest ustawione. Zaloguj się nim.")).to_be_visible()

    # The old password no longer opens the account; the new one does.
    identify(page, base, user)
    type_characters(page, PASSWORD.ljust(24, "?"))  # the new one may be longer than the old
    expect(page.get_by_role("alert")).to_contain_text("Nieprawidłowe dane logowania")
    sign_in(page, base, user, "Nowy#Kierunek2027")
    expect(page).to_have_url(f"{base}/")

    # The link was single-use.
    response = page.goto(link)
    assert response.status == 400
    expect(page.get_by_role("heading", name="Ten link już nie działa")).to_be_visible()
