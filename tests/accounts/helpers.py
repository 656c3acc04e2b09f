"""Signing in the way a user does: pages, the outbox for the SMS code, no shortcuts."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from accounts.models import User
from notifications.models import Message

PASSWORD = "Zielony#Las2026"

_CODE = re.compile(r"\b(\d{6})\b")


def asked_positions(html: str) -> list[int]:
    """The enabled boxes of the masked-password page."""
    return [int(n) for n in re.findall(r'name="c(\d+)"', html)]


def last_sms(user: User) -> Message:
    return Message.objects.filter(channel="sms", user=user).latest("created_at", "pk")


def last_code(user: User) -> str:
    match = _CODE.search(last_sms(user).body)
    assert match, last_sms(user).body
    return match.group(1)


def one_time_password(user: User) -> str:
    body = (
        Message.objects.filter(channel="sms", user=user, body__contains="haslo jednorazowe")
        .latest("created_at", "pk")
        .body
    )
    return re.search(r"logowania: (\S+) \(", body).group(1)


def characters(password: str, positions: list[int]) -> dict[str, str]:
    return {f"c{p}": password[p - 1] for p in positions}


def identify(client: Client, client_number: str, login: str):
    return client.post(reverse("accounts:signin"), {"client_number": client_number, "login": login})


def enter_password(client: Client, password: str):
    page = client.get(reverse("accounts:signin_password"))
    return client.post(
        reverse("accounts:signin_password"), characters(password, asked_positions(page.text))
    )


def sign_in(client: Client, user: User, password: str = PASSWORD):
    """All three steps; returns the response to the SMS code step."""
    identify(client, user.company.client_number, user.login)
    response = enter_password(client, password)
    assert response.status_code == 302, response.text
    assert response["Location"] == reverse("accounts:signin_code")
    return client.post(reverse("accounts:signin_code"), {"code": last_code(user)})
