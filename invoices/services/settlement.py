"""Settlement: a company's credit applied to its outstanding invoices, oldest due first.

Every write that moves money for a company first locks the company's row, so settlements of
one company never interleave."""

from __future__ import annotations

from django.db import transaction

from accounts.models import Company
from ebok.datacache import company_data_changed

from ..models import (
    Invoice,
    Payment,
    PaymentAllocation,
)


def _lock_company(company: Company) -> Company:
    return Company.objects.select_for_update().get(pk=company.pk)


@transaction.atomic
def company_settle(*, company: Company) -> int:
    """Apply any credit to outstanding invoices, oldest due first. Returns allocations made."""
    allocations = _settle(_lock_company(company))
    company_data_changed(company.pk)
    return allocations


def _settle(company: Company) -> int:
    credits = list(
        Payment.objects.select_for_update()
        .filter(company=company, unallocated__gt=0)
        .order_by("received_on", "id")
    )
    if not credits:
        return 0
    invoices = list(
        Invoice.objects.select_for_update()
        .filter(company=company, outstanding_amount__gt=0)
        .order_by("due_date", "issue_date", "id")
    )
    return _allocate(credits, invoices)


def _allocate(payments: list[Payment], invoices: list[Invoice]) -> int:
    """Greedy allocation of the payments' unallocated money to the invoices, in the given order."""
    allocations = []
    touched_payments: dict[int, Payment] = {}
    touched_invoices: dict[int, Invoice] = {}
    payment_iter = iter(payments)
    payment = next(payment_iter, None)
    for invoice in invoices:
        while payment is not None and invoice.amount_due > 0:
            if payment.unallocated <= 0:
                payment = next(payment_iter, None)
                continue
            amount = min(payment.unallocated, invoice.amount_due)
            allocations.append(PaymentAllocation(payment=payment, invoice=invoice, amount=amount))
            payment.unallocated -= amount
            invoice.amount_paid += amount
            touched_payments[payment.pk] = payment
            touched_invoices[invoice.pk] = invoice
        if payment is None:
            break
    PaymentAllocation.objects.bulk_create(allocations)
    Payment.objects.bulk_update(touched_payments.values(), ["unallocated"], batch_size=500)
    Invoice.objects.bulk_update(touched_invoices.values(), ["amount_paid"], batch_size=500)
    return len(allocations)


def payments_allocate(*, payments: list[Payment], invoices: list[Invoice]) -> int:
    """Allocate the payments' unallocated money to the invoices in the given order (both locked
    by the caller, in its transaction); the allocation rows and amounts are written. Returns the
    number of allocations made. The public entry for bulk writers (the core-system feed)."""
    return _allocate(payments, invoices)
