"""Downloads in a real Chromium: an invoice PDF, a ZIP of ticked invoices, the Excel report."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from invoices.services import payment_record
from tests.downloads import client_user, data_rows, issue_invoice, pdf_text, zip_names

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def invoices(company):
    paid = issue_invoice(company, net="100.00", issued=dt.date(2026, 3, 2))
    payment_record(company=company, amount=paid.gross, received_on=dt.date(2026, 3, 3))
    unpaid = [issue_invoice(company, net="1234.56", issued=dt.date(2026, 4, day)) for day in (1, 2)]
    return paid, unpaid


def downloaded(download) -> bytes:
    assert download.failure() is None
    return Path(download.path()).read_bytes()


def test_it_downloads_an_invoice_pdf(signed_in_page, company, invoices):
    paid, _unpaid = invoices
    page = signed_in_page(client_user(company), path="/faktury/")

    with page.expect_download() as info:
        page.get_by_role("link", name=f"Pobierz PDF faktury {paid.number}").click()

    download = info.value
    assert download.suggested_filename == f"Faktura_{paid.number.replace('/', '_')}.pdf"
    text = pdf_text(downloaded(download))
    assert paid.number in text
    assert "Do zapłaty 123,00 zł" in text


def test_it_downloads_the_ticked_invoices_as_one_zip(signed_in_page, company, invoices):
    _paid, unpaid = invoices
    page = signed_in_page(client_user(company), path="/faktury/")
    zip_button = page.get_by_role("button", name="Pobierz zaznaczone (ZIP)")
    expect(zip_button).to_be_disabled()  # nothing ticked yet

    for invoice in unpaid:
        page.get_by_label(f"Zaznacz fakturę {invoice.number}").check()
    expect(page.locator('[data-selected-count="invoice"]')).to_have_text("2")
    with page.expect_download() as info:
        zip_button.click()

    names = zip_names(downloaded(info.value))
    assert names == sorted(f"Faktura_{i.number.replace('/', '_')}.pdf" for i in unpaid)


def test_it_exports_the_filtered_list_to_excel(signed_in_page, company, invoices):
    _paid, unpaid = invoices
    page = signed_in_page(client_user(company), path="/faktury/")
    page.get_by_label("Status").select_option("unpaid")  # HTMX swaps the list in place
    expect(page.locator("#invoice-list")).not_to_contain_text(invoices[0].number)

    with page.expect_download() as info:
        page.get_by_role("link", name="Eksport do Excela").click()

    download = info.value
    assert download.suggested_filename.startswith("Faktury_")
    sheet = load_workbook(io.BytesIO(downloaded(download))).worksheets[0]
    assert sheet.freeze_panes == "A2"
    rows = data_rows(sheet)
    assert sorted(row[0] for row in rows) == sorted(i.number for i in unpaid)
    for row in rows:
        assert isinstance(row[3], dt.datetime)  # issue date: a real date
        assert row[8] == pytest.approx(float(Decimal("1518.51")))  # gross: a real number
