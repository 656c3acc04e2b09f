"""What the invoice PDF says about VAT and money: the financial-lease handover invoice, the
legal basis of exempt lines, and what a correction asks to be paid (or says is credited)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from contracts.models import AdditionalFee, Contract
from invoices.models import FeeVatRule, Invoice
from invoices.services import (
    InvoicingError,
    LineSpec,
    VatRate,
    invoice_correct,
    invoice_create,
    invoice_issue_for_fee,
    invoice_issue_for_installment,
    invoice_issue_initial_payment,
    payment_record,
)
from tests.downloads import client_user, contract_with_schedule, pdf_text, streamed
from tests.factories import AdditionalFeeFactory, CompanyFactory, LeasedAssetFactory

pytestmark = pytest.mark.django_db
D = Decimal
PAYMENT_SECTION = ("Rachunek bankowy", "Tytuł przelewu", "Termin płatności", "Do zapłaty")


@pytest.fixture
def buyer(db):
    return CompanyFactory(name="Transport Żwirek Sp. z o.o.", nip="7251801126")


@pytest.fixture
def reader(client, buyer):
    """The PDF's text as the client downloads it."""
    client.force_login(client_user(buyer))

    def read(invoice) -> str:
        response = client.get(reverse("invoices:pdf", args=[invoice.pk]))
        assert response.status_code == 200
        return pdf_text(streamed(response))

    return read


def pay(company, amount, on=dt.date(2026, 3, 5)):
    return payment_record(company=company, amount=D(amount), received_on=on)


# --- the financial-lease handover invoice ----------------------------------------------------


def test_the_handover_invoice_sells_the_asset_and_says_how_its_price_is_paid(buyer, reader):
    contract = contract_with_schedule(
        buyer, kind=Contract.Kind.FINANCIAL, number="UL/2026/00043"
    )  # 120 000,00 net, 12 000,00 initial, 1 200,00 buyout, 36 installments
    LeasedAssetFactory(contract=contract, serial_number="TMBJG7NE0L1234567")

    invoice = invoice_issue_initial_payment(contract=contract, issue_date=dt.date(2026, 1, 15))
    text = reader(invoice)

    # The goods (art. 106e ust. 1 pkt 7-14): kind, make, model, VIN, at the whole net value.
    assert (
        "Samochód osobowy Škoda Octavia Combi 2.0 TDI, VIN TMBJG7NE0L1234567, rok produkcji "
        "2025 – przedmiot umowy leasingu UL/" in text  # the cell wraps after "UL/"
    )
    assert "120 000,00 23% 27 600,00 147 600,00" in text  # net, rate, VAT, gross of the line
    assert "23% 120 000,00 27 600,00 147 600,00" in text  # the VAT summary
    assert "23% 0,00" not in text  # no more a VAT line without its net value
    assert "Razem brutto 147 600,00 zł" in text
    # What is paid now (initial payment + VAT) and how the rest of the price is paid.
    assert "Do zapłaty 39 600,00 zł" in text
    assert "Słownie: trzydzieści dziewięć tysięcy sześćset złotych 00/100" in text
    assert "ROZLICZENIE CENY PRZEDMIOTU LEASINGU" in text  # headings print in capitals
    assert "Płatne na podstawie tej faktury do 22.01.2026:" in text
    assert "opłata wstępna (część ceny netto) 12 000,00 zł" in text
    assert "VAT od całej wartości przedmiotu 27 600,00 zł" in text
    assert "razem do zapłaty teraz 39 600,00 zł" in text
    assert "płatna zgodnie z harmonogramem: 108 000,00 zł" in text
    assert "w częściach kapitałowych 36 rat leasingowych 106 800,00 zł" in text
    assert "w wartości wykupu 1 200,00 zł" in text
    assert "Kwota do zapłaty: 39 600,00 zł" in text
    invoice.refresh_from_db()
    assert (invoice.amount_payable, invoice.settled_by_schedule) == (D("39600.00"), D("108000.00"))


