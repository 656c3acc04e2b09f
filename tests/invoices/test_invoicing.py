"""Invoices issued for the schedule, the initial payment, the buyout and fees: their lines, VAT and
how existing credit settles them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from contracts.models import Contract
from contracts.services import schedule_generate
from invoices.models import Invoice
from invoices.selectors import company_balance
from invoices.services import (
    InvoicingError,
    invoice_issue_buyout,
    invoice_issue_for_fee,
    invoice_issue_for_installment,
    invoice_issue_initial_payment,
)
from tests.factories import (
    AdditionalFeeFactory,
    ContractFactory,
    LeasedAssetFactory,
)
from tests.invoices.helpers import (
    assert_settlement_consistent,
    pay,
)

D = Decimal


# --- invoices for the schedule, initial payment, buyout, fees ----------------------------


def small_contract(kind, company, **overrides):
    """The 3-installment lease worked out by hand in tests/contracts/test_schedule.py."""
    contract = ContractFactory(hand_worked=True, kind=kind, company=company, **overrides)
    schedule_generate(contract=contract)
    return contract


def lines_of(invoice):
    return list(invoice.lines.order_by("position").values_list("vat_rate", "net", "vat", "gross"))


@pytest.mark.django_db
def test_operating_installment_invoice_carries_23_percent_vat(company):
    contract = small_contract(Contract.Kind.OPERATING, company)
    installment = contract.installments.get(number=1)

    invoice = invoice_issue_for_installment(
        installment=installment, issue_date=dt.date(2024, 2, 20)
    )

    # installment 1 of the hand-computed schedule: net 2070.13, VAT 476.13, gross 2546.26
    assert lines_of(invoice) == [("23", D("2070.13"), D("476.13"), D("2546.26"))]
    assert (invoice.gross, invoice.amount_payable) == (D("2546.26"), D("2546.26"))
    assert invoice.due_date == dt.date(2024, 2, 29)
    assert invoice.sale_date == dt.date(2024, 2, 29)
    installment.refresh_from_db()
    assert installment.invoice == invoice
    with pytest.raises(InvoicingError):
        invoice_issue_for_installment(installment=installment)


@pytest.mark.django_db
def test_financial_installment_invoice_has_no_vat(company):
    contract = small_contract(Contract.Kind.FINANCIAL, company)
    invoice = invoice_issue_for_installment(
        installment=contract.installments.get(number=1), issue_date=dt.date(2024, 2, 20)
    )
    # capital outside VAT, interest exempt
    assert lines_of(invoice) == [
        ("np", D("1980.13"), D("0.00"), D("1980.13")),
        ("zw", D("90.00"), D("0.00"), D("90.00")),
    ]
    assert (invoice.net, invoice.vat, invoice.gross) == (D("2070.13"), D("0.00"), D("2070.13"))


@pytest.mark.django_db
def test_initial_payment_invoices(company):
    operating = small_contract(Contract.Kind.OPERATING, company)
    financial = small_contract(Contract.Kind.FINANCIAL, company)
    LeasedAssetFactory(contract=financial, serial_number="TMBJG7NE0L0000042")

    op = invoice_issue_initial_payment(contract=operating)
    fin = invoice_issue_initial_payment(contract=financial)

    # operating: 1 000.00 + 23 % = 1 230.00
    assert lines_of(op) == [("23", D("1000.00"), D("230.00"), D("1230.00"))]
    assert op.amount_payable == D("1230.00")
    # financial: the asset at its whole net value with 23 % VAT: 10 000.00 + 2 300.00
    assert lines_of(fin) == [("23", D("10000.00"), D("2300.00"), D("12300.00"))]
    assert "Samochód osobowy Škoda Octavia Combi 2.0 TDI, VIN TMBJG7NE0L0000042" in (
        fin.lines.get().description
    )
    # ... of which the initial payment and the VAT are payable now, the rest by the schedule
    assert (fin.settled_by_schedule, fin.amount_payable) == (D("9000.00"), D("3300.00"))
    assert op.due_date == dt.date(2024, 2, 7)  # start 31.01 + 7 days


@pytest.mark.django_db
def test_a_financial_lease_charges_the_asset_price_once(company):
    """Handover + installments + buyout = net value + VAT on it + interest, to the grosz."""
    contract = small_contract(Contract.Kind.FINANCIAL, company)
    LeasedAssetFactory(contract=contract)

    invoice_issue_initial_payment(contract=contract)
    for installment in contract.installments.order_by("number"):
        invoice_issue_for_installment(installment=installment)
    invoice_issue_buyout(contract=contract)

    interest = sum(i.interest for i in contract.installments.all())
    expected = contract.net_value + contract.asset_vat + interest  # 10 000 + 2 300 + interest
    balance = company_balance(company=company, today=dt.date(2030, 1, 1))
    assert balance.charges == expected
    assert balance.due == expected  # all of it owed, nothing twice
    assert sum(i.amount_payable for i in Invoice.objects.filter(company=company)) == expected
    pay(company, str(expected))
    balance = company_balance(company=company, today=dt.date(2030, 1, 1))
    assert (balance.balance, balance.due, balance.overpayment) == (0, 0, 0)
    assert_settlement_consistent(company)


@pytest.mark.django_db
def test_a_financial_lease_without_an_asset_gets_no_handover_invoice(company):
    contract = small_contract(Contract.Kind.FINANCIAL, company)
    with pytest.raises(InvoicingError, match="nie ma przedmiotu leasingu"):
        invoice_issue_initial_payment(contract=contract)
    assert not Invoice.objects.exists()


@pytest.mark.django_db
def test_several_assets_are_itemised_when_their_values_add_up(company):
    contract = small_contract(Contract.Kind.FINANCIAL, company)
    LeasedAssetFactory(contract=contract, net_value=D("3333.50"))
    LeasedAssetFactory(contract=contract, net_value=D("6666.50"))

    invoice = invoice_issue_initial_payment(contract=contract)

    # per line 766.71 + 1 533.30 would be 2 300.01: the VAT is that of the whole value
    assert lines_of(invoice) == [
        ("23", D("3333.50"), D("766.71"), D("4100.21")),
        ("23", D("6666.50"), D("1533.29"), D("8199.79")),
    ]
    assert (invoice.vat, invoice.amount_payable) == (D("2300.00"), D("3300.00"))


@pytest.mark.django_db
def test_initial_payment_and_buyout_are_invoiced_once(company):
    contract = small_contract(Contract.Kind.OPERATING, company)
    invoice_issue_initial_payment(contract=contract)
    invoice_issue_buyout(contract=contract)
    with pytest.raises(InvoicingError):
        invoice_issue_initial_payment(contract=contract)
    with pytest.raises(InvoicingError):
        invoice_issue_buyout(contract=contract)
    assert contract.invoices.count() == 2


@pytest.mark.django_db
def test_nothing_to_invoice_is_refused(company):
    no_initial = small_contract(Contract.Kind.OPERATING, company, initial_payment=D("0.00"))
    no_buyout = small_contract(Contract.Kind.FINANCIAL, company, buyout_value=D("0.00"))
    with pytest.raises(InvoicingError):
        invoice_issue_initial_payment(contract=no_initial)
    with pytest.raises(InvoicingError):
        invoice_issue_buyout(contract=no_buyout)
    assert not Invoice.objects.exists()
    # the handover invoice of the lease without buyout is unaffected
    LeasedAssetFactory(contract=no_buyout)
    handover = invoice_issue_initial_payment(contract=no_buyout)
    assert (handover.gross, handover.amount_payable) == (D("12300.00"), D("3300.00"))


@pytest.mark.django_db
def test_buyout_invoices(company):
    operating = small_contract(Contract.Kind.OPERATING, company)
    financial = small_contract(Contract.Kind.FINANCIAL, company)
    # operating: 3 000.00 + 690.00 VAT; financial: VAT was paid on the whole asset at handover
    assert lines_of(invoice_issue_buyout(contract=operating)) == [
        ("23", D("3000.00"), D("690.00"), D("3690.00"))
    ]
    assert lines_of(invoice_issue_buyout(contract=financial)) == [
        ("np", D("3000.00"), D("0.00"), D("3000.00"))
    ]


@pytest.mark.django_db
def test_fee_invoice_uses_the_fee_amounts_and_credit(company):
    contract = small_contract(Contract.Kind.OPERATING, company)
    fee = AdditionalFeeFactory(contract=contract)
    pay(company, "200.00")

    invoice = invoice_issue_for_fee(fee=fee)

    assert lines_of(invoice) == [("23", D("100.00"), D("23.00"), D("123.00"))]
    assert invoice.status == Invoice.Status.PAID  # settled from the credit at once
    with pytest.raises(InvoicingError):
        invoice_issue_for_fee(fee=fee)
