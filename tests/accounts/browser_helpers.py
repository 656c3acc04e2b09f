"""Driving the sign-in pages in Chromium the way a person does (codes read from the outbox)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from accounts.models import User

from .helpers import last_code


def identify(page: Page, base: str, user: User) -> None:
    page.goto(f"{base}/logowanie/")
    page.get_by_label("Numer klienta").fill(user.company.client_number)
    page.get_by_label("Login").fill(user.login)
    page.get_by_role("button", name="Dalej").click()
    expect(page).to_have_url(re.compile(r"/logowanie/haslo/$"))


def type_characters(page: Page, password: str) -> list[int]:
    """Type the asked characters the way a person does: into the first box, then keep typing
    (the page moves the focus to the next asked box)."""
    boxes = page.locator("input.ebok-masked-input:not([disabled])")
    positions = [int(name[1:]) for name in boxes.evaluate_all("els => els.map(e => e.name)")]
    expect(boxes.first).to_be_focused()
    for position in positions:
        page.keyboard.type(password[position - 1])
    page.get_by_role("button", name="Dalej").click()
    return positions


def sign_in(page: Page, base: str, user: User, password: str) -> None:
    """All three steps; ends on the page after the SMS code."""
    identify(page, base, user)
    type_characters(page, password)
    expect(page).to_have_url(re.compile(r"/logowanie/kod-sms/$"))
    page.get_by_label("Kod SMS").fill(last_code(user))
    page.get_by_role("button", name="Zaloguj się").click()
