"""Contract downloads: the schedule PDF and the Excel reports of the contract pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from contracts import pdf as contracts_pdf
from contracts.models import Contract
from invoices.services import invoice_issue_for_installment, payment_record
from tests.downloads import (
    client_user,
    contract_with_schedule,
    data_rows,
    pdf_page_count,
    pdf_text,
    read_xlsx,
    streamed,
    totals_row,
)
from tests.factories import (
    AdditionalFeeFactory,
    ContractFactory,
    InsurancePolicyFactory,
    LeasedAssetFactory,
)

D = Decimal


def rows(sheet) -> list[tuple]:
    return data_rows(sheet)


def header(sheet) -> list[str]:
    return [cell.value for cell in sheet[1]]


def assert_report_layout(sheet) -> None:
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref.startswith("A1:")
    # The autofilter covers the data; a report with amounts adds its totals row below it.
    assert sheet.auto_filter.ref.endswith(str(sheet.max_row - 1))
    totals_row(sheet)


# --- schedule PDF -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_schedule_pdf_lists_every_installment_with_totals(client, company):
    contract = contract_with_schedule(company, number="UL/2026/00077", installment_count=48)
    LeasedAssetFactory(contract=contract, registration_number="WX12345")
    first = contract.installments.get(number=1)
    invoice = invoice_issue_for_installment(installment=first, issue_date=first.due_date)
    payment_record(company=company, amount=invoice.gross, received_on=first.due_date)
    client.force_login(client_user(company))

    response = client.get(reverse("contracts:schedule_pdf", args=[contract.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Harmonogram_UL_2026_00077.pdf"'
    text = pdf_text(response.content)
    assert "Harmonogram spłat" in text
    assert "umowa leasingu nr UL/2026/00077" in text
    assert "Wartość początkowa netto 120 000,00 zł" in text
    assert "Wartość wykupu netto 1 200,00 zł" in text
    assert "WX12345" in text
    assert "Nr raty Termin płatności Część kapitałowa Część odsetkowa" in text
    last = contract.installments.get(number=48)
    assert f"48 {last.due_date:%d.%m.%Y}" in text
    assert "Razem (48 rat) 106 800,00" in text  # the whole financed capital less the buyout
    assert "zapłacone: 1" in text
    pages = pdf_page_count(response.content)
    assert pages == 2
    assert "Strona 1 z 2" in text
    assert "Strona 2 z 2" in text


@pytest.mark.django_db
def test_the_schedule_pdf_is_rendered_once_until_what_it_shows_changes(
    client, company, monkeypatch
):
    contract = contract_with_schedule(company, number="UL/2026/00078", installment_count=12)
    client.force_login(client_user(company))
    url = reverse("contracts:schedule_pdf", args=[contract.pk])
    renders = []
    render = contracts_pdf.render_schedule_pdf
    monkeypatch.setattr(
        contracts_pdf, "render_schedule_pdf", lambda c: renders.append(c.pk) or render(c)
    )

    first = client.get(url)
    again = client.get(url)

    assert again.content == first.content  # the same document, served again
    assert renders == [contract.pk]  # rendered once
    assert "zapłacone: 0" in pdf_text(first.content)

    # A payment settles the first installment: the next download shows it.
    installment = contract.installments.get(number=1)
    invoice = invoice_issue_for_installment(
        installment=installment, issue_date=installment.due_date
    )
    payment_record(company=company, amount=invoice.gross, received_on=installment.due_date)
    assert "zapłacone: 1" in pdf_text(client.get(url).content)
    assert len(renders) == 2

    # The next day the document is "as of" that day.
    tomorrow = contracts_pdf.business_today() + dt.timedelta(days=1)
    monkeypatch.setattr(contracts_pdf, "business_today", lambda: tomorrow)
    assert f"stan na {tomorrow:%d.%m.%Y}" in pdf_text(client.get(url).content)
    assert len(renders) == 3

    # The company's name is printed on it: a new name, a new document.
    company.name = "Nowa Nazwa Sp. z o.o."
    company.save()
    assert "Nowa Nazwa Sp. z o.o." in pdf_text(client.get(url).content)
    assert len(renders) == 4


@pytest.mark.django_db
def test_the_schedule_pdf_checks_ownership(client, company, other_company):
    theirs = contract_with_schedule(other_company)
    client.force_login(client_user(company))

    assert client.get(reverse("contracts:schedule_pdf", args=[theirs.pk])).status_code == 404


@pytest.mark.django_db
def test_the_schedule_pdf_needs_the_contracts_permission(client, company):
    contract = contract_with_schedule(company)
    client.force_login(client_user(company, can_view_contracts=False))

    assert client.get(reverse("contracts:schedule_pdf", args=[contract.pk])).status_code == 403


# --- Excel reports ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_contracts_report_follows_the_list_filters(client, company, other_company):
    active = ContractFactory(company=company, number="UL/2026/00001", net_value=D("150000.00"))
    LeasedAssetFactory(contract=active, registration_number="WA10001", serial_number="VIN0001")
    ContractFactory(company=company, number="UL/2026/00002", status=Contract.Status.ENDED)
    ContractFactory(company=other_company, number="UL/2026/00003")
    client.force_login(client_user(company))

    response = client.get(reverse("contracts:contracts_xlsx"), {"status": "active"})

    sheet = read_xlsx(streamed(response))
    assert_report_layout(sheet)
    assert header(sheet)[:3] == ["Numer umowy", "Rodzaj", "Status"]
    (row,) = rows(sheet)
    record = dict(zip(header(sheet), row, strict=True))
    assert record["Numer umowy"] == "UL/2026/00001"
    assert record["Rodzaj"] == "leasing operacyjny"
    assert record["Data rozpoczęcia"] == dt.datetime(2026, 1, 15)
    assert record["Wartość początkowa netto"] == 150000
    assert record["Oprocentowanie (%)"] == pytest.approx(8.35)
    assert record["Nr rejestracyjny"] == "WA10001"
    assert sheet["D2"].number_format == "DD.MM.YYYY"
    assert sheet["I2"].number_format == '#,##0.00 "zł"'


@pytest.mark.django_db
def test_the_schedule_report_has_every_installment_as_numbers(client, company):
    contract = contract_with_schedule(company, number="UL/2026/00009")
    client.force_login(client_user(company))

    response = client.get(reverse("contracts:schedule_xlsx", args=[contract.pk]))

    assert 'filename="Harmonogram_UL_2026_00009.xlsx"' in response["Content-Disposition"]
    sheet = read_xlsx(streamed(response))
    assert_report_layout(sheet)
    data = rows(sheet)
    assert [r[0] for r in data] == list(range(1, 37))
    installments = list(contract.installments.order_by("number"))
    assert data[0][1] == dt.datetime.combine(installments[0].due_date, dt.time())
    assert sum(D(str(r[2])) for r in data) == sum(i.capital for i in installments)
    assert data[0][8] == "zaplanowana"  # not invoiced yet


@pytest.mark.django_db
def test_the_schedule_report_takes_the_tab_filters(client, company):
    contract = contract_with_schedule(company)
    client.force_login(client_user(company))

    response = client.get(
        reverse("contracts:schedule_xlsx", args=[contract.pk]),
        {"date_from": "2026-03-01", "date_to": "2026-05-31"},
    )

    assert [r[0] for r in rows(read_xlsx(streamed(response)))] == [2, 3, 4]


@pytest.mark.django_db
def test_the_installments_report_covers_the_date_range_across_contracts(
    client, company, other_company
):
    first = contract_with_schedule(company, number="UL/2026/00010")
    second = contract_with_schedule(company, number="UL/2026/00011")
    contract_with_schedule(other_company, number="UL/2026/00012")
    client.force_login(client_user(company))

    response = client.get(
        reverse("contracts:installments_xlsx"), {"date_from": "2026-02-01", "date_to": "2026-03-31"}
    )

    sheet = read_xlsx(streamed(response))
    assert_report_layout(sheet)
    assert [(r[1], r[2]) for r in rows(sheet)] == [
        (first.number, 1),
        (second.number, 1),
        (first.number, 2),
        (second.number, 2),
    ]
    assert all(isinstance(r[0], dt.datetime) for r in rows(sheet))


@pytest.mark.django_db
def test_the_policy_report_lists_the_companys_policies_with_status(client, company, other_company):
    contract = ContractFactory(company=company, number="UL/2026/00020")
    asset = LeasedAssetFactory(contract=contract, registration_number="KR55555")
    InsurancePolicyFactory(contract=contract, asset=asset, number="PZU/1")
    InsurancePolicyFactory(contract=ContractFactory(company=other_company), number="PZU/2")
    client.force_login(client_user(company))

    response = client.get(reverse("contracts:policies_xlsx"))

    sheet = read_xlsx(streamed(response))
    assert_report_layout(sheet)
    (row,) = rows(sheet)
    record = dict(zip(header(sheet), row, strict=True))
    assert record["Numer polisy"] == "PZU/1"
    assert record["Nr rejestracyjny"] == "KR55555"
    assert record["Ważna do"] == dt.datetime(2027, 1, 14)
    assert record["Składka"] == 3450
    assert record["Status"] in {"aktywna", "wygasająca", "wygasła", "oczekująca"}


@pytest.mark.django_db
def test_the_fee_reports_list_fees_of_the_company_and_of_one_contract(
    client, company, other_company
):
    contract, other = ContractFactory(company=company), ContractFactory(company=company)
    AdditionalFeeFactory(contract=contract, description="Rejestracja pojazdu")
    AdditionalFeeFactory(contract=other)
    AdditionalFeeFactory(contract=ContractFactory(company=other_company))
    client.force_login(client_user(company))

    everything = read_xlsx(streamed(client.get(reverse("contracts:fees_xlsx"))))
    one = read_xlsx(
        streamed(client.get(reverse("contracts:contract_fees_xlsx", args=[contract.pk])))
    )

    assert_report_layout(everything)
    assert len(rows(everything)) == 2
    (row,) = rows(one)
    assert row[1] == contract.number
    assert row[3] == "Rejestracja pojazdu"
    assert row[6] == 123  # gross, a number


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    ["schedule_xlsx", "contract_policies_xlsx", "contract_fees_xlsx", "schedule_pdf"],
)
def test_per_contract_downloads_check_ownership(client, company, other_company, name):
    theirs = contract_with_schedule(other_company)
    client.force_login(client_user(company))

    assert client.get(reverse(f"contracts:{name}", args=[theirs.pk])).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["contracts_xlsx", "installments_xlsx", "policies_xlsx", "fees_xlsx"]
)
def test_reports_need_the_contracts_permission(client, company, name):
    client.force_login(client_user(company, can_view_contracts=False))

    assert client.get(reverse(f"contracts:{name}")).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["schedule_xlsx", "contract_policies_xlsx", "contract_fees_xlsx"])
def test_per_contract_reports_need_the_contracts_permission(client, company, name):
    contract = ContractFactory(company=company)
    client.force_login(client_user(company, can_view_contracts=False))

    assert client.get(reverse(f"contracts:{name}", args=[contract.pk])).status_code == 403


@pytest.mark.django_db
def test_a_restricted_user_gets_only_the_contracts_given_to_them(client, company):
    given = ContractFactory(company=company, number="UL/2026/00030")
    ContractFactory(company=company, number="UL/2026/00031")
    user = client_user(company, contracts_restricted=True)
    user.allowed_contracts.add(given)
    client.force_login(user)

    sheet = read_xlsx(streamed(client.get(reverse("contracts:contracts_xlsx"))))

    assert [r[0] for r in rows(sheet)] == ["UL/2026/00030"]
