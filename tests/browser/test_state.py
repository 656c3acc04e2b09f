"""What the page says matches what it shows, in a real Chromium: the filters after Back, the
download buttons, date filters typed the Polish way in an English browser, the contract search
of the company user form."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.accounts.company_helpers import make_admin
from tests.accounts.conftest import make_client_user
from tests.downloads import client_user, issue_invoice
from tests.factories import ContractFactory, LeasedAssetFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


@pytest.fixture
def invoices(company):
    """Five invoices: three issued in March (one of them overdue and unpaid), two in April."""
    march = [issue_invoice(company, issued=dt.date(2026, 3, day)) for day in (2, 9, 16)]
    april = [issue_invoice(company, issued=dt.date(2026, 4, day)) for day in (1, 8)]
    return march, april


def numbers_shown(page) -> list[str]:
    links = page.locator("#invoice-list tbody tr td:nth-child(2) a").all_inner_texts()
    return [text.strip() for text in links if text.strip().startswith("FV/")]


def test_back_shows_the_filters_of_the_list_it_shows(signed_in_page, company, invoices):
    march, april = invoices
    page = signed_in_page(client_user(company), path="/faktury/")
    rows = page.locator("#invoice-list tbody tr")
    expect(rows).to_have_count(5)
    date_from = page.get_by_label("Wystawiona od", exact=True)
    date_to = page.get_by_label("Wystawiona do", exact=True)

    date_from.fill("09.03.2026")
    date_from.press("Tab")  # the change event filters the list
    page.wait_for_url(re.compile(r"issued_from=09.03.2026"))
    expect(rows).to_have_count(4)
    date_to.fill("31.03.2026")
    date_to.press("Tab")
    page.wait_for_url(re.compile(r"issued_to=31.03.2026"))
    expect(rows).to_have_count(2)
    page.get_by_role("link", name=re.compile("Data wystawienia")).click()
    page.wait_for_url(re.compile(r"sort=issued"))

    go_back_restored(page)  # both dates, before sorting
    expect(page).not_to_have_url(re.compile(r"sort=issued"))
    expect(rows).to_have_count(2)
    expect(date_from).to_have_value("09.03.2026")
    expect(date_to).to_have_value("31.03.2026")

    go_back_restored(page)  # the first date only
    expect(rows).to_have_count(4)
    expect(date_from).to_have_value("09.03.2026")
    expect(date_to).to_have_value("")

    go_back_restored(page)  # the list as it first came
    expect(rows).to_have_count(5)
    expect(date_from).to_have_value("")
    expect(date_to).to_have_value("")

    go_forward_restored(page)
    expect(rows).to_have_count(4)
    expect(date_from).to_have_value("09.03.2026")
    assert sorted(numbers_shown(page)) == sorted(i.number for i in [*march[1:], *april])
    assert not page.console_errors, page.console_errors


def test_back_after_a_status_filter_and_a_sort_keeps_the_status(signed_in_page, company, invoices):
    page = signed_in_page(client_user(company), path="/faktury/")
    rows = page.locator("#invoice-list tbody tr")
    status = page.get_by_label("Status")

    status.select_option("unpaid")
    page.wait_for_url(re.compile(r"status=unpaid"))
    page.get_by_role("link", name=re.compile("Termin płatności")).click()
    page.wait_for_url(re.compile(r"sort=due"))
    go_back_restored(page)

    expect(page).not_to_have_url(re.compile(r"sort=due"))
    assert "status=unpaid" in page.url
    # The page of that address is back (not only its URL): the due-date column is not sorted.
    due_header = page.locator("th", has_text="Termin płatności")
    expect(due_header).not_to_have_attribute("aria-sort", re.compile("."))
    expect(status).to_have_value("unpaid")
    expect(rows).to_have_count(5)
    go_back_restored(page)
    expect(status).to_have_value("")


def test_the_zip_of_ticked_invoices_waits_for_a_tick_also_after_back(
    signed_in_page, company, invoices
):
    march, _april = invoices
    page = signed_in_page(client_user(company), path="/faktury/")
    zip_button = page.get_by_role("button", name="Pobierz zaznaczone (ZIP)")
    expect(zip_button).to_be_disabled()
    page.get_by_label(f"Zaznacz fakturę {march[0].number}").check()
    expect(zip_button).to_be_enabled()

    page.get_by_label("Status").select_option("paid")  # the list is swapped: nothing ticked
    page.wait_for_url(re.compile(r"status=paid"))
    page.get_by_label("Status").select_option("unpaid")
    page.wait_for_url(re.compile(r"status=unpaid"))
    expect(zip_button).to_be_disabled()
    page.get_by_label(f"Zaznacz fakturę {march[1].number}").check()
    expect(page.locator('[data-selected-count="invoice"]')).to_have_text("1")

    go_back_restored(page)
    page.wait_for_url(re.compile(r"status=paid"))
    go_back_restored(page)
    page.wait_for_url(re.compile(r"/faktury/$"))
    expect(page.locator("#invoice-list tbody tr")).to_have_count(5)
    # The count follows whatever boxes the browser restored (waits until the page has settled).
    page.wait_for_function(
        """() => String(document.querySelectorAll(
                '#invoice-list tbody input[type="checkbox"]:checked').length)
            === document.querySelector('[data-selected-count="invoice"]').textContent"""
    )
    checked = page.locator('#invoice-list tbody input[type="checkbox"]:checked').count()
    if checked == 0:
        expect(zip_button).to_be_disabled()
    else:
        expect(zip_button).to_be_enabled()


def go_back_restored(page):
    """Back, returning once htmx has put the previous page's content back: htmx keeps no pages
    in memory (historyCacheSize 0), so it asks the server again, and until the answer is
    swapped in the page still shows the list it had (which may pass a check meant for the
    restored one)."""
    _history_step(page, page.go_back)


def go_forward_restored(page):
    _history_step(page, page.go_forward)


def _history_step(page, step):
    page.evaluate(
        """() => { window.ebokRestored = false;
            document.addEventListener('htmx:historyRestore',
                () => { window.ebokRestored = true; }, {once: true}); }"""
    )
    step()
    page.wait_for_function("() => window.ebokRestored === true")


def test_an_empty_list_offers_no_downloads(signed_in_page, company, invoices):
    page = signed_in_page(client_user(company), path="/faktury/?q=NIE-MA-TAKIEJ")
    expect(page.locator("#invoice-list")).to_contain_text("Brak faktur")
    expect(page.get_by_role("button", name="Pobierz zaznaczone (ZIP)")).to_have_count(0)
    expect(page.get_by_role("link", name="Pobierz wszystkie z listy (ZIP)")).to_have_count(0)
    expect(page.get_by_role("link", name="Eksport do Excela")).to_have_count(0)

    page.get_by_label("Numer faktury").fill("")  # rows again: the downloads come back
    expect(page.get_by_role("link", name="Eksport do Excela")).to_be_visible()
    expect(page.get_by_role("link", name="Pobierz wszystkie z listy (ZIP)")).to_be_visible()


def test_dates_are_typed_the_polish_way_in_an_english_browser(signed_in_page, company, invoices):
    march, april = invoices
    page = signed_in_page(
        client_user(company), path="/faktury/", locale="en-US", timezone_id="America/New_York"
    )
    rows = page.locator("#invoice-list tbody tr")
    date_from = page.get_by_label("Wystawiona od", exact=True)
    expect(date_from).to_have_attribute("placeholder", "dd.mm.rrrr")
    assert date_from.get_attribute("type") == "text"  # not the browser's mm/dd/yyyy field

    date_from.fill("9.3.2026")
    date_from.press("Enter")
    page.wait_for_url(re.compile(r"issued_from=9.3.2026"))
    expect(rows).to_have_count(4)
    assert march[0].number not in numbers_shown(page)

    # The calendar button opens the browser's picker; the day picked there is written back
    # the Polish way and filters the list (the picker itself is browser chrome: its input
    # gets the value a click in it would give).
    calendar = page.get_by_role("button", name="Wybierz datę z kalendarza: Wystawiona do")
    expect(calendar).to_be_visible()
    calendar.click()
    page.keyboard.press("Escape")
    page.locator(".ebok-date-native").nth(1).evaluate(
        "el => { el.value = '2026-03-31'; el.dispatchEvent(new Event('change', {bubbles: true})) }"
    )
    expect(page.get_by_label("Wystawiona do", exact=True)).to_have_value("31.03.2026")
    page.wait_for_url(re.compile(r"issued_to=31.03.2026"))
    expect(rows).to_have_count(2)
    assert sorted(numbers_shown(page)) == sorted(i.number for i in march[1:])
    assert april[0].number not in numbers_shown(page)

    date_from.fill("02/30/2026")  # an American date: no such day, and the list says so
    date_from.press("Enter")
    expect(page.locator("#invoice-list")).to_contain_text("Podaj datę w formacie DD.MM.RRRR.")
    expect(date_from).to_have_value("02/30/2026")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "date-filters-en-us.png"))
    # Enter sends the form and the change event too: htmx drops the first (hx-sync replace).
    assert not [e for e in page.console_errors if "sendAbort" not in e and "afterRequest" not in e]


def test_the_date_picker_button_is_keyboard_reachable_and_named(signed_in_page, company, invoices):
    page = signed_in_page(client_user(company), path="/faktury/")
    page.get_by_label("Wystawiona od", exact=True).focus()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused == "Wybierz datę z kalendarza: Wystawiona od"
    # The invisible date input behind it is out of the tab order and the accessibility tree.
    native = page.locator(".ebok-date-native").first
    assert native.get_attribute("tabindex") == "-1"
    assert native.get_attribute("aria-hidden") == "true"
    assert native.get_attribute("name") is None


@pytest.fixture
def many_contracts(company):
    contracts = []
    for n in range(1, 41):
        contract = ContractFactory(company=company, number=f"UL/2026/{n:05d}")
        make = "Scania" if n % 4 == 0 else "Volvo"
        LeasedAssetFactory(
            contract=contract, make=make, model="R450", registration_number=f"WX{n:05d}"
        )
        contracts.append(contract)
    return contracts


def test_the_user_form_finds_contracts_and_ticks_all_found(signed_in_page, company, many_contracts):
    admin = make_admin(company)
    user = make_client_user(
        company=company, login="jan.k", first_name="Jan", last_name="Nowak", can_view_contracts=True
    )
    page = signed_in_page(admin, path=f"/firma/uzytkownicy/{user.pk}/")
    choices = page.locator("#contract-choices .form-check")
    expect(choices).to_have_count(40)
    status = page.locator("#contract-search-status")
    expect(status).to_have_text("Widoczne umowy: 40 z 40 · zaznaczone: 0")

    page.get_by_label("tylko wybrane umowy").check()
    search = page.get_by_label("Szukaj umowy")
    search.fill("scania")
    expect(page.locator("#contract-choices .form-check:visible")).to_have_count(10)
    expect(status).to_have_text("Widoczne umowy: 10 z 40 · zaznaczone: 0")
    search.press("Enter")  # Enter in the search box does not send the form
    page.get_by_role("button", name="Zaznacz wszystkie widoczne").click()
    expect(status).to_have_text("Widoczne umowy: 10 z 40 · zaznaczone: 10")

    search.fill("ul/2026/00004")  # Scania: ticked, and one more word narrows it
    expect(page.locator("#contract-choices .form-check:visible")).to_have_count(1)
    page.get_by_role("button", name="Odznacz wszystkie widoczne").click()
    expect(status).to_have_text("Widoczne umowy: 1 z 40 · zaznaczone: 9")
    search.fill("")
    page.get_by_label("Pokaż tylko zaznaczone").check()
    expect(page.locator("#contract-choices .form-check:visible")).to_have_count(9)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "user-form-contract-search.png"), full_page=True)

    page.get_by_role("button", name="Zapisz zmiany").click()
    expect(page.get_by_text("Zapisano zmiany.")).to_be_visible()
    user.refresh_from_db()
    expected = {c.number for c in many_contracts if int(c.number[-5:]) % 4 == 0} - {"UL/2026/00004"}
    assert user.contracts_restricted
    assert {c.number for c in user.allowed_contracts.all()} == expected
    assert not page.console_errors, page.console_errors


def test_the_contract_list_is_plain_without_javascript(signed_in_page, company, many_contracts):
    admin = make_admin(company)
    user = make_client_user(company=company, login="jan.k")
    page = signed_in_page(admin, path=f"/firma/uzytkownicy/{user.pk}/", java_script_enabled=False)
    expect(page.locator("#contract-choices .form-check")).to_have_count(40)
    expect(page.get_by_label("Szukaj umowy")).to_be_hidden()
    expect(page.get_by_role("button", name="Zaznacz wszystkie widoczne")).to_be_hidden()
