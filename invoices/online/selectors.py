"""Reads of online payments, scoped like every invoice read (invoices.selectors.visible_invoices):
another company's order or invoice is 404, a restricted user sees their contracts' invoices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, QuerySet
from django.shortcuts import get_object_or_404

from ebok.datacache import company_cached
from ebok.money import ZERO

from ..models import Invoice
from ..selectors import user_sees_all_contracts, visibility_scope, visible_invoices
from .models import PaymentOrder, PaymentOrderItem

SCOPE_OVERDUE = "overdue"
SCOPE_ALL = "all"


def _in_settlement_items(user) -> QuerySet[PaymentOrderItem]:
    """Items of paid orders whose invoice is still unpaid: money on its way. Once the real
    payment settles the invoice the item stops counting, so nothing is counted twice."""
    return PaymentOrderItem.objects.filter(
        order__status=PaymentOrder.Status.PAID,
        invoice__in=visible_invoices(user=user).filter(amount_payable__gt=F("amount_paid")),
    )


def in_settlement(*, user, invoice_ids: Iterable[int] | None = None) -> dict[int, Decimal]:
    """{invoice id: the amount in settlement}, never more than the invoice still owes. One query."""
    items = _in_settlement_items(user)
    if invoice_ids is not None:
        items = items.filter(invoice_id__in=list(invoice_ids))
    pending: dict[int, Decimal] = {}
    rows = items.values_list(
        "invoice_id", "amount", "invoice__amount_payable", "invoice__amount_paid"
    )
    for invoice_id, amount, payable, paid in rows:
        pending[invoice_id] = min(pending.get(invoice_id, ZERO) + amount, payable - paid)
    return pending


@dataclass(frozen=True)
class InSettlement:
    amounts: dict[int, Decimal]
    numbers: list[str]
    overdue: Decimal  # the part of `total` paid for invoices past their due date

    @property
    def total(self) -> Decimal:
        return sum(self.amounts.values(), ZERO)


def in_settlement_summary(*, user, today: dt.date) -> InSettlement:
    """What the client paid online and the lessor has not yet booked: the amounts and the
    invoice numbers (for the dashboard and the list's note). Two queries."""
    amounts = in_settlement(user=user)
    rows = Invoice.objects.filter(pk__in=list(amounts)).order_by("due_date", "pk")
    numbers, overdue = [], ZERO
    for pk, number, due_date in rows.values_list("pk", "number", "due_date"):
        numbers.append(number)
        if due_date < today:
            overdue += amounts[pk]
    return InSettlement(amounts=amounts, numbers=numbers, overdue=overdue)


def cached_in_settlement_summary(*, user, today: dt.date) -> InSettlement:
    """`in_settlement_summary` once per data version of the company (an order's payment and
    its settlement mark the company's data changed), day and scope."""
    key = f"in_settlement:{visibility_scope(user)}:{today.isoformat()}"
    return company_cached(
        user.company_id, key, lambda: in_settlement_summary(user=user, today=today)
    )


def payable_invoices(
    *, user, today: dt.date, ids: Iterable[int] | None = None, scope: str = ""
) -> list[Invoice]:
    """The invoices the client may pay now: visible, unpaid and not already paid online (in
    settlement); the ticked ones (`ids`), the overdue ones or every unpaid one."""
    invoices = visible_invoices(user=user).filter(amount_payable__gt=F("amount_paid"))
    if ids is not None:
        invoices = invoices.filter(pk__in=list(ids))
    elif scope == SCOPE_OVERDUE:
        invoices = invoices.filter(due_date__lt=today)
    elif scope != SCOPE_ALL:
        return []
    invoices = invoices.exclude(pk__in=_in_settlement_items(user).values("invoice_id"))
    return list(invoices.select_related("contract").order_by("due_date", "issue_date", "pk"))


def visible_orders(*, user) -> QuerySet[PaymentOrder]:
    orders = PaymentOrder.objects.filter(company_id=user.company_id)
    if not user_sees_all_contracts(user):
        orders = orders.filter(user=user)
    return orders


def get_order_for_user(*, user, public_id) -> PaymentOrder:
    return get_object_or_404(visible_orders(user=user), public_id=public_id)


def order_items(order: PaymentOrder) -> list[PaymentOrderItem]:
    return list(order.items.select_related("invoice").order_by("invoice__due_date", "invoice_id"))
