"""Reads of online payments, scoped like every invoice read (invoices.selectors.visible_invoices):
another company's order or invoice is 404, a restricted user sees their contracts' invoices."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.aggregates import StringAgg
from django.db import connection
from django.db.models import (
    BigIntegerField,
    CharField,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Cast, Concat
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
    # From the company's paid orders (a handful) to their invoices, not the other way round:
    # starting from the company's outstanding invoices cost the cold dashboard ~4 ms.
    items = PaymentOrderItem.objects.filter(
        order__company_id=user.company_id,
        order__status=PaymentOrder.Status.PAID,
        invoice__outstanding_amount__gt=0,
    )
    if not user_sees_all_contracts(user):
        items = items.filter(invoice__in=visible_invoices(user=user))
    return items


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


# The checkout lists at most this many of the chosen invoices (the oldest due first); the rest
# is counted and linked to the invoice list, so the page stays small whatever the balance.
CHECKOUT_ROWS = 20
# At most this many ticked invoices in one selection (the list shows 25 a page).
MAX_TICKED = 200
PAYABLE_ORDER = ("due_date", "issue_date", "pk")


def _payable(*, user, today: dt.date, ids: Iterable[int] | None, scope: str) -> QuerySet | None:
    """The invoices the client may pay now: visible, unpaid and not already paid online (in
    settlement); the ticked ones (`ids`), the overdue ones or every unpaid one."""
    invoices = visible_invoices(user=user).filter(outstanding_amount__gt=0)
    if ids is not None:
        invoices = invoices.filter(pk__in=list(ids))
    elif scope == SCOPE_OVERDUE:
        invoices = invoices.filter(due_date__lt=today)
    elif scope != SCOPE_ALL:
        return None
    return invoices.exclude(pk__in=_in_settlement_items(user).values("invoice_id"))


def payable_invoices(
    *, user, today: dt.date, ids: Iterable[int] | None = None, scope: str = ""
) -> list[Invoice]:
    """Every invoice of the selection (see `_payable`), the oldest due first. One query."""
    invoices = _payable(user=user, today=today, ids=ids, scope=scope)
    if invoices is None:
        return []
    return list(invoices.select_related("contract").order_by(*PAYABLE_ORDER))


def selection_digest(rows: Iterable[tuple[int, int]]) -> str:
    """A fingerprint of (invoice id, grosz due) pairs, sorted by id: equal only for the same
    invoices owing the same amounts. The database computes the same (`payable_selection`)."""
    joined = ",".join(f"{pk}:{grosz}" for pk, grosz in sorted(rows))
    return hashlib.md5(joined.encode(), usedforsecurity=False).hexdigest()


def invoices_digest(invoices: Iterable[Invoice]) -> str:
    return selection_digest((i.pk, int(i.amount_due * 100)) for i in invoices)


@dataclass(frozen=True)
class Selection:
    """What a checkout shows: the count and total of the chosen invoices, a fingerprint of
    them (to check at order time that the order is what was shown) and the first few rows."""

    count: int
    total: Decimal
    digest: str
    first: list[Invoice]

    @property
    def more(self) -> int:
        return self.count - len(self.first)

    @property
    def within_limit(self) -> bool:
        return self.total <= settings.ONLINE_PAYMENT_MAX_AMOUNT


def payable_selection(
    *,
    user,
    today: dt.date,
    ids: Iterable[int] | None = None,
    scope: str = "",
    rows: int = CHECKOUT_ROWS,
) -> Selection | None:
    """The selection's count, total and fingerprint (one aggregate query) and its first `rows`
    invoices, the oldest due first (one query); None when nothing of it is payable."""
    invoices = _payable(user=user, today=today, ids=ids, scope=scope)
    if invoices is None:
        return None
    due = ExpressionWrapper(F("amount_payable") - F("amount_paid"), output_field=DecimalField())
    grosz = Cast(due * 100, BigIntegerField())
    pair = Concat(Cast("pk", CharField()), Value(":"), Cast(grosz, CharField()))
    if connection.vendor == "postgresql":
        figures = invoices.aggregate(
            count=Count("pk"),
            total=Sum(due),
            pairs=StringAgg(pair, delimiter=",", order_by=("pk",)),
        )
    else:  # the embedded SQLite default (no STRING_AGG): the same text, joined here
        pairs = list(invoices.order_by("pk").values_list("pk", "amount_payable", "amount_paid"))
        figures = {
            "count": len(pairs),
            "total": sum((payable - paid for _pk, payable, paid in pairs), ZERO),
            "pairs": ",".join(f"{pk}:{int((payable - paid) * 100)}" for pk, payable, paid in pairs),
        }
    if not figures["count"]:
        return None
    digest = hashlib.md5(figures["pairs"].encode(), usedforsecurity=False).hexdigest()
    first = (
        list(invoices.select_related("contract").order_by(*PAYABLE_ORDER)[:rows]) if rows else []
    )
    return Selection(count=figures["count"], total=figures["total"], digest=digest, first=first)


# The most invoice numbers a transfer title (32 characters) can hold: "1 2 3 …".
TITLE_ROWS = 16


@dataclass(frozen=True)
class ScopeFigures:
    """A dashboard scope's count, total and first invoice numbers (for its transfer title)."""

    count: int
    total: Decimal
    numbers: list[str]


def cached_scope_figures(*, user, today: dt.date) -> dict[str, ScopeFigures]:
    """The count, total and first invoice numbers of the dashboard's scopes ("overdue", "all";
    a scope with nothing to pay is missing): what their checkouts will show, for the transfer
    code above the online limit. One query (window aggregates over the payable invoices, the
    first rows read with them), once per data version of the company."""

    def compute() -> dict[str, ScopeFigures]:
        invoices = _payable(user=user, today=today, ids=None, scope=SCOPE_ALL)
        due = ExpressionWrapper(F("amount_payable") - F("amount_paid"), output_field=DecimalField())
        overdue = Q(due_date__lt=today)
        rows = list(
            invoices.annotate(
                n_all=Window(Count("pk")),
                total_all=Window(Sum(due)),
                n_overdue=Window(Count("pk", filter=overdue)),
                total_overdue=Window(Sum(due, filter=overdue)),
            )
            .order_by(*PAYABLE_ORDER)
            .values_list("number", "due_date", "n_all", "total_all", "n_overdue", "total_overdue")[
                :TITLE_ROWS
            ]
        )
        if not rows:
            return {}
        _, _, n_all, total_all, n_overdue, total_overdue = rows[0]
        figures = {
            SCOPE_ALL: ScopeFigures(count=n_all, total=total_all, numbers=[row[0] for row in rows])
        }
        if n_overdue:  # the overdue ones come first (oldest due first)
            numbers = [number for number, due_date, *_ in rows if due_date < today]
            figures[SCOPE_OVERDUE] = ScopeFigures(
                count=n_overdue, total=total_overdue, numbers=numbers
            )
        return figures

    key = f"pay_scopes:{visibility_scope(user)}:{today.isoformat()}"
    return company_cached(user.company_id, key, compute)


def visible_orders(*, user) -> QuerySet[PaymentOrder]:
    orders = PaymentOrder.objects.filter(company_id=user.company_id)
    if not user_sees_all_contracts(user):
        orders = orders.filter(user=user)
    return orders


def get_order_for_user(*, user, public_id) -> PaymentOrder:
    return get_object_or_404(visible_orders(user=user), public_id=public_id)


def order_items(order: PaymentOrder) -> list[PaymentOrderItem]:
    return list(order.items.select_related("invoice").order_by("invoice__due_date", "invoice_id"))
