"""Helpers for the settlement and balance tests."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from invoices.models import Invoice, Payment, PaymentAllocation
from invoices.services import LineSpec, VatRate, invoice_correct, invoice_create, payment_record

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


def issue(company, gross, *, due: dt.date, issued: dt.date | None = None) -> Invoice:
    """An invoice for `gross` (one line outside VAT, so net = gross) due on `due`."""
    return invoice_create(
        company=company,
        kind=Invoice.Kind.OTHER,
        lines=[LineSpec("Usługa", D(gross), VatRate.NOT_SUBJECT)],
        issue_date=issued or min(due, dt.date(2026, 1, 1)),
        due_date=due,
    )


def allocations_of(invoice: Invoice) -> list[tuple[int, Decimal]]:
    """(payment id, amount) of the allocations to `invoice`, in the order they were made."""
    return list(invoice.allocations.order_by("id").values_list("payment_id", "amount"))


def paid(invoice: Invoice) -> Decimal:
    invoice.refresh_from_db()
    return invoice.amount_paid


@contextmanager
def rolled_back():
    """Run a hypothesis example in its own savepoint and undo it afterwards."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _totals(queryset, key: str, field: str) -> dict[int, Decimal]:
    """{key: sum of field} in one query."""
    return dict(queryset.order_by().values_list(key).annotate(total=Sum(field)))


def assert_settlement_consistent(company) -> None:
    """What the allocations say, the denormalized fields say, and no limit is exceeded."""
    allocations = PaymentAllocation.objects.filter(payment__company=company)
    by_payment = _totals(allocations, "payment", "amount")
    by_invoice = _totals(allocations, "invoice", "amount")
    corrections = _totals(
        Invoice.objects.filter(company=company, corrected_invoice__isnull=False),
        "corrected_invoice",
        "gross",
    )
    # what the invoice and its upward corrections still owe together
    family_payable = _totals(
        Invoice.objects.filter(company=company, corrected_invoice__isnull=False, gross__gt=0),
        "corrected_invoice",
        "amount_payable",
    )
    for payment in Payment.objects.filter(company=company):
        assert by_payment.get(payment.pk, 0) + payment.unallocated == payment.amount, payment
        assert D(0) <= payment.unallocated <= payment.amount
    for invoice in Invoice.objects.filter(company=company):
        assert by_invoice.get(invoice.pk, 0) == invoice.amount_paid, invoice
        assert D(0) <= invoice.amount_paid <= invoice.amount_payable, invoice
        if invoice.is_correction:
            # a downward correction owes nothing, an upward one at most its increase
            assert invoice.amount_payable <= max(invoice.gross, D(0)), invoice
            assert invoice.released_to_credit <= max(-invoice.gross, D(0)), invoice
        else:
            # the family owes the invoice's gross (less the price the schedule charges) plus
            # every correction's gross
            expected = invoice.gross - invoice.settled_by_schedule + corrections.get(invoice.pk, 0)
            owed = invoice.amount_payable + family_payable.get(invoice.pk, 0)
            assert owed == expected, invoice
            assert invoice.amount_payable <= invoice.gross - invoice.settled_by_schedule, invoice
    # allocations never cross companies
    assert not allocations.exclude(invoice__company=company).exists()
