"""Payments and their settlement: assigned invoice first, then oldest due first; partial
payments; overpayment kept as credit; corrections; invariants over random operation sequences."""

from __future__ import annotations

import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.models import Contract
from contracts.services import schedule_generate
from invoices.models import Invoice, InvoiceLine, Payment, PaymentAllocation
from invoices.overview import finance_overview
from invoices.selectors import company_balance
from invoices.services import (
    InvoicingError,
    LineSpec,
    VatRate,
    company_settle,
    invoice_correct,
    invoice_create,
    invoice_issue_buyout,
    invoice_issue_for_fee,
    invoice_issue_for_installment,
    invoice_issue_initial_payment,
    payment_record,
    settlement,
)
from tests.factories import (
    AdditionalFeeFactory,
    CompanyFactory,
    ContractFactory,
    LeasedAssetFactory,
    UserFactory,
)
from tests.invoices.helpers import (
    allocations_of,
    assert_settlement_consistent,
    issue,
    paid,
    rolled_back,
)

D = Decimal
DAY = dt.date(2026, 3, 1)


def pay(company, amount, *, on=DAY, assigned=None) -> Payment:
    return payment_record(
        company=company, amount=D(amount), received_on=on, assigned_invoice=assigned
    )


def lower(invoice, amount) -> Invoice:
    return invoice_correct(
        invoice=invoice,
        lines=[LineSpec("Rabat", -D(amount), VatRate.NOT_SUBJECT)],
        reason="Rabat",
        issue_date=DAY,
    )


# --- oldest due first ---------------------------------------------------------------


@pytest.mark.django_db
def test_payment_settles_the_oldest_due_first_and_leaves_the_rest_partially_paid(company):
    # issued in another order than they fall due: the due date decides
    march = issue(company, "100.00", due=dt.date(2026, 3, 10), issued=dt.date(2026, 1, 5))
    february = issue(company, "200.00", due=dt.date(2026, 2, 10), issued=dt.date(2026, 1, 20))
    late_february = issue(company, "300.00", due=dt.date(2026, 2, 20), issued=dt.date(2026, 1, 10))

    payment = pay(company, "450.00")

    # 450 = 200 (due 10.02) + 250 of 300 (due 20.02); the March invoice gets nothing
    assert allocations_of(february) == [(payment.pk, D("200.00"))]
    assert allocations_of(late_february) == [(payment.pk, D("250.00"))]
    assert allocations_of(march) == []
    for invoice in (february, late_february, march):
        invoice.refresh_from_db()
    assert february.status == Invoice.Status.PAID
    assert late_february.status == Invoice.Status.PARTIALLY_PAID
    assert late_february.amount_due == D("50.00")
    assert march.status == Invoice.Status.UNPAID
    assert payment.unallocated == 0


@pytest.mark.django_db
def test_same_due_date_goes_by_issue_date_then_by_invoice_order(company):
    due = dt.date(2026, 2, 28)
    issued_later = issue(company, "100.00", due=due, issued=dt.date(2026, 2, 14))
    issued_earlier = issue(company, "100.00", due=due, issued=dt.date(2026, 2, 1))
    same_day_first = issue(company, "100.00", due=due, issued=dt.date(2026, 2, 14))

    pay(company, "150.00")

    assert paid(issued_earlier) == D("100.00")
    assert paid(issued_later) == D("50.00")  # lower id than same_day_first
    assert paid(same_day_first) == D("0.00")


@pytest.mark.django_db
def test_later_payments_continue_where_the_earlier_stopped(company):
    first = issue(company, "100.00", due=dt.date(2026, 1, 10))
    second = issue(company, "100.00", due=dt.date(2026, 2, 10))

    p1 = pay(company, "60.00")
    p2 = pay(company, "60.00")
    p3 = pay(company, "80.00")

    assert allocations_of(first) == [(p1.pk, D("60.00")), (p2.pk, D("40.00"))]
    assert allocations_of(second) == [(p2.pk, D("20.00")), (p3.pk, D("80.00"))]
    assert_settlement_consistent(company)


# --- assigned invoice -----------------------------------------------------------------


@pytest.mark.django_db
def test_assigned_invoice_is_paid_first_and_the_rest_goes_oldest_first(company):
    oldest = issue(company, "200.00", due=dt.date(2026, 1, 10))
    newest = issue(company, "100.00", due=dt.date(2026, 3, 10))

    payment = pay(company, "150.00", assigned=newest)

    assert allocations_of(newest) == [(payment.pk, D("100.00"))]
    assert allocations_of(oldest) == [(payment.pk, D("50.00"))]


