"""Invoice downloads in bulk: the ZIP of PDFs and the Excel report of the filtered list."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse

from invoices.models import Invoice
from invoices.services import payment_record
from tests.downloads import (
    client_user,
    issue_invoice,
    pdf_text,
    read_xlsx,
    streamed,
    zip_names,
)

D = Decimal


def pdf_name(invoice: Invoice) -> str:
    return f"Faktura_{invoice.number.replace('/', '_')}.pdf"


# --- ZIP ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_zip_holds_exactly_the_selected_invoices(client, company, other_company):
    first, second, not_selected = (issue_invoice(company) for _ in range(3))
    foreign = issue_invoice(other_company)
    client.force_login(client_user(company))

    response = client.post(
        reverse("invoices:zip"), {"invoice": [first.pk, second.pk, foreign.pk, "x"]}
    )

    assert response.status_code == 200
    assert response.streaming  # built and sent piece by piece, not in memory
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="Faktury_')
    content = streamed(response)
    assert zip_names(content) == sorted([pdf_name(first), pdf_name(second)])
    assert pdf_name(not_selected) not in zip_names(content)
    foreign.refresh_from_db()
    assert not foreign.pdf


@pytest.mark.django_db
def test_the_zip_contains_the_stored_pdfs(client, company):
    invoice = issue_invoice(company)
    client.force_login(client_user(company))
    single = b"".join(client.get(reverse("invoices:pdf", args=[invoice.pk])).streaming_content)

    response = client.post(reverse("invoices:zip"), {"invoice": [invoice.pk]})

    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(streamed(response))) as archive:
        assert archive.read(pdf_name(invoice)) == single
    assert invoice.number in pdf_text(single)


@pytest.mark.django_db
def test_the_zip_of_the_filtered_list_follows_the_filters(client, company):
    paid = issue_invoice(company, net="100.00", due_date=dt.date(2026, 3, 10))
    unpaid = issue_invoice(company, net="200.00", due_date=dt.date(2026, 4, 10))
    payment_record(company=company, amount=paid.gross, received_on=dt.date(2026, 3, 5))
    client.force_login(client_user(company))

    response = client.get(reverse("invoices:zip"), {"status": "unpaid", "page": "7"})

    assert zip_names(streamed(response)) == [pdf_name(unpaid)]


@pytest.mark.django_db
def test_an_empty_selection_is_refused_with_a_message(client, company):
    issue_invoice(company)
    client.force_login(client_user(company))
    back = reverse("invoices:list") + "?status=unpaid"

    response = client.post(reverse("invoices:zip"), {"next": back})

    assert response.status_code == 302
    assert response["Location"] == back
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Zaznacz co najmniej jedną fakturę do pobrania."
    ]


@pytest.mark.django_db
def test_only_foreign_ids_count_as_an_empty_selection(client, company, other_company):
    foreign = issue_invoice(other_company)
    client.force_login(client_user(company))

    response = client.post(reverse("invoices:zip"), {"invoice": [foreign.pk]})

    assert response.status_code == 302
    assert response["Location"] == reverse("invoices:list")


@pytest.mark.django_db
def test_an_off_site_return_address_is_ignored(client, company):
    client.force_login(client_user(company))

    response = client.post(reverse("invoices:zip"), {"next": "https://evil.example/"})

    assert response["Location"] == reverse("invoices:list")


@pytest.mark.django_db
def test_a_zip_above_the_limit_is_refused(client, company, settings):
    settings.INVOICE_ZIP_MAX_INVOICES = 2
    invoices = [issue_invoice(company) for _ in range(3)]
    client.force_login(client_user(company))

    response = client.post(reverse("invoices:zip"), {"invoice": [i.pk for i in invoices]})

    assert response.status_code == 302
    assert "najwyżej 2 faktur" in str(next(iter(get_messages(response.wsgi_request))))


@pytest.mark.django_db
def test_the_zip_needs_the_finances_permission(client, company):
    invoice = issue_invoice(company)
    client.force_login(client_user(company, can_view_finances=False))

    assert client.post(reverse("invoices:zip"), {"invoice": [invoice.pk]}).status_code == 403
    assert client.get(reverse("invoices:zip")).status_code == 403


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
    assert sheet.auto_filter.ref == f"A1:O{sheet.max_row}"
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
    numbers = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
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
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == [mine.number]


@pytest.mark.django_db
def test_the_contract_tab_report_checks_ownership(client, company, other_company):
    from tests.factories import ContractFactory

    theirs = ContractFactory(company=other_company)
    client.force_login(client_user(company))

    response = client.get(reverse("invoices:contract_invoices_xlsx", args=[theirs.pk]))

    assert response.status_code == 404
