"""Installments: payment status from the invoice, schedules, lists across contracts, totals.

An installment's payment status comes from its invoice (joined, never fetched per row): paid
when the invoice is settled in full, partially paid, unpaid, or "planned" while not invoiced.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.translation import gettext

from ebok.datacache import company_cached
from ebok.money import ZERO

from ..models import Contract, Installment, InstallmentMonthTotal
from .scope import (
    contract_number_filter,
    scope_to_user,
    user_sees_all_contracts,
    visibility_scope,
)

# --- Payment status and totals ----------------------------------------------------------------

INSTALLMENT_PAID = Q(invoice__isnull=False, invoice__amount_paid__gte=F("invoice__amount_payable"))
INSTALLMENT_UNPAID = Q(invoice__isnull=True) | Q(
    invoice__amount_paid__lt=F("invoice__amount_payable")
)


class InstallmentStatus:
    PAID = "paid"
    PARTIALLY_PAID = "partially_paid"
    UNPAID = "unpaid"
    PLANNED = "planned"  # not invoiced yet

    @staticmethod
    def labels() -> dict[str, str]:
        """Each status as the client reads it: the schedule tab, the reports, the PDF."""
        return {
            InstallmentStatus.PAID: gettext("zapłacona"),
            InstallmentStatus.PARTIALLY_PAID: gettext("częściowo zapłacona"),
            InstallmentStatus.UNPAID: gettext("niezapłacona"),
            InstallmentStatus.PLANNED: gettext("zaplanowana"),
        }


def with_payment_status(installments: QuerySet[Installment], *, today: dt.date) -> QuerySet:
    """Annotate `payment_status` and `is_overdue` (invoiced, unpaid, invoice due before today)."""
    return installments.select_related("invoice").annotate(
        payment_status=Case(
            When(invoice__isnull=True, then=Value(InstallmentStatus.PLANNED)),
            When(INSTALLMENT_PAID, then=Value(InstallmentStatus.PAID)),
            When(invoice__amount_paid__gt=0, then=Value(InstallmentStatus.PARTIALLY_PAID)),
            default=Value(InstallmentStatus.UNPAID),
            output_field=CharField(),
        ),
        is_overdue=Case(
            When(
                Q(invoice__isnull=False)
                & Q(invoice__amount_paid__lt=F("invoice__amount_payable"))
                & Q(invoice__due_date__lt=today),
                then=Value(True),
            ),
            default=Value(False),
        ),
    )


def _installment_status_filter(queryset: QuerySet, status: str | None, today: dt.date) -> QuerySet:
    if status == "paid":
        return queryset.filter(INSTALLMENT_PAID)
    if status == "unpaid":
        return queryset.filter(INSTALLMENT_UNPAID)
    if status == "overdue":
        return queryset.filter(
            invoice__isnull=False,
            invoice__amount_paid__lt=F("invoice__amount_payable"),
            invoice__due_date__lt=today,
        )
    return queryset


@dataclass(frozen=True)
class Totals:
    count: int = 0
    capital: Decimal = ZERO
    interest: Decimal = ZERO
    net: Decimal = ZERO
    vat: Decimal = ZERO
    gross: Decimal = ZERO


def money_sum(field: str):
    return Coalesce(
        Sum(field), Value(ZERO), output_field=DecimalField(max_digits=16, decimal_places=2)
    )


def installment_totals(installments: QuerySet[Installment]) -> Totals:
    """Sums over the whole filtered list (not just the page on screen), one query."""
    sums = installments.order_by().aggregate(
        count=Count("pk"),
        capital=money_sum("capital"),
        interest=money_sum("interest"),
        net=money_sum("net"),
        vat=money_sum("vat"),
        gross=money_sum("gross"),
    )
    return Totals(**sums)


def remaining_in(schedule: Iterable[InstallmentRow]) -> int:
    """`remaining_installments` counted from a contract's whole schedule (rows already read):
    every installment not paid in full, the rule of `contracts._remaining_installments`."""
    return sum(1 for row in schedule if row.payment_status != InstallmentStatus.PAID)


def totals_of(installments: Iterable[InstallmentRow]) -> Totals:
    """The same sums as `installment_totals`, over rows already fetched (a list on one page)."""
    rows = list(installments)
    return Totals(
        count=len(rows),
        capital=sum((i.capital for i in rows), ZERO),
        interest=sum((i.interest for i in rows), ZERO),
        net=sum((i.net for i in rows), ZERO),
        vat=sum((i.vat for i in rows), ZERO),
        gross=sum((i.gross for i in rows), ZERO),
    )


# --- Schedules and installments ---------------------------------------------------------------


@dataclass(frozen=True)
class InstallmentFilters:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    status: str | None = None  # paid / unpaid / overdue
    contract: str | None = None  # part of a contract number


def schedule_installments(
    *, contract: Contract, filters: InstallmentFilters, today: dt.date
) -> QuerySet[Installment]:
    """One contract's installments, filtered, in order (the contract was already checked with
    get_contract_for_user). Pages read them through `installment_values`, reports through
    `with_payment_status`."""
    installments = _filter_installments(contract.installments.all(), filters, today)
    return installments.order_by("number")


def contract_schedule(
    *, contract: Contract, filters: InstallmentFilters, today: dt.date
) -> QuerySet[Installment]:
    """One contract's schedule with `with_payment_status` (the reports read it as values)."""
    installments = schedule_installments(contract=contract, filters=filters, today=today)
    return with_payment_status(installments, today=today)


