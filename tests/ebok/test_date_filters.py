"""Date filters are typed the Polish way (DD.MM.RRRR) whatever the browser's language."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import translation

from invoices.forms import InvoiceFilterForm
from tests.downloads import client_user, issue_invoice


@pytest.mark.parametrize(
    "typed",
    ["21.11.2026", "21.11.2026 ", "21/11/2026", "21-11-2026", "21112026", "2026-11-21"],
)
def test_a_date_is_read_day_first_or_as_iso(typed):
    form = InvoiceFilterForm({"issued_from": typed})
    assert form.problems == []
    assert form.date("issued_from") == dt.date(2026, 11, 21)
    # Shown back the Polish way, whatever was typed.
    assert 'value="21.11.2026"' in str(form["issued_from"])


def test_short_day_and_month_are_fine():
    assert InvoiceFilterForm({"due_to": "1.2.2026"}).date("due_to") == dt.date(2026, 2, 1)


@pytest.mark.parametrize("typed", ["11/21/2026", "31.02.2026", "jutro", "2026-13-01", "21.11.26"])
def test_a_bad_date_gets_a_clear_message_and_stays_as_typed(typed):
    form = InvoiceFilterForm({"issued_from": typed})
    assert form.date("issued_from") is None
    assert form.problems == ["Wystawiona od: Podaj datę w formacie DD.MM.RRRR."]
    assert f'value="{typed}"' in str(form["issued_from"])  # the user sees what they typed


def test_the_message_and_the_hint_are_english_in_english():
    with translation.override("en"):
        form = InvoiceFilterForm({"issued_from": "11/21/2026"})
        assert form.problems == ["Issued from: Enter a date as DD.MM.YYYY."]
        html = str(form["issued_from"])
    assert 'placeholder="dd.mm.yyyy"' in html
    assert 'data-date-picker="Choose a date from the calendar"' in html


def test_the_field_is_text_for_digits_not_the_browsers_date_input():
    html = str(InvoiceFilterForm({})["issued_from"])
    assert 'type="text"' in html and 'inputmode="numeric"' in html
    assert 'placeholder="dd.mm.rrrr"' in html


@pytest.mark.django_db
def test_the_list_filters_by_a_date_typed_the_polish_way(client, company):
    march = issue_invoice(company, issued=dt.date(2026, 3, 2))
    april = issue_invoice(company, issued=dt.date(2026, 4, 1))
    client.force_login(client_user(company))

    page = client.get(reverse("invoices:list"), {"issued_from": "15.03.2026"}).text

    assert april.number in page and march.number not in page
    field = re.search(r'<input[^>]*name="issued_from"[^>]*>', page).group(0)
    assert 'value="15.03.2026"' in field


@pytest.mark.django_db
def test_a_bad_date_is_named_above_the_list_which_ignores_it(client, company):
    invoice = issue_invoice(company, issued=dt.date(2026, 3, 2))
    client.force_login(client_user(company))

    response = client.get(reverse("invoices:list"), {"issued_from": "31.02.2026"})

    assert response.status_code == 200
    assert "Podaj datę w formacie DD.MM.RRRR." in response.text
    assert invoice.number in response.text
