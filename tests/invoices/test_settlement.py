"""Payments and their settlement: assigned invoice first, then oldest due first; partial
payments; overpayment kept as credit; corrections. (Issuing the invoices is in
test_invoicing.py; invariants over random operation sequences and concurrency in
test_settlement_invariants.py.)"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from invoices.models import Invoice, Payment
from invoices.selectors import company_balance
from invoices.services import (
    InvoicingError,
    LineSpec,
    VatRate,
    company_settle,
    invoice_correct,
    invoice_create,
)
from tests.factories import (
    ContractFactory,
)
from tests.invoices.helpers import (
    DAY,
    allocations_of,
    assert_settlement_consistent,
    issue,
    lower,
    paid,
    pay,
)

D = Decimal


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