@dataclass(frozen=True, slots=True)
class ContractRef:
    pk: int
    number: str
    installment_count: int


@dataclass(frozen=True, slots=True)
class InstallmentRow:
    """An installment as a page shows it, with its payment status worked out."""

    contract: ContractRef
    number: int
    due_date: dt.date
    capital: Decimal
    interest: Decimal
    net: Decimal
    vat: Decimal
    gross: Decimal
    invoice_id: int | None
    invoice_number: str | None
    payment_status: str
    is_overdue: bool

    @property
    def contract_id(self) -> int:
        return self.contract.pk


# What a row shows, and what its status is worked out from (see `row_status`).
_ROW_VALUES = (
    "contract_id",
    "contract__number",
    "contract__installment_count",
    "number",
    "due_date",
    "capital",
    "interest",
    "net",
    "vat",
    "gross",
    "invoice_id",
    "invoice__number",
    "invoice__amount_paid",
    "invoice__amount_payable",
    "invoice__due_date",
)


def installment_values(installments: QuerySet[Installment]) -> QuerySet:
    """What pages read of installments: plain values, for `installment_rows`. A schedule page
    shows up to 120 installments; no model instances and no CASE expressions to build."""
    return installments.values_list(*_ROW_VALUES)


def row_status(
    invoice_id: int | None, paid: Decimal, payable: Decimal, due: dt.date, *, today: dt.date
) -> tuple[str, bool]:
    """(payment status, overdue) from the installment's invoice: the rule of
    `with_payment_status` (the invoice's own: `Invoice.status`, `Invoice.is_overdue_on`)."""
    if invoice_id is None:
        return InstallmentStatus.PLANNED, False
    if paid >= payable:
        return InstallmentStatus.PAID, False
    status = InstallmentStatus.PARTIALLY_PAID if paid > 0 else InstallmentStatus.UNPAID
    return status, due < today


def installment_rows(values: Iterable[tuple], *, today: dt.date) -> list[InstallmentRow]:
    """Rows of `installment_values` (all of them, or one page) ready to show."""
    contracts: dict[int, ContractRef] = {}
    rows = []
    for (
        contract_id,
        contract_number,
        installment_count,
        number,
        due_date,
        capital,
        interest,
        net,
        vat,
        gross,
        invoice_id,
        invoice_number,
        paid,
        payable,
        invoice_due,
    ) in values:
        contract = contracts.get(contract_id)
        if contract is None:
            contract = contracts[contract_id] = ContractRef(
                contract_id, contract_number, installment_count
            )
        status, is_overdue = row_status(invoice_id, paid, payable, invoice_due, today=today)
        rows.append(
            InstallmentRow(
                contract,
                number,
                due_date,
                capital,
                interest,
                net,
                vat,
                gross,
                invoice_id,
                invoice_number,
                status,
                is_overdue,
            )
        )
    return rows