def test_installments_of_a_financial_lease_pay_the_price_outside_vat(buyer, reader):
    contract = contract_with_schedule(buyer, kind=Contract.Kind.FINANCIAL)
    first = contract.installments.get(number=1)

    text = reader(invoice_issue_for_installment(installment=first))

    assert "część kapitałowa" in text and "część odsetkowa" in text
    capital = f"{first.capital:,.2f}".replace(",", " ").replace(".", ",")
    assert f"np. {capital} 0,00 {capital}" in text


# --- the legal basis of exempt lines (art. 106e ust. 1 pkt 19) ---------------------------------


def test_lease_interest_names_its_exemption_basis(buyer, reader):
    contract = contract_with_schedule(buyer, kind=Contract.Kind.FINANCIAL)

    text = reader(invoice_issue_for_installment(installment=contract.installments.get(number=1)))

    assert "Podstawa zwolnienia z VAT (poz. 2): art. 43 ust. 1 pkt 38 ustawy o VAT" in text


def test_re_invoiced_insurance_names_the_basis_configured_for_its_fee_kind(buyer, reader):
    contract = contract_with_schedule(buyer)
    insurance = AdditionalFeeFactory(
        contract=contract,
        kind=AdditionalFee.Kind.INSURANCE,
        description="Ubezpieczenie AC – refaktura składki",
        net=D("1840.00"),
        vat=D("0.00"),
        gross=D("1840.00"),
    )

    text = reader(invoice_issue_for_fee(fee=insurance))

    assert "zw. 1 840,00 0,00 1 840,00" in text
    assert (
        "Podstawa zwolnienia z VAT (poz. 1): art. 43 ust. 1 pkt 37 w zw. z art. 8 ust. 2a "
        "ustawy o VAT" in text
    )


def test_staff_set_the_basis_per_fee_kind_in_admin(otp_admin_client, buyer, reader):
    url = reverse("admin:invoices_feevatrule_add")
    refused = otp_admin_client.post(url, {"fee_kind": "admin", "rate": "zw"})
    assert "musi mieć podstawę zwolnienia" in refused.text
    assert not FeeVatRule.objects.filter(fee_kind="admin").exists()
    saved = otp_admin_client.post(
        url, {"fee_kind": "admin", "rate": "zw", "exemption_basis": "§ 3 ust. 1 pkt 7 rozp. X"}
    )
    assert saved.status_code == 302
    fee = AdditionalFeeFactory(
        contract=contract_with_schedule(buyer), vat=D("0.00"), gross=D("100.00")
    )

    invoice = invoice_issue_for_fee(fee=fee)
    text = reader(invoice)

    assert "zw. 100,00 0,00 100,00" in text
    assert "Podstawa zwolnienia z VAT (poz. 1): § 3 ust. 1 pkt 7 rozp. X" in text
    # a later change of the rule does not rewrite an issued invoice
    FeeVatRule.objects.filter(fee_kind="admin").update(exemption_basis="inna")
    assert invoice.lines.get().exemption_basis == "§ 3 ust. 1 pkt 7 rozp. X"


def test_an_invoice_without_exempt_lines_prints_no_basis(buyer, reader):
    invoice = invoice_create(
        company=buyer,
        kind=Invoice.Kind.OTHER,
        lines=[LineSpec("Usługa", D("100.00"))],
        issue_date=dt.date(2026, 3, 2),
    )
    assert "Podstawa zwolnienia" not in reader(invoice)


# --- corrections: before / change / after per rate, and what they ask to be paid ------------


def three_rate_invoice(company) -> Invoice:
    return invoice_create(
        company=company,
        kind=Invoice.Kind.OTHER,
        lines=[
            LineSpec("Opłata administracyjna", D("1000.00"), VatRate.STANDARD),
            LineSpec(
                "Ubezpieczenie",
                D("200.00"),
                VatRate.EXEMPT,
                exemption_basis="art. 43 ust. 1 pkt 37",
            ),
            LineSpec("Wezwanie do zapłaty", D("300.00"), VatRate.NOT_SUBJECT),
        ],
        issue_date=dt.date(2026, 3, 2),
        due_date=dt.date(2026, 3, 16),
    )


