"""Settlement invariants over random sequences of payments, invoices and corrections, and
concurrent payments for one company."""

from __future__ import annotations

import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from invoices.models import Invoice, InvoiceLine, Payment, PaymentAllocation
from invoices.overview import finance_overview
from invoices.selectors import company_balance
from invoices.services import (
    InvoicingError,
    LineSpec,
    VatRate,
    invoice_correct,
    settlement,
)
from tests.factories import (
    CompanyFactory,
    UserFactory,
)
from tests.invoices.helpers import (
    DAY,
    assert_settlement_consistent,
    issue,
    paid,
    pay,
    rolled_back,
)

D = Decimal


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