def _filter_installments(queryset: QuerySet, filters: InstallmentFilters, today: dt.date):
    if filters.date_from:
        queryset = queryset.filter(due_date__gte=filters.date_from)
    if filters.date_to:
        queryset = queryset.filter(due_date__lte=filters.date_to)
    return _installment_status_filter(queryset, filters.status, today)


def installments_between(
    *, user, filters: InstallmentFilters, today: dt.date
) -> QuerySet[Installment]:
    """All visible contracts' installments in one list ordered by due date: what we will pay.
    Pages read them through `installment_values`, reports through `with_payment_status`."""
    installments = scope_to_user(Installment.objects.all(), user=user)
    installments = contract_number_filter(installments, filters.contract)
    installments = _filter_installments(installments, filters, today)
    return installments.select_related("contract").order_by(
        "due_date", "contract__number", "number", "pk"
    )


def installments_due_between(
    *, user, filters: InstallmentFilters, today: dt.date
) -> QuerySet[Installment]:
    """`installments_between` with `with_payment_status` (the reports read it as values)."""
    installments = installments_between(user=user, filters=filters, today=today)
    return with_payment_status(installments, today=today)


def installments_due_between_totals(*, user, filters: InstallmentFilters, today: dt.date) -> Totals:
    """`installment_totals` of `installments_due_between` (count included), kept per data
    version: the same range is asked for again and again (the pages of the list, the default
    three months)."""
    key = f"installment-totals:{visibility_scope(user)}:{today.isoformat()}:{filters!r}"
    return company_cached(
        user.company_id,
        key,
        lambda: installment_totals(installments_between(user=user, filters=filters, today=today)),
    )


@dataclass(frozen=True, slots=True)
class UpcomingInstallment:
    """What the dashboard's tile shows of an installment (plain data: it is cached)."""

    contract: ContractRef
    number: int
    due_date: dt.date
    gross: Decimal


def next_installments(*, user, today: dt.date, limit: int = 5) -> list[UpcomingInstallment]:
    """The next unpaid installments, soonest first: one query of plain values (the tile shows
    no payment status, and model instances would be pickled into the cache and back)."""
    installments = scope_to_user(Installment.objects.all(), user=user).filter(
        INSTALLMENT_UNPAID, due_date__gte=today
    )
    rows = installments.order_by("due_date", "contract__number", "pk").values_list(
        "contract_id",
        "contract__number",
        "contract__installment_count",
        "number",
        "due_date",
        "gross",
    )[:limit]
    return [
        UpcomingInstallment(ContractRef(contract_id, contract, count), number, due_date, gross)
        for contract_id, contract, count, number, due_date, gross in rows
    ]


@dataclass(frozen=True)
class MonthTotal:
    month: dt.date  # the first day of the month
    gross: Decimal


def installments_per_month(*, user, today: dt.date, months: int = 12) -> list[MonthTotal]:
    """Gross installments due in each of the next `months` months (this one first), one query.

    For a user who sees the whole company, on PostgreSQL: the twelve rows of
    `InstallmentMonthTotal` (kept by triggers), not a sum over thousands of installments.
    """
    start = today.replace(day=1)
    end = start + relativedelta(months=months)
    if user_sees_all_contracts(user) and connection.vendor == "postgresql":
        rows = InstallmentMonthTotal.objects.filter(
            company_id=user.company_id, month__gte=start, month__lt=end
        ).values_list("month", "gross")
    else:
        rows = (
            scope_to_user(Installment.objects.all(), user=user)
            .filter(due_date__gte=start, due_date__lt=end)
            .annotate(month=TruncMonth("due_date"))
            .order_by()
            .values_list("month")
            .annotate(gross=Sum("gross"))
        )
    by_month = dict(rows)
    return [
        MonthTotal(month=(m := start + relativedelta(months=k)), gross=by_month.get(m, ZERO))
        for k in range(months)
    ]
