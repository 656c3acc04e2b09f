"""Payments booked for a company and allocated to its invoices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Company
from ebok.datacache import company_data_changed
from ebok.money import ZERO, to_money

from ..models import (
    Invoice,
    Payment,
    PaymentAllocation,
)
from .issuing import InvoicingError
from .settlement import _allocate, _lock_company, _settle


@transaction.atomic
def payment_record(
    *,
    company: Company,
    amount: Decimal,
    received_on: dt.date,
    title: str = "",
    bank_reference: str = "",
    assigned_invoice: Invoice | None = None,
) -> Payment:
    """Book incoming money: the invoice the client named first, then the oldest due first."""
    amount = to_money(amount)
    if amount <= 0:
        raise InvoicingError(_("Kwota wpłaty musi być dodatnia."))
    company = _lock_company(company)
    if assigned_invoice is not None and assigned_invoice.company_id != company.pk:
        raise InvoicingError(_("Wskazana faktura należy do innej firmy."))
    payment = Payment.objects.create(
        company=company,
        amount=amount,
        received_on=received_on,
        title=title,
        bank_reference=bank_reference,
        assigned_invoice=assigned_invoice,
        unallocated=amount,
    )
    if assigned_invoice is not None:
        # A downward correction owes nothing itself: money named for it goes to the invoice it
        # corrects. An upward correction is payable on its own and takes the money itself.
        target_pk = (
            assigned_invoice.pk
            if assigned_invoice.is_payable
            else assigned_invoice.corrected_invoice_id
        )
        target = Invoice.objects.select_for_update().get(pk=target_pk)
        _allocate([payment], [target])
    _settle(company)
    company_data_changed(company.pk)
    payment.refresh_from_db()
    return payment


@transaction.atomic
def payment_record_allocated(
    *,
    company: Company,
    amount: Decimal,
    received_on: dt.date,
    allocations: Iterable[tuple[Invoice, Decimal]],
    title: str = "",
    bank_reference: str = "",
) -> Payment:
    """Book incoming money as the core system allocated it (FEED_PAYMENT_ALLOCATION = "core"):
    exactly those amounts to those invoices; what is left stays as credit."""
    amount = to_money(amount)
    if amount <= 0:
        raise InvoicingError(_("Kwota wpłaty musi być dodatnia."))
    company = _lock_company(company)
    allocations = [(invoice, to_money(part)) for invoice, part in allocations]
    if sum((part for _invoice, part in allocations), ZERO) > amount:
        raise InvoicingError(_("Rozliczenia przekraczają kwotę wpłaty."))
    payment = Payment.objects.create(
        company=company,
        amount=amount,
        received_on=received_on,
        title=title,
        bank_reference=bank_reference,
        unallocated=amount,
    )
    locked = {
        invoice.pk: invoice
        for invoice in Invoice.objects.select_for_update().filter(
            pk__in=[invoice.pk for invoice, _part in allocations]
        )
    }
    rows = []
    for invoice, part in allocations:
        target = locked[invoice.pk]
        if target.company_id != company.pk:
            raise InvoicingError(_("Wskazana faktura należy do innej firmy."))
        if part <= 0 or part > target.amount_due:
            raise InvoicingError(
                _("Faktura %(number)s ma do zapłaty %(due)s, rozliczenie: %(amount)s.")
                % {"number": target.number, "due": target.amount_due, "amount": part}
            )
        target.amount_paid += part
        payment.unallocated -= part
        rows.append(PaymentAllocation(payment=payment, invoice=target, amount=part))
    PaymentAllocation.objects.bulk_create(rows)
    Invoice.objects.bulk_update(locked.values(), ["amount_paid"], batch_size=500)
    payment.save(update_fields=["unallocated"])
    company_data_changed(company.pk)
    return payment
