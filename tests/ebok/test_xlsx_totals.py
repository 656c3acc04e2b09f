"""Excel reports that list amounts end with a totals row; the audit log's time is a date-time."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from contracts.models import Installment
from ebok.xlsx import Column, Kind, write_xlsx
from invoices.services import payment_record
from tests.downloads import (
    client_user,
    contract_with_schedule,
    data_rows,
    issue_invoice,
    read_xlsx,
    streamed,
    totals_row,
)

D = Decimal


def written(columns, rows) -> object:
    target = io.BytesIO()
    write_xlsx(target, title="Raport", columns=columns, rows=rows)
    return read_xlsx(target.getvalue())


def test_the_totals_are_summed_while_the_rows_stream_past():
    consumed = []

    def rows():  # a generator, read once, as the reports read the database
        for n in range(1, 2001):
            consumed.append(n)
            yield (f"FV/{n}", dt.date(2026, 1, 1), D("0.01") * n, None)

    sheet = written(
        [
            Column("Numer"),
            Column("Data", Kind.DATE),
            Column("Kwota", Kind.MONEY),
            Column("Saldo", Kind.MONEY, total=False),
        ],
        rows(),
    )

    assert len(consumed) == 2000
    assert len(data_rows(sheet)) == 2000
    totals = totals_row(sheet)
    assert totals["Numer"] == "Razem"
    assert totals["Kwota"] == pytest.approx(float(D("0.01") * 2000 * 2001 / 2))  # 20 010,00
    assert totals["Saldo"] is None  # a balance is not summed
    assert totals["Data"] is None
    assert sheet.cell(sheet.max_row, 3).number_format == '#,##0.00 "zł"'


def test_a_report_without_amounts_or_without_rows_has_no_totals_row():
    no_amounts = written([Column("Numer"), Column("Liczba", Kind.INT)], [("A", 1), ("B", 2)])
    assert no_amounts.max_row == 3
    empty = written([Column("Numer"), Column("Kwota", Kind.MONEY)], [])
    assert empty.max_row == 1


@pytest.mark.django_db
def test_the_invoice_report_ends_with_the_totals_of_its_amounts(client, company):
    first = issue_invoice(company, net="1000.00", issued=dt.date(2026, 3, 2))
    issue_invoice(company, net="1234.56", issued=dt.date(2026, 3, 9))
    payment_record(company=company, amount=first.gross, received_on=dt.date(2026, 3, 3))
    client.force_login(client_user(company))

    sheet = read_xlsx(streamed(client.get(reverse("invoices:xlsx"))))

    assert len(data_rows(sheet)) == 2
    totals = totals_row(sheet)
    assert totals["Numer faktury"] == "Razem"
    assert totals["Netto"] == pytest.approx(2234.56)
    assert totals["Brutto"] == pytest.approx(1230.00 + 1518.51)
    assert totals["Zapłacono"] == pytest.approx(1230.00)
    assert totals["Do zapłaty"] == pytest.approx(1518.51)
    assert totals["Status"] is None


@pytest.mark.django_db
def test_the_totals_row_speaks_english_in_english(client, company):
    issue_invoice(company)
    client.force_login(client_user(company))
    client.cookies["django_language"] = "en"

    with translation.override("en"):
        sheet = read_xlsx(streamed(client.get(reverse("invoices:xlsx"))))

    assert totals_row(sheet)["Invoice number"] == "Total"


@pytest.mark.django_db
def test_the_schedule_report_totals_the_installments_but_not_the_remaining_capital(client, company):
    contract = contract_with_schedule(company, installment_count=24)
    client.force_login(client_user(company))

    response = client.get(reverse("contracts:schedule_xlsx", args=[contract.pk]))

    sheet = read_xlsx(streamed(response))
    assert len(data_rows(sheet)) == 24
    totals = totals_row(sheet)
    installments = Installment.objects.filter(contract=contract)
    assert totals["Rata brutto"] == pytest.approx(float(sum(i.gross for i in installments)))
    assert totals["Część kapitałowa"] == pytest.approx(float(sum(i.capital for i in installments)))
    assert totals["Kapitał pozostały"] is None
    assert totals["Nr raty"] == "Razem"