@pytest.mark.django_db
def test_assigned_payment_smaller_than_the_invoice_stays_there(company):
    oldest = issue(company, "200.00", due=dt.date(2026, 1, 10))
    newest = issue(company, "100.00", due=dt.date(2026, 3, 10))

    pay(company, "40.00", assigned=newest)

    assert paid(newest) == D("40.00")
    assert paid(oldest) == D("0.00")


@pytest.mark.django_db
def test_payment_assigned_to_an_already_paid_invoice_goes_to_the_oldest(company):
    settled = issue(company, "100.00", due=dt.date(2026, 3, 10))
    pay(company, "100.00", assigned=settled)
    oldest = issue(company, "300.00", due=dt.date(2026, 1, 10))

    pay(company, "100.00", assigned=settled)

    assert paid(settled) == D("100.00")
    assert paid(oldest) == D("100.00")


@pytest.mark.django_db
def test_payment_naming_an_upward_correction_pays_the_correction(company):
    oldest = issue(company, "500.00", due=dt.date(2026, 1, 10))
    corrected = issue(company, "100.00", due=dt.date(2026, 2, 10))
    pay(company, "100.00", assigned=corrected)
    raising = invoice_correct(
        invoice=corrected,
        lines=[LineSpec("Dopłata", D("40.00"), VatRate.NOT_SUBJECT)],
        reason="Dopłata",
        issue_date=DAY,
    )

    payment = pay(company, "40.00", assigned=raising)

    assert payment.assigned_invoice == raising  # as the client named it
    assert allocations_of(raising) == [(payment.pk, D("40.00"))]
    assert paid(oldest) == 0
    assert_settlement_consistent(company)


@pytest.mark.django_db
def test_payment_naming_a_downward_correction_goes_to_the_corrected_invoice(company):
    oldest = issue(company, "500.00", due=dt.date(2026, 1, 10))
    corrected = issue(company, "100.00", due=dt.date(2026, 2, 10))
    lowering = lower(corrected, "40.00")

    payment = pay(company, "60.00", assigned=lowering)

    assert allocations_of(corrected) == [(payment.pk, D("60.00"))]
    assert paid(oldest) == 0
    assert_settlement_consistent(company)


@pytest.mark.django_db
def test_payment_assigned_to_another_companys_invoice_is_refused(company, other_company):
    theirs = issue(other_company, "100.00", due=dt.date(2026, 3, 10))
    with pytest.raises(InvoicingError):
        pay(company, "100.00", assigned=theirs)
    assert not Payment.objects.exists()
    assert paid(theirs) == 0


@pytest.mark.django_db
def test_payment_never_settles_another_companys_invoice(company, other_company):
    theirs = issue(other_company, "100.00", due=dt.date(2026, 1, 10))
    payment = pay(company, "100.00")
    assert paid(theirs) == 0
    assert payment.unallocated == D("100.00")


@pytest.mark.django_db
def test_invoice_for_another_companys_contract_is_refused(company, other_company):
    contract = ContractFactory(company=other_company)
    with pytest.raises(InvoicingError):
        invoice_create(
            company=company,
            contract=contract,
            kind=Invoice.Kind.OTHER,
            lines=[LineSpec("x", D("10.00"))],
            issue_date=DAY,
        )
    assert not Invoice.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("amount", ["0", "-5.00", "0.004"])
def test_payment_must_be_positive(company, amount):
    with pytest.raises(InvoicingError):
        pay(company, amount)
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_payment_amount_is_rounded_half_up_to_the_grosz(company):
    assert pay(company, "10.005").amount == D("10.01")


# --- overpayment as credit --------------------------------------------------------------


@pytest.mark.django_db
def test_overpayment_is_kept_and_settles_the_next_invoices_when_issued(company):
    issue(company, "600.00", due=dt.date(2026, 2, 10))
    payment = pay(company, "1000.00")
    assert payment.unallocated == D("400.00")
    assert company_balance(company=company, today=DAY).overpayment == D("400.00")

    next_one = issue(company, "250.00", due=dt.date(2026, 3, 10))
    assert next_one.amount_paid == D("250.00")
    assert next_one.status == Invoice.Status.PAID
    assert allocations_of(next_one) == [(payment.pk, D("250.00"))]

    after = issue(company, "300.00", due=dt.date(2026, 4, 10))
    assert after.amount_paid == D("150.00")
    assert after.status == Invoice.Status.PARTIALLY_PAID
    payment.refresh_from_db()
    assert payment.unallocated == 0
    balance = company_balance(company=company, today=DAY)
    assert (balance.overpayment, balance.not_yet_due, balance.balance) == (
        D("0.00"),
        D("150.00"),
        D("150.00"),
    )


