"""Invoice downloads in bulk: the Excel report of the filtered list (the ZIP: test_zip.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from invoices.services import payment_record
from tests.downloads import (
    client_user,
    data_rows,
    issue_invoice,
    read_xlsx,
    streamed,
)

D = Decimal


# --- Excel --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_excel_report_has_typed_cells_and_a_frozen_filtered_header(client, company):
    invoice = issue_invoice(
        company, net="1234.56", issued=dt.date(2026, 3, 2), due_date=dt.date(2026, 3, 16)
    )
    payment_record(company=company, amount=D("500.00"), received_on=dt.date(2026, 3, 3))
    client.force_login(client_user(company))

    response = client.get(reverse("invoices:xlsx"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].startswith('attachment; filename="Faktury_')
    sheet = read_xlsx(streamed(response))
    header = [cell.value for cell in sheet[1]]
    assert header[:6] == [
        "Numer faktury",
        "Rodzaj",
        "Numer umowy",
        "Data wystawienia",
        "Data sprzedaży",
        "Termin płatności",
    ]
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:O{sheet.max_row - 1}"  # the totals row below it
    row = {name: cell for name, cell in zip(header, sheet[2], strict=True)}
    assert row["Numer faktury"].value == invoice.number
    assert row["Data wystawienia"].value == dt.datetime(2026, 3, 2)
    assert row["Data wystawienia"].number_format == "DD.MM.YYYY"
    assert row["Brutto"].value == pytest.approx(1518.51)
    assert isinstance(row["Brutto"].value, float)
    assert row["Brutto"].number_format == '#,##0.00 "zł"'
    assert row["Zapłacono"].value == 500
    assert row["Do zapłaty"].value == pytest.approx(1018.51)
    assert row["Status"].value == "częściowo zapłacona"
    assert sheet.column_dimensions["A"].width >= 20


@pytest.mark.django_db
def test_the_excel_report_holds_the_rows_of_the_filtered_list(client, company, other_company):
    march = [issue_invoice(company, issued=dt.date(2026, 3, d)) for d in (2, 9, 16)]
    issue_invoice(company, issued=dt.date(2026, 4, 1))
    issue_invoice(other_company, issued=dt.date(2026, 3, 5))
    client.force_login(client_user(company))

    response = client.get(
        reverse("invoices:xlsx"),
        {"issued_from": "2026-03-01", "issued_to": "2026-03-31", "sort": "issued", "page": "2"},
    )

    sheet = read_xlsx(streamed(response))
    numbers = [row[0] for row in data_rows(sheet)]
    assert numbers == [i.number for i in march]


@pytest.mark.django_db
def test_the_excel_report_uses_the_english_currency_label_in_english(client, company):
    issue_invoice(company)
    client.force_login(client_user(company))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # what the PL/EN switch sets

    response = client.get(reverse("invoices:xlsx"))

    sheet = read_xlsx(streamed(response))
    assert sheet["I2"].number_format == '#,##0.00 "PLN"'


@pytest.mark.django_db
def test_the_excel_reports_need_the_finances_permission(client, company):
    from tests.factories import ContractFactory

    contract = ContractFactory(company=company)
    client.force_login(client_user(company, can_view_finances=False))

    assert client.get(reverse("invoices:xlsx")).status_code == 403
    url = reverse("invoices:contract_invoices_xlsx", args=[contract.pk])
    assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_the_contract_tab_report_lists_that_contracts_invoices_only(client, company):
    from tests.factories import ContractFactory

    contract, other = ContractFactory(company=company), ContractFactory(company=company)
    mine = issue_invoice(company, contract=contract)
    issue_invoice(company, contract=other)
    client.force_login(client_user(company))

    response = client.get(reverse("invoices:contract_invoices_xlsx", args=[contract.pk]))

    sheet = read_xlsx(streamed(response))
    assert [r[0] for r in data_rows(sheet)] == [mine.number]


@pytest.mark.django_db
def test_the_contract_tab_report_checks_ownership(client, company, other_company):
    from tests.factories import ContractFactory

    theirs = ContractFactory(company=other_company)
    client.force_login(client_user(company))

    response = client.get(reverse("invoices:contract_invoices_xlsx", args=[theirs.pk]))

    assert response.status_code == 404
