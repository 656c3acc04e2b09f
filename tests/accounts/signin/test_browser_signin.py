"""The sign-in in a real Chromium against the live server; SMS codes read from the outbox."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.services import user_invite
from tests.factories import CompanyFactory, StaffUserFactory, UserFactory

from ..browser_helpers import identify, type_characters
from ..helpers import PASSWORD, last_code, one_time_password

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_client_signs_in_with_masked_password_and_sms_code(page: Page, live_server, client_user):
    identify(page, live_server.url, client_user)
    expect(page.locator("input.ebok-masked-input")).to_have_count(24)
    expect(page.locator("input.ebok-masked-input:not([disabled])")).to_have_count(5)

    type_characters(page, PASSWORD)

    expect(page).to_have_url(re.compile(r"/logowanie/kod-sms/$"))
    expect(page.get_by_text("+48 *** *** 200")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Wyślij ponownie za"))).to_be_disabled()
    page.get_by_label("Kod SMS").fill(last_code(client_user))
    page.get_by_role("button", name="Zaloguj się").click()

    expect(page).to_have_url(f"{live_server.url}/")
    user_button = page.get_by_role("button", name=re.compile("Anna Nowak"))
    expect(user_button).to_be_visible()

    user_button.click()
    page.get_by_role("button", name="Wyloguj").click()
    expect(page).to_have_url(re.compile(r"/logowanie/$"))
    expect(page.get_by_text("Wylogowano.")).to_be_visible()


def test_the_first_sign_in_sets_an_own_password(page: Page, live_server):
    company = CompanyFactory(name="Ekotrans Sp. z o.o.")
    user = UserFactory(
        company=company,
        login="jan.nowy",
        first_name="Jan",
        last_name="Nowy",
        phone="+48609000111",
    )
    user_invite(user=user, by=StaffUserFactory())

    identify(page, live_server.url, user)
    type_characters(page, one_time_password(user))
    page.get_by_label("Kod SMS").fill(last_code(user))
    page.get_by_role("button", name="Zaloguj się").click()

    expect(page).to_have_url(re.compile(r"/logowanie/nowe-haslo/$"))
    expect(page.get_by_role("heading", name="Ustaw własne hasło")).to_be_visible()
    page.get_by_label("Nowe hasło", exact=True).fill("ekotrans")
    page.get_by_label("Powtórz nowe hasło").fill("ekotrans")
    page.get_by_role("button", name="Ustaw hasło i zaloguj się").click()
    expect(page.get_by_text("Hasło musi zawierać wielką literę.")).to_be_visible()
    expect(page.get_by_text("Hasło nie może zawierać nazwy firmy.")).to_be_visible()

    page.get_by_label("Nowe hasło", exact=True).fill("Jesienny#Wiatr88")
    page.get_by_label("Powtórz nowe hasło").fill("Jesienny#Wiatr88")
    page.get_by_role("button", name="Ustaw hasło i zaloguj się").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_text("Hasło zostało ustawione.")).to_be_visible()
    user.refresh_from_db()
    assert not user.must_change_password


def test_three_wrong_passwords_lock_the_account(page: Page, live_server, client_user):
    identify(page, live_server.url, client_user)
    for _ in range(3):
        type_characters(page, "Q" * 24)
        expect(page.get_by_role("alert")).to_contain_text("Nieprawidłowe dane logowania")

    client_user.refresh_from_db()
    assert client_user.is_locked
    assert "zablokowany" in client_user.messages.filter(channel="sms").latest("pk").body

    # The right password now gets the very same answer, and no SMS code is sent.
    type_characters(page, PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text("Nieprawidłowe dane logowania")
    expect(page).to_have_url(re.compile(r"/logowanie/haslo/$"))
    assert not client_user.messages.filter(body__contains="kod logowania").exists()