@pytest.mark.django_db
def test_credit_from_several_payments_is_used_in_the_order_received(company):
    early = pay(company, "30.00", on=dt.date(2026, 1, 5))
    late = pay(company, "50.00", on=dt.date(2026, 1, 20))

    invoice = issue(company, "60.00", due=dt.date(2026, 2, 10))

    assert allocations_of(invoice) == [(early.pk, D("30.00")), (late.pk, D("30.00"))]
    late.refresh_from_db()
    assert late.unallocated == D("20.00")


@pytest.mark.django_db
def test_company_settle_applies_credit_and_is_idempotent(company):
    invoice = issue(company, "80.00", due=dt.date(2026, 2, 10))
    payment = pay(company, "100.00")
    assert company_settle(company=company) == 0  # nothing left to do
    assert paid(invoice) == D("80.00")
    payment.refresh_from_db()
    assert payment.unallocated == D("20.00")


# --- corrections --------------------------------------------------------------------------


@pytest.mark.django_db
def test_correction_lowering_a_paid_invoice_releases_credit_to_the_next_liability(company):
    paid_invoice = issue(company, "1000.00", due=dt.date(2026, 1, 10))
    payment = pay(company, "1000.00")
    next_invoice = issue(company, "500.00", due=dt.date(2026, 2, 10))

    correction = lower(paid_invoice, "300.00")

    assert correction.kind == Invoice.Kind.CORRECTION
    assert correction.gross == D("-300.00")
    assert correction.amount_payable == 0
    assert correction.number.startswith("KOR/")
    paid_invoice.refresh_from_db()
    assert (paid_invoice.amount_payable, paid_invoice.amount_paid) == (D("700.00"), D("700.00"))
    assert allocations_of(paid_invoice) == [(payment.pk, D("700.00"))]
    # the 300 released settles the next liability
    assert allocations_of(next_invoice) == [(payment.pk, D("300.00"))]
    payment.refresh_from_db()
    assert payment.unallocated == 0
    assert_settlement_consistent(company)


@pytest.mark.django_db
def test_correction_releases_the_newest_allocations_first(company):
    invoice = issue(company, "1000.00", due=dt.date(2026, 1, 10))
    first = pay(company, "600.00", on=dt.date(2026, 1, 5))
    second = pay(company, "400.00", on=dt.date(2026, 1, 8))

    lower(invoice, "500.00")

    # the second payment's 400 is released whole, then 100 of the first
    assert allocations_of(invoice) == [(first.pk, D("500.00"))]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.unallocated, second.unallocated) == (D("100.00"), D("400.00"))
    balance = company_balance(company=company, today=DAY)
    assert (balance.overpayment, balance.due, balance.balance) == (
        D("500.00"),
        D("0.00"),
        D("-500.00"),
    )
    assert balance.tone == "overpaid"
    assert_settlement_consistent(company)


def standard_invoice(company, net, *, due: dt.date) -> Invoice:
    return invoice_create(
        company=company,
        kind=Invoice.Kind.OTHER,
        lines=[LineSpec("Usługa", D(net), VatRate.STANDARD)],
        issue_date=min(due, dt.date(2026, 1, 1)),
        due_date=due,
    )