def test_correction_rows_add_up_per_rate_and_in_total(buyer, reader):
    invoice = three_rate_invoice(buyer)
    with pytest.raises(InvoicingError):  # 8 %: a rate the invoice does not have
        invoice_correct(
            invoice=invoice, lines=[LineSpec("x", D("-50.00"), VatRate.REDUCED_8)], reason="r"
        )
    correction = invoice_correct(
        invoice=invoice,
        lines=[
            LineSpec("Obniżka opłaty", D("-100.00"), VatRate.STANDARD),
            LineSpec("Dopłata", D("50.00"), VatRate.NOT_SUBJECT),
        ],
        reason="Zmiana tabeli opłat",
        issue_date=dt.date(2026, 3, 20),
    )

    text = reader(correction)

    # rate: before (net VAT gross) | change | after; after = before + change in every column
    assert "23% 1 000,00 230,00 1 230,00 −100,00 −23,00 −123,00 900,00 207,00 1 107,00" in text
    assert "zw. 200,00 0,00 200,00 0,00 0,00 0,00 200,00 0,00 200,00" in text
    assert "np. 300,00 0,00 300,00 50,00 0,00 50,00 350,00 0,00 350,00" in text
    assert "Razem 1 500,00 230,00 1 730,00 −50,00 −23,00 −73,00 1 450,00 207,00 1 657,00" in text


def test_an_upward_correction_asks_for_the_increase_on_its_own_term(buyer, reader, settings):
    settings.INVOICE_PAYMENT_TERM_DAYS = 14
    invoice = three_rate_invoice(buyer)
    pay(buyer, "1730.00")  # the invoice is paid in full

    correction = invoice_correct(
        invoice=invoice,
        lines=[LineSpec("Dopłata", D("200.00"), VatRate.STANDARD)],
        reason="Błędna cena",
        issue_date=dt.date(2026, 4, 1),
    )
    text = reader(correction)

    assert "Termin płatności 15.04.2026" in text  # not the invoice's 16.03.2026
    assert "Do zapłaty 246,00 zł" in text
    assert "Kwota do zapłaty: 246,00 zł" in text
    assert f"Tytuł przelewu: {correction.number}" in text
    assert not correction.is_overdue_on(dt.date(2026, 4, 1))


def test_a_downward_correction_of_a_paid_invoice_says_what_is_credited(buyer, reader):
    invoice = three_rate_invoice(buyer)
    pay(buyer, "1730.00")

    correction = invoice_correct(
        invoice=invoice,
        lines=[LineSpec("Obniżka opłaty", D("-100.00"), VatRate.STANDARD)],
        reason="Rabat",
        issue_date=dt.date(2026, 3, 20),
    )
    text = reader(correction)

    for payment_item in PAYMENT_SECTION:
        assert payment_item not in text, payment_item
    assert "Zmniejszenie należności 123,00 zł" in text
    assert "ROZLICZENIE KOREKTY" in text
    assert (
        f"Kwota korekty (zmniejszenie należności z faktury nr {invoice.number}) 123,00 zł" in text
    )
    assert "kwota do zwrotu lub zaliczenia na poczet należności (nadpłata) 123,00 zł" in text
    assert "zwracamy przelewem na rachunek, z którego wpłynęła" in text
    assert "Nie dokonuj przelewu na podstawie tej faktury korygującej." in text


def test_a_downward_correction_of_an_unpaid_invoice_lowers_what_is_to_pay(buyer, reader):
    invoice = three_rate_invoice(buyer)
    pay(buyer, "1000.00")  # 730,00 still to pay

    correction = invoice_correct(
        invoice=invoice,
        lines=[LineSpec("Obniżka opłaty", D("-1000.00"), VatRate.STANDARD)],
        reason="Anulowanie opłaty",
        issue_date=dt.date(2026, 3, 20),
    )
    text = reader(correction)

    for payment_item in PAYMENT_SECTION:
        assert payment_item not in text, payment_item
    # 1 230,00 less: 730,00 was still to pay, 500,00 of the money paid becomes credit
    assert "zmniejszenie kwoty pozostającej do zapłaty 730,00 zł" in text
    assert "kwota do zwrotu lub zaliczenia na poczet należności (nadpłata) 500,00 zł" in text
    assert "Nie dokonuj przelewu" in text
