"""Paying two ticked invoices on the demo gateway, then the back office settling the payment."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.portal_helpers import client_user, company_invoice, today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_pays_ticked_invoices_and_shows_them_in_settlement_until_booked(
    signed_in_page, browser, live_server, company, otp_admin_client
):
    first = company_invoice(company, "120.00", due=today() - dt.timedelta(days=2), number="FV/W/1")
    second = company_invoice(company, "80.50", due=today() + dt.timedelta(days=5), number="FV/W/2")
    company_invoice(company, "999.00", due=today() + dt.timedelta(days=30), number="FV/W/3")
    page = signed_in_page(client_user(company), path="/faktury/")

    for invoice in (first, second):
        page.get_by_role("checkbox", name=f"Zaznacz fakturę {invoice.number}").check()
    page.get_by_role("button", name="Zapłać zaznaczone").click()
    expect(page.get_by_test_id("checkout-total")).to_have_text("200,50 zł")
    expect(page.get_by_test_id("transfer-qr")).to_be_visible()
    page.get_by_role("button", name="Zapłać online 200,50 zł").click()

    expect(page.get_by_text("DEMO – to nie jest prawdziwa bramka płatności.")).to_be_visible()
    page.get_by_role("button", name="Zapłać (symulacja)").click()
    expect(page.get_by_test_id("order-status")).to_contain_text("w trakcie rozliczania")

    page.goto(live_server.url + "/faktury/")
    note = page.get_by_test_id("in-settlement")
    expect(note).to_contain_text("Wpłata w trakcie rozliczania: 200,50 zł (FV/W/1, FV/W/2)")

    # The back office books the gateway's payout.
    admin = browser.new_context()
    name = settings.SESSION_COOKIE_NAME
    admin.add_cookies(
        [{"name": name, "value": otp_admin_client.cookies[name].value, "url": live_server.url}]
    )
    staff = admin.new_page()
    staff.goto(live_server.url + "/admin/invoices/paymentorder/")
    staff.locator("input[name=_selected_action]").first.check()
    staff.locator("select[name=action]").select_option("settle")
    staff.get_by_role("button", name="Wykonaj").or_(staff.get_by_role("button", name="Go")).click()
    expect(staff.locator(".messagelist")).to_contain_text("zaksięgowano wpłatę")
    admin.close()

    page.reload()
    expect(page.get_by_test_id("in-settlement")).to_have_count(0)
    for invoice in (first, second):
        row = page.get_by_role("row").filter(has_text=invoice.number)
        expect(row).to_contain_text(re.compile(r"\bzapłacona"))


def test_ticking_invoices_above_the_limit_disables_pay_online_with_the_reason(
    signed_in_page, live_server, company, settings
):
    settings.ONLINE_PAYMENT_MAX_AMOUNT = Decimal("300.00")
    first = company_invoice(company, "200.00", due=today(), number="FV/L/1")
    second = company_invoice(company, "150.00", due=today(), number="FV/L/2")
    page = signed_in_page(client_user(company), path="/faktury/")
    pay = page.get_by_role("button", name="Zapłać zaznaczone")
    expect(pay).to_be_disabled()  # nothing ticked

    page.get_by_role("checkbox", name=f"Zaznacz fakturę {first.number}").check()
    expect(pay).to_be_enabled()
    page.get_by_role("checkbox", name=f"Zaznacz fakturę {second.number}").check()
    expect(pay).to_be_disabled()
    reason = page.get_by_test_id("over-limit")
    expect(reason).to_contain_text("Płatność online jest możliwa do 300,00 zł w jednej transakcji")
    # the way to the transfer QR code of the ticked invoices
    page.get_by_role("button", name="Zapłać przelewem – kod QR").click()
    expect(page.get_by_test_id("checkout-total")).to_have_text("350,00 zł")
    expect(page.get_by_test_id("transfer-qr")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Zapłać online"))).to_have_count(0)

    # unticking one brings the button back
    page.go_back()
    page.get_by_role("checkbox", name=f"Zaznacz fakturę {second.number}").uncheck()
    expect(page.get_by_role("button", name="Zapłać zaznaczone")).to_be_enabled()
    expect(page.get_by_test_id("over-limit")).to_have_count(0)
    assert not page.console_errors


def test_boxes_ticked_back_by_the_browser_are_checked_against_the_limit_again(
    signed_in_page, live_server, company, settings
):
    """Back to the list after opening an invoice: the browser ticks the boxes again without a
    change event; the pay bar must not offer what the ticked invoices exceed."""
    settings.ONLINE_PAYMENT_MAX_AMOUNT = Decimal("300.00")
    first = company_invoice(company, "200.00", due=today(), number="FV/L/1")
    second = company_invoice(company, "150.00", due=today(), number="FV/L/2")
    page = signed_in_page(client_user(company), path="/faktury/")
    pay = page.get_by_role("button", name="Zapłać zaznaczone")
    for invoice in (first, second):
        page.get_by_role("checkbox", name=f"Zaznacz fakturę {invoice.number}").check()
    expect(pay).to_be_disabled()

    page.get_by_role("link", name=first.number, exact=True).click()
    page.wait_for_url(re.compile(r"/faktury/\d+/$"))
    page.go_back()

    ticked = page.locator('#invoice-list tbody input[type="checkbox"]:checked')
    expect(ticked).to_have_count(2)  # Chromium puts the ticks back (the page is not cached)
    expect(pay).to_be_disabled()
    expect(page.get_by_test_id("over-limit")).to_contain_text("do 300,00 zł w jednej transakcji")
    assert not page.console_errors


@pytest.mark.parametrize("width", [375, 1366])
def test_the_dashboard_above_the_limit_shows_the_transfer_code_and_fits(
    signed_in_page, company, settings, width
):
    from tests.browser.test_layout import axe_problems, sideways_overflow

    settings.ONLINE_PAYMENT_MAX_AMOUNT = Decimal("300.00")
    company_invoice(company, "400.00", due=today() - dt.timedelta(days=3), number="FV/L/3")
    company_invoice(company, "100.00", due=today() + dt.timedelta(days=3), number="FV/L/4")
    page = signed_in_page(client_user(company), viewport={"width": width, "height": 900}, path="/")
    tile = page.locator("section").filter(has=page.get_by_test_id("over-limit"))
    expect(tile).to_contain_text("Płatność online jest możliwa do 300,00 zł w jednej transakcji")
    expect(tile.get_by_test_id("transfer-qr")).to_be_visible()
    expect(tile).to_contain_text("Zapłać zaległe przelewem – kod QR poniżej.")
    expect(tile.get_by_role("link", name="Zapłać zaległe")).to_have_count(0)
    page.screenshot(path=f"var/screenshots/pay-online-over-limit-{width}.png", full_page=True)
    if width == 375:
        assert sideways_overflow(page) == ""
    assert axe_problems(page) == []
    assert not page.console_errors