@pytest.mark.django_db
def test_an_upward_correction_falls_due_on_its_own_term_not_the_old_due_date(company, settings):
    settings.INVOICE_PAYMENT_TERM_DAYS = 14
    invoice = standard_invoice(company, "1000.00", due=dt.date(2026, 1, 10))
    pay(company, "1230.00")

    correction = invoice_correct(
        invoice=invoice,
        lines=[LineSpec("Dopłata", D("200.00"), VatRate.STANDARD)],
        reason="Błędna cena",
        issue_date=DAY,
    )

    assert (correction.net, correction.vat, correction.gross) == (
        D("200.00"),
        D("46.00"),
        D("246.00"),
    )
    # The increase is the correction's to pay, on the correction's own 14-day term.
    assert correction.due_date == DAY + dt.timedelta(days=14)
    assert (correction.amount_payable, correction.amount_paid) == (D("246.00"), D("0.00"))
    assert correction.status == Invoice.Status.UNPAID
    assert not correction.is_overdue_on(DAY)
    invoice.refresh_from_db()
    assert (invoice.amount_payable, invoice.status) == (D("1230.00"), Invoice.Status.PAID)
    # Not due on the day it is issued, nor the day before its term; overdue the day after.
    on_issue = company_balance(company=company, today=DAY)
    assert (on_issue.due, on_issue.overdue, on_issue.not_yet_due) == (
        D("0.00"),
        D("0.00"),
        D("246.00"),
    )
    assert on_issue.tone == "neutral"
    assert company_balance(company=company, today=correction.due_date).due == D("246.00")
    later = company_balance(company=company, today=correction.due_date + dt.timedelta(days=1))
    assert later.overdue == D("246.00")
    assert correction.is_overdue_on(correction.due_date + dt.timedelta(days=1))
    assert_settlement_consistent(company)


@pytest.mark.django_db
def test_payments_settle_an_upward_correction_by_its_own_due_date(company):
    invoice = issue(company, "100.00", due=dt.date(2026, 1, 10))
    raising = invoice_correct(
        invoice=invoice,
        lines=[LineSpec("Dopłata", D("50.00"), VatRate.NOT_SUBJECT)],
        reason="Dopłata",
        issue_date=DAY,
    )  # due 15.03.2026
    earlier = issue(company, "70.00", due=dt.date(2026, 3, 10))
    later = issue(company, "80.00", due=dt.date(2026, 4, 10))

    pay(company, "250.00")

    # oldest due first: the invoice (10.01), the other one (10.03), the correction (15.03)
    assert [paid(i) for i in (invoice, earlier, raising, later)] == [
        D("100.00"),
        D("70.00"),
        D("50.00"),
        D("30.00"),
    ]
    assert_settlement_consistent(company)


@pytest.mark.django_db
def test_a_downward_correction_cancels_the_newest_increase_first(company):
    invoice = issue(company, "100.00", due=dt.date(2026, 1, 10))
    pay(company, "100.00")
    raising = invoice_correct(
        invoice=invoice,
        lines=[LineSpec("Dopłata", D("50.00"), VatRate.NOT_SUBJECT)],
        reason="Dopłata",
        issue_date=DAY,
    )

    lowering = lower(invoice, "70.00")

    raising.refresh_from_db()
    invoice.refresh_from_db()
    # the unpaid increase goes first (50), then 20 of the paid invoice, released as credit
    assert (raising.amount_payable, raising.amount_paid) == (D("0.00"), D("0.00"))
    assert (invoice.amount_payable, invoice.amount_paid) == (D("80.00"), D("80.00"))
    assert lowering.released_to_credit == D("20.00")
    assert company_balance(company=company, today=DAY).overpayment == D("20.00")
    with pytest.raises(InvoicingError):
        lower(invoice, "80.01")
    assert_settlement_consistent(company)


@pytest.mark.django_db
def test_correction_raising_an_invoice_is_settled_from_existing_credit(company):
    invoice = issue(company, "100.00", due=dt.date(2026, 1, 10))
    payment = pay(company, "150.00")

    correction = invoice_correct(
        invoice=invoice,
        lines=[LineSpec("Dopłata", D("30.00"), VatRate.NOT_SUBJECT)],
        reason="Dopłata",
        issue_date=DAY,
    )

    assert paid(invoice) == D("100.00")
    assert paid(correction) == D("30.00")
    payment.refresh_from_db()
    assert payment.unallocated == D("20.00")


@pytest.mark.django_db
def test_correction_below_zero_is_refused_and_leaves_no_trace(company):
    invoice = issue(company, "100.00", due=dt.date(2026, 1, 10))
    with pytest.raises(InvoicingError):
        lower(invoice, "100.01")
    assert Invoice.objects.count() == 1
    invoice.refresh_from_db()
    assert invoice.amount_payable == D("100.00")
    # no correction number was used up either: the series stays gap-free
    assert lower(invoice, "100.00").number == f"KOR/{DAY:%Y/%m}/000001"
    invoice.refresh_from_db()
    assert invoice.amount_payable == 0
    assert invoice.status == Invoice.Status.PAID  # nothing to pay any more


