"""Notifications in a real Chromium: change the preferences, an invoice is issued, the message
is in "Wiadomości" and the unread count in the navigation goes down when it is opened."""

from __future__ import annotations

import datetime as dt
import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from invoices.models import Invoice
from invoices.services import LineSpec, VatRate, invoice_create
from notifications.models import Message, NotificationSettings
from tests.portal_helpers import client_user, today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Set NOTIFY_SCREENSHOTS=/some/dir to keep the pages as PNG files (for a look at the layout).
SHOTS = os.environ.get("NOTIFY_SCREENSHOTS", "")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_preferences_then_an_invoice_then_the_inbox_with_its_unread_count(company, signed_in_page):
    user = client_user(company)
    page = signed_in_page(user, path="/ustawienia/powiadomienia/")
    expect(page.get_by_role("heading", name="Powiadomienia", exact=True)).to_be_visible()
    shot(page, "preferences")

    sms_switch = page.get_by_label("Nowa faktura – SMS")
    expect(sms_switch).to_be_checked()
    sms_switch.uncheck()
    page.get_by_label("Przypomnienie o płatności – ile dni przed terminem").fill("3")
    page.get_by_role("button", name="Zapisz ustawienia").click()
    expect(page.get_by_role("status")).to_contain_text("Zapisano ustawienia powiadomień.")
    prefs = NotificationSettings.objects.get(user=user)
    assert prefs.channels["invoice.issued"] == {"sms": False, "email": True}
    assert prefs.payment_due_days == 3

    invoice = invoice_create(
        company=company,
        kind=Invoice.Kind.OTHER,
        lines=[LineSpec("Opłata", Decimal("99.00"), VatRate.NOT_SUBJECT)],
        issue_date=today(),
        due_date=today() + dt.timedelta(days=14),
    )
    assert list(
        Message.objects.filter(user=user, event="invoice.issued").values_list("channel", flat=True)
    ) == ["email"]  # no SMS: the user turned it off

    page.goto(page.url.split("/ustawienia")[0] + "/wiadomosci/")
    top_bar = page.get_by_role("banner")  # the inbox sits beside the user menu
    expect(top_bar.get_by_role("link", name=re.compile(r"Wiadomości\s+1"))).to_be_visible()
    row_link = page.get_by_role("link", name=f"eBOK: nowa faktura {invoice.number}")
    expect(row_link).to_be_visible()
    shot(page, "inbox")

    row_link.click()
    expect(page.get_by_role("heading", name=f"eBOK: nowa faktura {invoice.number}")).to_be_visible()
    expect(page.get_by_text("wystawiliśmy fakturę")).to_be_visible()
    shot(page, "message")
    page.get_by_role("link", name="Wróć do wiadomości").click()
    expect(top_bar.get_by_role("link", name=re.compile(r"Wiadomości\s+1"))).to_have_count(0)
    expect(top_bar.get_by_role("link", name="Wiadomości")).to_be_visible()
    expect(page.locator(".ebok-nav-badge")).to_have_count(0)


def test_the_notification_pages_fit_a_phone(company, signed_in_page):
    user = client_user(company)
    Message.objects.create(
        user=user,
        channel="sms",
        recipient="+48600100200",
        body="eBOK: polisa POL/123/2026 do umowy UL/2026/00001 wygasa 31.12.2026.",
        event="contract.policy_expiring",
        status=Message.Status.DELIVERED,
    )
    pages = (("/ustawienia/powiadomienia/", "phone-preferences"), ("/wiadomosci/", "phone-inbox"))
    for path, name in pages:
        page = signed_in_page(user, path=path, viewport={"width": 375, "height": 800})
        expect(page.locator("h1")).to_be_visible()
        no_sideways_scroll(page)
        shot(page, name)
        assert not page.console_errors, page.console_errors
