"""Company balance (saldo) split by due date, invoice status and overdue flag, tile tone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from invoices.models import Invoice
from invoices.selectors import Balance, company_balance
from invoices.services import payment_record
from tests.invoices.helpers import issue

D = Decimal
TODAY = dt.date(2026, 3, 15)

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(company):
    """Four invoices around TODAY (15.03.2026), two payments named by the client:
    overdue   100.00 due 10.03, unpaid
    today     200.00 due 15.03, 50.00 paid
    future    400.00 due 10.04, unpaid
    settled   300.00 due 10.02, paid in full"""
    invoices = {
        "overdue": issue(company, "100.00", due=dt.date(2026, 3, 10)),
        "today": issue(company, "200.00", due=TODAY),
        "future": issue(company, "400.00", due=dt.date(2026, 4, 10)),
        "settled": issue(company, "300.00", due=dt.date(2026, 2, 10)),
    }
    payment_record(
        company=company,
        amount=D("300.00"),
        received_on=dt.date(2026, 2, 9),
        assigned_invoice=invoices["settled"],
    )
    payment_record(
        company=company,
        amount=D("50.00"),
        received_on=dt.date(2026, 3, 12),
        assigned_invoice=invoices["today"],
    )
    for invoice in invoices.values():
        invoice.refresh_from_db()
    return invoices


def test_balance_splits_due_overdue_and_not_yet_due(company, books):
    balance = company_balance(company=company, today=TODAY)

    # charges 100 + 200 + 400 + 300 = 1 000; payments 300 + 50 = 350
    assert balance == Balance(
        charges=D("1000.00"),
        payments=D("350.00"),
        due=D("250.00"),  # 100 overdue + 150 left of the one due today
        overdue=D("100.00"),
        not_yet_due=D("400.00"),
        overpayment=D("0.00"),
    )
    assert balance.balance == D("650.00")
    assert balance.outstanding == D("650.00")
    assert balance.tone == "debt"


def test_the_day_after_the_due_date_the_rest_is_overdue(company, books):
    balance = company_balance(company=company, today=TODAY + dt.timedelta(days=1))
    assert (balance.due, balance.overdue, balance.not_yet_due) == (
        D("250.00"),
        D("250.00"),
        D("400.00"),
    )


def test_before_anything_is_due_the_tile_is_neutral(company, books):
    balance = company_balance(company=company, today=dt.date(2026, 3, 9))
    assert (balance.due, balance.overdue, balance.not_yet_due) == (
        D("0.00"),
        D("0.00"),
        D("650.00"),
    )
    assert balance.balance == D("650.00")
    assert balance.tone == "neutral"


def test_statuses_and_overdue_flag(books):
    assert {name: (i.status, i.is_overdue_on(TODAY)) for name, i in books.items()} == {
        "overdue": (Invoice.Status.UNPAID, True),
        "today": (Invoice.Status.PARTIALLY_PAID, False),  # due today is not late yet
        "future": (Invoice.Status.UNPAID, False),
        "settled": (Invoice.Status.PAID, False),  # past its due date but paid
    }
    assert books["today"].amount_due == D("150.00")
    assert books["today"].get_status_display() == "częściowo zapłacona"


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (Invoice.Status.PAID, {"settled"}),
        (Invoice.Status.UNPAID, {"overdue", "future"}),
        (Invoice.Status.PARTIALLY_PAID, {"today"}),
        (Invoice.Status.OVERDUE, {"overdue"}),
    ],
)
def test_with_status_matches_the_per_invoice_status(company, books, status, expected):
    names = {invoice.pk: name for name, invoice in books.items()}
    found = Invoice.objects.filter(company=company).with_status(status, TODAY)
    assert {names[i.pk] for i in found} == expected
    per_invoice = {
        name
        for name, i in books.items()
        if (i.is_overdue_on(TODAY) if status == Invoice.Status.OVERDUE else i.status == status)
    }
    assert per_invoice == expected


def test_partially_paid_invoice_past_due_is_overdue(company, books):
    later = TODAY + dt.timedelta(days=1)
    overdue = Invoice.objects.filter(company=company).with_status(Invoice.Status.OVERDUE, later)
    assert set(overdue) == {books["overdue"], books["today"]}
    assert books["today"].is_overdue_on(later)


def test_other_companies_do_not_count(company, other_company, books):
    issue(other_company, "999.00", due=dt.date(2026, 1, 1))
    payment_record(company=other_company, amount=D("5000.00"), received_on=TODAY)
    assert company_balance(company=company, today=TODAY).balance == D("650.00")
    other = company_balance(company=other_company, today=TODAY)
    assert (other.charges, other.payments, other.overpayment) == (
        D("999.00"),
        D("5000.00"),
        D("4001.00"),
    )


def test_empty_account_is_neutral_zero(company):
    balance = company_balance(company=company, today=TODAY)
    assert balance == Balance(*(D("0.00"),) * 6)
    assert balance.tone == "neutral"


def test_overpaid_account(company):
    issue(company, "100.00", due=dt.date(2026, 3, 1))
    payment_record(company=company, amount=D("250.00"), received_on=TODAY)

    balance = company_balance(company=company, today=TODAY)

    assert (balance.due, balance.outstanding, balance.overpayment, balance.balance) == (
        D("0.00"),
        D("0.00"),
        D("150.00"),
        D("-150.00"),
    )
    assert balance.tone == "overpaid"


def test_everything_paid_exactly_is_neutral(company):
    issue(company, "100.00", due=dt.date(2026, 3, 1))
    payment_record(company=company, amount=D("100.00"), received_on=TODAY)
    balance = company_balance(company=company, today=TODAY)
    assert (balance.balance, balance.tone) == (D("0.00"), "neutral")


def test_tone_debt_wins_over_anything_else():
    owes_now = Balance(
        charges=D("100"),
        payments=D("0"),
        due=D("0.01"),
        overdue=D("0"),
        not_yet_due=D("99.99"),
        overpayment=D("0"),
    )
    assert owes_now.tone == "debt"