@pytest.mark.django_db
def test_correction_of_a_correction_and_without_reason_are_refused(company):
    invoice = issue(company, "100.00", due=dt.date(2026, 1, 10))
    correction = lower(invoice, "10.00")
    with pytest.raises(InvoicingError):
        lower(correction, "1.00")
    with pytest.raises(InvoicingError):
        invoice_correct(
            invoice=invoice, lines=[LineSpec("x", D("-1.00"))], reason="  ", issue_date=DAY
        )
    assert Invoice.objects.count() == 2


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


# --- invariants over random sequences of operations ----------------------------------------

amounts = st.integers(1, 3_000_00).map(lambda c: Decimal(c).scaleb(-2))
operations = st.one_of(
    st.tuples(
        st.just("issue"),
        st.integers(0, 1),  # company
        amounts,
        st.integers(0, 60),  # issued this many days after 1.01.2026
        st.integers(0, 45),  # payment term in days
    ),
    st.tuples(st.just("pay"), st.integers(0, 1), amounts),
    st.tuples(st.just("pay_assigned"), st.integers(0, 1), amounts, st.integers(0, 50)),
    st.tuples(
        st.just("correct"),
        st.integers(0, 50),  # which invoice
        st.integers(-2_000_00, 1_000_00).filter(bool).map(lambda c: Decimal(c).scaleb(-2)),
        st.sampled_from([VatRate.NOT_SUBJECT, VatRate.STANDARD]),
    ),
)


def check_company(
    company, charges: Decimal, payments: Decimal, payable: dict, today, *, statuses: bool
) -> None:
    assert_settlement_consistent(company)
    invoices = list(Invoice.objects.filter(company=company))
    for invoice in invoices:
        assert invoice.amount_payable == payable[invoice.pk]
    balance = company_balance(company=company, today=today)
    # balance = what the test itself charged - what it paid in (bookkeeping kept by the test)
    assert (balance.charges, balance.payments) == (charges, payments)
    assert balance.balance == charges - payments
    assert balance.balance == balance.outstanding - balance.overpayment
    assert balance.outstanding == sum(i.amount_payable - i.amount_paid for i in invoices)
    assert balance.overdue == sum(i.amount_due for i in invoices if i.due_date < today)
    assert balance.due == sum(i.amount_due for i in invoices if i.due_date <= today)
    assert balance.not_yet_due == sum(i.amount_due for i in invoices if i.due_date > today)
    assert balance.tone == (
        "debt" if balance.due > 0 else "overpaid" if balance.overpayment > 0 else "neutral"
    )
    if balance.overpayment > 0:
        assert balance.outstanding == 0
    # The dashboard reads the same figures from the outstanding invoices and the payments only.
    overview = finance_overview(user=UserFactory(company=company), today=today)
    assert overview.balance == balance
    overdue = [i for i in invoices if i.is_overdue_on(today)]
    upcoming = [i for i in invoices if i.amount_due > 0 and i.due_date >= today]
    assert (overview.overdue.count, overview.overdue.amount_due) == (
        len(overdue),
        sum((i.amount_due for i in overdue), Decimal(0)),
    )
    assert (overview.upcoming.count, overview.upcoming.amount_due) == (
        len(upcoming),
        sum((i.amount_due for i in upcoming), Decimal(0)),
    )
    by_due = sorted(overdue, key=lambda i: (i.due_date, i.pk))[:5]
    assert [i.pk for i in overview.overdue.invoices] == [i.pk for i in by_due]
    for status in Invoice.Status.values if statuses else ():
        by_query = set(Invoice.objects.filter(company=company).with_status(status, today))
        if status == Invoice.Status.OVERDUE:
            by_invoice = {i for i in invoices if i.is_overdue_on(today)}
        else:
            by_invoice = {i for i in invoices if i.status == status}
        assert by_query == by_invoice, status


