"""The dashboard's finance figures: the balance, the overdue and the upcoming invoices.

Kept per data version of the company (`ebok.datacache`), so only the first dashboard after a
change computes them: three queries over the outstanding invoices and the payments, never one
over all of the company's invoices.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    Q,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber

from contracts.selectors import user_sees_all_contracts, visibility_scope
from ebok.datacache import company_cached
from ebok.money import ZERO, to_money

from .models import Payment
from .selectors import Balance, _sum, balance_for_user, visible_invoices


@dataclass(frozen=True)
class InvoiceSummary:
    count: int
    amount_due: Decimal
    invoices: list  # Invoice (overdue_invoices, upcoming_invoices) or TileInvoice (dashboard)


@dataclass(frozen=True)
class FinanceOverview:
    """What the dashboard shows of the finances: data only, formatted per request."""

    balance: Balance
    overdue: InvoiceSummary
    upcoming: InvoiceSummary


TILE_INVOICES = 5  # the first few overdue and upcoming invoices a dashboard tile lists


@dataclass(frozen=True, slots=True)
class ContractNumber:
    pk: int
    number: str


@dataclass(frozen=True, slots=True)
class TileInvoice:
    """What a dashboard tile shows of an invoice (plain data: it is cached)."""

    pk: int
    number: str
    due_date: dt.date
    amount_due: Decimal
    contract: ContractNumber | None


def _outstanding_overview(*, user, today: dt.date, limit: int) -> dict:
    """The unpaid part of the user's invoices by due date and the first `limit` overdue and
    upcoming ones: two queries over the outstanding invoices only (a small share of all,
    read through the partial index `invoice_outstanding_due_idx`).

    A paid invoice owes nothing (`amount_paid <= amount_payable` is a constraint), so the sums
    equal `balance_for_user`'s over every invoice. Both queries are kept simple (a GROUP BY of
    three buckets, plain values): on the first dashboard after a change, building the ORM's
    SQL costs more than PostgreSQL's answer.
    """
    outstanding = visible_invoices(user=user).outstanding().order_by()
    unpaid = F("amount_payable") - F("amount_paid")
    bucket = Case(
        When(due_date__lt=today, then=Value(-1)),
        When(due_date=today, then=Value(0)),
        default=Value(1),
    )
    sums = {b: (ZERO, 0) for b in (-1, 0, 1)}
    for b, total, count in (
        outstanding.annotate(bucket=bucket)
        .values_list("bucket")
        .annotate(total=Sum(unpaid), count=Count("pk"))
    ):
        sums[b] = (to_money(total), count)  # to_money: SQLite sums decimals as floats
    (overdue, overdue_count), (due_today, today_count), (later, later_count) = (
        sums[-1],
        sums[0],
        sums[1],
    )
    # The first `limit` of each group (by due date) in one query: numbered within the group.
    is_overdue = ExpressionWrapper(Q(due_date__lt=today), output_field=BooleanField())
    ranked = outstanding.annotate(
        rank=Window(
            RowNumber(),
            partition_by=[is_overdue],
            # The checkout's order (invoices.online.selectors.PAYABLE_ORDER): the pay-online
            # tile titles its transfer code with these numbers.
            order_by=[F("due_date").asc(), F("issue_date").asc(), F("pk").asc()],
        )
    ).filter(rank__lte=limit)
    shown = [
        TileInvoice(
            pk=pk,
            number=number,
            due_date=due_date,
            amount_due=payable - paid,
            contract=ContractNumber(contract_id, contract_number) if contract_id else None,
        )
        for pk, number, due_date, payable, paid, contract_id, contract_number in ranked.order_by(
            "due_date", "issue_date", "pk"
        ).values_list(
            "pk",
            "number",
            "due_date",
            "amount_payable",
            "amount_paid",
            "contract",
            "contract__number",
        )
    ]
    return {
        "due": overdue + due_today,
        "overdue": overdue,
        "not_yet_due": later,
        "upcoming": due_today + later,
        "overdue_count": overdue_count,
        "upcoming_count": today_count + later_count,
        "overdue_invoices": [i for i in shown if i.due_date < today],
        "upcoming_invoices": [i for i in shown if i.due_date >= today],
    }


def _overview_balance(*, user, today: dt.date, figures: dict) -> Balance:
    """The dashboard's balance from the outstanding figures and one sum over the payments.

    Every invoice's `amount_payable` is its charge less the downward corrections applied to
    it, and every payment is its allocations (`amount_paid`) plus its unallocated rest, so
    charges - payments = unpaid - overpayment (the demo data test checks it on every company):
    the company's charges need no pass over all of its invoices, which is what made the first
    dashboard after a change slow. A restricted user's balance counts their invoices only
    (`balance_for_user`, over few rows).
    """
    if not user_sees_all_contracts(user):
        return balance_for_user(user=user, today=today)
    payments = Payment.objects.filter(company_id=user.company_id).aggregate(
        payments=_sum("amount"), overpayment=_sum("unallocated")
    )
    paid_in, overpayment = to_money(payments["payments"]), to_money(payments["overpayment"])
    unpaid = figures["due"] + figures["not_yet_due"]
    return Balance(
        charges=paid_in + unpaid - overpayment,
        payments=paid_in,
        due=figures["due"],
        overdue=figures["overdue"],
        not_yet_due=figures["not_yet_due"],
        overpayment=overpayment,
    )


def finance_overview(*, user, today: dt.date) -> FinanceOverview:
    """The dashboard's balance and invoices, computed once per data version, day and scope:
    three queries, none over all of the company's invoices."""

    def compute() -> FinanceOverview:
        figures = _outstanding_overview(user=user, today=today, limit=TILE_INVOICES)
        return FinanceOverview(
            balance=_overview_balance(user=user, today=today, figures=figures),
            overdue=InvoiceSummary(
                count=figures["overdue_count"],
                amount_due=figures["overdue"],
                invoices=figures["overdue_invoices"],
            ),
            upcoming=InvoiceSummary(
                count=figures["upcoming_count"],
                amount_due=figures["upcoming"],
                invoices=figures["upcoming_invoices"],
            ),
        )

    key = f"finance-overview:{visibility_scope(user)}:{today.isoformat()}"
    return company_cached(user.company_id, key, compute)
