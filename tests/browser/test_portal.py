"""The client portal in a real Chromium: dashboard, HTMX lists, tabs, language, phone width."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from dateutil.relativedelta import relativedelta
from django.conf import settings
from playwright.sync_api import expect

from accounts.services import masked_password_set
from tests.accounts.browser_helpers import sign_in
from tests.factories import InsurancePolicyFactory
from tests.portal_helpers import (
    client_user,
    company_invoice,
    invoice_installments,
    make_contract,
    pay,
    today,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


@pytest.fixture
def portal_data(company):
    """A contract with two paid installments, one overdue and one due today; an expiring policy;
    a company-level invoice due in ten days."""
    contract = make_contract(
        company, months=12, number="UL/2026/00101", start=today() - relativedelta(months=4)
    )
    invoices = invoice_installments(contract, through=today())
    pay(company, invoices[0].gross + invoices[1].gross)
    InsurancePolicyFactory(
        contract=contract,
        number="POL/PRZEGLADARKA/1",
        valid_from=today() - dt.timedelta(days=300),
        valid_to=today() + dt.timedelta(days=20),
    )
    general = company_invoice(company, "80.00", due=today() + dt.timedelta(days=10))
    return contract, invoices, general


def no_csp_violations(page) -> None:
    assert not [e for e in page.console_errors if "Content Security Policy" in e], (
        page.console_errors
    )
    assert not page.console_errors, page.console_errors


def test_a_client_signs_in_through_the_three_steps_and_lands_on_the_dashboard(
    live_server, browser, browser_context_args, company, portal_data
):
    """The real sign-in (masked password, SMS code from the outbox), then the portal."""
    user = client_user(company, first_name="Barbara")
    masked_password_set(user=user, password="Zielony#Las2026")
    context = browser.new_context(**browser_context_args)
    page = context.new_page()

    sign_in(page, live_server.url, user, "Zielony#Las2026")

    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("heading", name="Pulpit")).to_be_visible()
    expect(page.get_by_text("Dzień dobry, Barbara")).to_be_visible()
    page.get_by_role("link", name="Płatności i faktury").first.click()
    expect(page.get_by_text("FV/").first).to_be_visible()
    context.close()


def test_the_dashboard_renders_with_its_tiles(signed_in_page, company, portal_data):
    page = signed_in_page(client_user(company, first_name="Anna"))
    expect(page.get_by_role("heading", name="Pulpit")).to_be_visible()
    expect(page.locator(".ebok-balance-debt")).to_be_visible()  # an installment is overdue
    expect(page.get_by_role("heading", name="Faktury po terminie")).to_be_visible()
    expect(page.locator(".ebok-chart rect")).to_have_count(12)
    expect(page.get_by_text("POL/PRZEGLADARKA/1")).to_have_count(0)  # the tile shows insurer
    expect(page.get_by_role("heading", name=re.compile("Wygasające polisy"))).to_be_visible()
    assert page.evaluate("typeof window.htmx") == "object"
    no_csp_violations(page)


def test_filtering_invoices_updates_the_list_in_place(signed_in_page, company, portal_data):
    _, invoices, general = portal_data
    page = signed_in_page(client_user(company), path="/faktury/")
    rows = page.locator("#invoice-list tbody tr")
    expect(rows).to_have_count(len(invoices) + 1)
    page.evaluate("window.notReloaded = true")

    page.get_by_label("Status").select_option("overdue")
    page.wait_for_url(re.compile(r"status=overdue"))
    expect(rows).to_have_count(1)
    expect(page.locator("#invoice-list")).to_contain_text(invoices[2].number)
    expect(page.locator("#invoice-list")).not_to_contain_text(general.number)

    page.get_by_label("Status").select_option("")
    page.get_by_label("Numer faktury").fill(invoices[3].number)
    page.wait_for_url(re.compile(r"q=FV"))
    expect(rows).to_have_count(1)
    expect(page.locator("#invoice-list")).to_contain_text(invoices[3].number)
    assert page.evaluate("window.notReloaded") is True  # HTMX swapped the list, no reload

    page.get_by_role("link", name=re.compile("Termin płatności")).click()
    page.wait_for_url(re.compile(r"sort=due"))
    assert "q=FV" in page.url  # sorting keeps the filters
    assert page.evaluate("window.notReloaded") is True
    no_csp_violations(page)


def test_selecting_invoices_counts_them(signed_in_page, company, portal_data):
    page = signed_in_page(client_user(company), path="/faktury/")
    page.get_by_label("Zaznacz wszystkie na tej stronie").check()
    expect(page.locator('[data-selected-count="invoice"]')).to_have_text("5")
    page.locator('#invoice-list tbody input[type="checkbox"]').first.uncheck()
    expect(page.locator('[data-selected-count="invoice"]')).to_have_text("4")


def test_contract_tabs_load_in_place_and_keep_their_address(signed_in_page, company, portal_data):
    contract, _, _ = portal_data
    page = signed_in_page(client_user(company), path=f"/umowy/{contract.pk}/")
    expect(page.get_by_role("heading", name="Harmonogram spłat")).to_be_visible()
    page.evaluate("window.notReloaded = true")
    page.get_by_role("tab", name="Ubezpieczenia").click()
    page.wait_for_url(re.compile(rf"/umowy/{contract.pk}/ubezpieczenia/$"))
    expect(page.locator("#contract-tab")).to_contain_text("POL/PRZEGLADARKA/1")
    expect(page.get_by_role("tab", name="Ubezpieczenia")).to_have_attribute("aria-selected", "true")
    assert page.evaluate("window.notReloaded") is True
    page.go_back()
    expect(page.get_by_role("heading", name="Harmonogram spłat")).to_be_visible()
    no_csp_violations(page)


def test_the_lists_work_without_javascript(signed_in_page, company, portal_data):
    _, invoices, _ = portal_data
    page = signed_in_page(client_user(company), path="/faktury/", java_script_enabled=False)
    page.get_by_label("Status").select_option("paid")
    page.get_by_role("button", name="Filtruj").click()
    page.wait_for_url(re.compile(r"status=paid"))
    expect(page.locator("#invoice-list tbody tr")).to_have_count(2)
    page.get_by_role("link", name=invoices[0].number, exact=True).click()
    expect(page.get_by_role("heading", name=f"Faktura {invoices[0].number}")).to_be_visible()


def test_switching_to_english_and_back(signed_in_page, company, portal_data):
    page = signed_in_page(client_user(company), path="/faktury/")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Payments and invoices")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main menu")
    for label in ("Dashboard", "Contracts", "Installments", "Insurance", "Fees"):
        expect(nav.get_by_role("link", name=label)).to_be_visible()
    expect(page.locator("#invoice-list")).to_contain_text("PLN")
    page.goto(page.url.split("/faktury/")[0] + "/")
    expect(page.get_by_role("heading", name="Overdue invoices")).to_be_visible()
    page.get_by_role("button", name="Polski").click()
    expect(page.get_by_role("heading", name="Faktury po terminie")).to_be_visible()
    no_csp_violations(page)


def test_the_dashboard_on_a_375px_phone(signed_in_page, company, portal_data):
    page = signed_in_page(
        client_user(company), viewport={"width": 375, "height": 812}, device_scale_factor=2
    )
    menu = page.locator("#ebok-nav")
    expect(menu).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # nothing sticks out
    page.get_by_role("button", name="Pokaż menu").click()
    expect(menu).to_have_class(re.compile(r"(^| )show( |$)"))  # opened, animation over
    expect(menu.get_by_role("link", name="Płatności i faktury")).to_be_visible()
    expect(menu.get_by_role("link", name="Opłaty")).to_be_in_viewport()
    expect(menu).to_contain_text(company.client_number)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / "dashboard-375px-menu.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    no_csp_violations(page)