@settings(
    deadline=None,
    max_examples=40,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(operations, min_size=1, max_size=18),
    today=st.dates(dt.date(2026, 1, 1), dt.date(2026, 4, 30)),
)
@pytest.mark.django_db
def test_random_sequences_keep_the_books_consistent(steps, today):
    with rolled_back():
        companies = [CompanyFactory(), CompanyFactory()]
        charges = [D("0.00"), D("0.00")]
        payments = [D("0.00"), D("0.00")]
        payable: dict[int, Decimal] = {}  # what the test expects each invoice to owe
        invoices: list[Invoice] = []  # originals and corrections, in issue order
        increases: dict[int, list[int]] = {}  # an invoice's upward corrections, oldest first

        def company_index(invoice: Invoice) -> int:
            return [x.pk for x in companies].index(invoice.company_id)

        for step in steps:
            kind = step[0]
            if kind == "issue":
                _, c, amount, day, term = step
                issued = dt.date(2026, 1, 1) + dt.timedelta(days=day)
                invoice = issue(
                    companies[c], amount, issued=issued, due=issued + dt.timedelta(days=term)
                )
                invoices.append(invoice)
                charges[c] += amount
                payable[invoice.pk] = amount
            elif kind == "pay":
                _, c, amount = step
                pay(companies[c], amount)
                payments[c] += amount
            elif kind == "pay_assigned":
                _, c, amount, pick = step
                if not invoices:
                    continue
                named = invoices[pick % len(invoices)]
                if named.company_id != companies[c].pk:
                    with pytest.raises(InvoicingError):
                        pay(companies[c], amount, assigned=named)
                else:
                    # the named invoice comes first (for a downward correction, which owes
                    # nothing: the invoice it corrects)
                    target = named if named.is_payable else named.corrected_invoice
                    before = paid(target)
                    pay(companies[c], amount, assigned=named)
                    assert paid(target) == min(before + amount, payable[target.pk])
                    payments[c] += amount
            else:
                _, pick, delta, rate = step
                if not invoices:
                    continue
                target = invoices[pick % len(invoices)]
                c = company_index(target)
                line = LineSpec("Korekta", delta, rate)
                gross = delta + line.vat_amount()
                family = [target.pk, *increases.get(target.pk, [])]
                owed = sum(payable[pk] for pk in family)
                # the test's invoices are all outside VAT (np.): a 23 % correction is refused
                if target.is_correction or rate != VatRate.NOT_SUBJECT or owed + gross < 0:
                    with pytest.raises(InvoicingError):
                        invoice_correct(invoice=target, lines=[line], reason="r", issue_date=DAY)
                else:
                    correction = invoice_correct(
                        invoice=target, lines=[line], reason="r", issue_date=DAY
                    )
                    assert correction.gross == gross
                    invoices.append(correction)
                    payable[correction.pk] = max(gross, D("0.00"))
                    if gross > 0:  # payable on its own term
                        increases.setdefault(target.pk, []).append(correction.pk)
                    reduction = -gross
                    for pk in reversed(family):  # the newest increase first, the invoice last
                        cut = min(max(reduction, D(0)), payable[pk])
                        payable[pk] -= cut
                        reduction -= cut
                    charges[c] += gross
            check_company(companies[c], charges[c], payments[c], payable, today, statuses=False)
        for c, company in enumerate(companies):
            check_company(company, charges[c], payments[c], payable, today, statuses=True)


# --- concurrency ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_payments_for_one_company_do_not_double_allocate(monkeypatch):
    company = CompanyFactory()
    invoice = issue(company, "100.00", due=dt.date(2026, 1, 10))

    # Widen the race window: each booking pauses between reading what is open and writing
    # its allocations. With the company row locked the second booking waits for the first.
    allocate = settlement._allocate

    def slow_allocate(payments, invoices):
        time.sleep(0.2)
        return allocate(payments, invoices)

    monkeypatch.setattr(settlement, "_allocate", slow_allocate)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def book():
        try:
            barrier.wait()
            pay(company, "100.00")
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=book) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not errors
    assert Payment.objects.filter(company=company).count() == 2
    assert PaymentAllocation.objects.filter(invoice=invoice).count() == 1
    assert paid(invoice) == D("100.00")
    assert sorted(Payment.objects.values_list("unallocated", flat=True)) == [
        D("0.00"),
        D("100.00"),
    ]
    assert_settlement_consistent(company)


def test_line_spec_vat_amounts():
    assert LineSpec("x", D("100.00")).vat_amount() == D("23.00")
    assert LineSpec("x", D("0.02")).vat_amount() == D("0.00")  # 0.0046
    assert LineSpec("x", D("0.03")).vat_amount() == D("0.01")  # 0.0069
    assert LineSpec("x", D("-243.90")).vat_amount() == D("-56.10")  # -56.097
    assert LineSpec("x", D("100.00"), VatRate.EXEMPT).vat_amount() == D("0.00")
    assert LineSpec("x", D("0"), VatRate.STANDARD, vat=D("2300")).vat_amount() == D("2300.00")
    assert InvoiceLine.VatRate.NOT_SUBJECT == "np"
