"""Reads for the client portal, always scoped to the signed-in user.

Every function takes the `user` and narrows by their company AND, for a user restricted to
chosen contracts, by those contracts. Nothing here runs a query per row: lists are one query
(plus one prefetch where noted), so a page costs the same for 5 contracts or 5 000.

An installment's payment status comes from its invoice (joined, never fetched per row): paid
when the invoice is settled in full, partially paid, unpaid, or "planned" while not invoiced.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.shortcuts import get_object_or_404

from ebok.datacache import company_cached
from ebok.lists import order_by_key
from ebok.money import ZERO

from .models import AdditionalFee, Contract, Installment, InsurancePolicy, LeasedAsset


def user_sees_all_contracts(user) -> bool:
    return not user.contracts_restricted or user.is_company_admin


def visibility_scope(user) -> str:
    """A cache key part: users who see the same rows share it (a restricted user: their own)."""
    return "company" if user_sees_all_contracts(user) else f"user-{user.pk}"


def visible_contracts(*, user) -> QuerySet[Contract]:
    """The contracts a client user may see: their company's, narrowed if they are restricted."""
    contracts = Contract.objects.filter(company_id=user.company_id)
    if not user_sees_all_contracts(user):
        contracts = contracts.filter(restricted_users=user)
    return contracts


def scope_to_user(queryset: QuerySet, *, user, path: str = "contract") -> QuerySet:
    """Narrow rows that hang off a contract (installments, policies, fees...) to `user`'s view.

    The (contract, user) pair is unique in the restriction table, so the join adds no rows.
    """
    queryset = queryset.filter(**{f"{path}__company_id": user.company_id})
    if not user_sees_all_contracts(user):
        queryset = queryset.filter(**{f"{path}__restricted_users": user})
    return queryset


def visible_contract_numbers(*, user, limit: int = 200) -> list[str]:
    """For the "contract" filter's suggestions (one query, bounded; kept per data version)."""

    def compute() -> list[str]:
        contracts = visible_contracts(user=user).order_by("number")
        return list(contracts.values_list("number", flat=True)[:limit])

    key = f"contract-numbers:{visibility_scope(user)}:{limit}"
    return company_cached(user.company_id, key, compute)


def _contract_number_filter(
    queryset: QuerySet, text: str | None, path: str = "contract"
) -> QuerySet:
    return queryset.filter(**{f"{path}__number__icontains": text}) if text else queryset


# --- Installments: payment status from the invoice ---------------------------------------------

INSTALLMENT_PAID = Q(invoice__isnull=False, invoice__amount_paid__gte=F("invoice__amount_payable"))
INSTALLMENT_UNPAID = Q(invoice__isnull=True) | Q(
    invoice__amount_paid__lt=F("invoice__amount_payable")
)


class InstallmentStatus:
    PAID = "paid"
    PARTIALLY_PAID = "partially_paid"
    UNPAID = "unpaid"
    PLANNED = "planned"  # not invoiced yet


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


def _remaining_installments() -> Subquery:
    """How many of the contract's installments are not paid yet (a correlated count).

    COUNT without GROUP BY: one row, 0 when there is nothing (no COALESCE needed), and
    noticeably cheaper for Django to build than values().annotate(Count()).
    """
    unpaid = (
        Installment.objects.filter(INSTALLMENT_UNPAID, contract=OuterRef("pk"))
        .order_by()
        .annotate(n=Func(F("pk"), function="COUNT"))
        .values("n")
    )
    return Subquery(unpaid, output_field=IntegerField())


@dataclass(frozen=True)
class Totals:
    count: int = 0
    capital: Decimal = ZERO
    interest: Decimal = ZERO
    net: Decimal = ZERO
    vat: Decimal = ZERO
    gross: Decimal = ZERO


def _money_sum(field: str):
    return Coalesce(
        Sum(field), Value(ZERO), output_field=DecimalField(max_digits=16, decimal_places=2)
    )


def installment_totals(installments: QuerySet[Installment]) -> Totals:
    """Sums over the whole filtered list (not just the page on screen), one query."""
    sums = installments.order_by().aggregate(
        count=Count("pk"),
        capital=_money_sum("capital"),
        interest=_money_sum("interest"),
        net=_money_sum("net"),
        vat=_money_sum("vat"),
        gross=_money_sum("gross"),
    )
    return Totals(**sums)


def remaining_in(schedule: Iterable[InstallmentRow]) -> int:
    """`remaining_installments` counted from a contract's whole schedule (rows already read):
    every installment not paid in full, the rule of `_remaining_installments`."""
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


# --- Contracts ---------------------------------------------------------------------------------

CONTRACT_ORDERINGS = {
    "number": ("number", "pk"),
    "kind": ("kind", "number", "pk"),
    "start": ("start_date", "number", "pk"),
    "end": ("end_date", "number", "pk"),
    "value": ("net_value", "number", "pk"),
    "remaining": ("remaining_installments", "number", "pk"),
}


@dataclass(frozen=True)
class ContractFilters:
    q: str | None = None  # contract number, registration number or VIN / serial number
    status: str | None = None
    kind: str | None = None
    sort: str = "-start"


def _assets_in_order() -> QuerySet[LeasedAsset]:
    # A contract's assets in the order they were added. The model's default ordering starts
    # with "contract", which Django expands to the contract's own ordering: a join to
    # contracts_contract in every prefetch, for nothing.
    return LeasedAsset.objects.order_by("contract_id", "id")


def contract_list(*, user, filters: ContractFilters) -> QuerySet[Contract]:
    contracts = visible_contracts(user=user)
    if filters.status:
        contracts = contracts.filter(status=filters.status)
    if filters.kind:
        contracts = contracts.filter(kind=filters.kind)
    if filters.q:
        compact = filters.q.replace(" ", "").replace("-", "")
        assets = LeasedAsset.objects.filter(
            Q(registration_number__icontains=compact) | Q(serial_number__icontains=compact),
            contract=OuterRef("pk"),
        )
        contracts = contracts.filter(Q(number__icontains=filters.q) | Exists(assets))
    contracts = contracts.annotate(remaining_installments=_remaining_installments())
    # A plain list per contract (`asset_list`): much cheaper than a prefetched manager each.
    assets = _assets_in_order().only(
        "contract_id", "make", "model", "registration_number", "serial_number"
    )
    contracts = contracts.prefetch_related(
        Prefetch("assets", queryset=assets, to_attr="asset_list")
    )
    return order_by_key(contracts, filters.sort, CONTRACT_ORDERINGS)


# What a row of the on-screen list shows (contracts.templatetags.contract_tables.contract_rows).
CONTRACT_ROW_FIELDS = (
    "number",
    "kind",
    "status",
    "start_date",
    "end_date",
    "installment_count",
    "net_value",
)


def for_list_rows(contracts: QuerySet[Contract]) -> QuerySet[Contract]:
    """`contract_list` narrowed to the columns the list page shows (less to build and read)."""
    return contracts.only(*CONTRACT_ROW_FIELDS)


def contract_count(*, user, filters: ContractFilters) -> int:
    """How many contracts `contract_list` lists (for its pages), kept per data version."""
    key = f"contract-count:{visibility_scope(user)}:{dataclasses.replace(filters, sort='')!r}"
    return company_cached(
        user.company_id, key, lambda: contract_list(user=user, filters=filters).count()
    )


def get_contract_for_user(*, user, pk: int, count_remaining: bool = True) -> Contract:
    """The contract if `user` may see it; 404 for anything else (another company's included).

    With `remaining_installments`, unless the caller counts them itself (`count_remaining=False`:
    the schedule tab showing the whole schedule, see `remaining_in`).
    """
    contracts = visible_contracts(user=user)
    if count_remaining:
        contracts = contracts.annotate(remaining_installments=_remaining_installments())
    return get_object_or_404(
        contracts.prefetch_related(Prefetch("assets", queryset=_assets_in_order())), pk=pk
    )


def contract_status_counts(*, user) -> dict[str, int]:
    counts = visible_contracts(user=user).aggregate(
        active=Count("pk", filter=Q(status=Contract.Status.ACTIVE)),
        signed=Count("pk", filter=Q(status=Contract.Status.SIGNED)),
        ended=Count("pk", filter=Q(status=Contract.Status.ENDED)),
    )
    return counts


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
    installments = _contract_number_filter(installments, filters.contract)
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


def next_installments(*, user, today: dt.date, limit: int = 5) -> list[Installment]:
    installments = scope_to_user(Installment.objects.all(), user=user).filter(
        INSTALLMENT_UNPAID, due_date__gte=today
    )
    installments = with_payment_status(installments, today=today).select_related("contract")
    return list(installments.order_by("due_date", "contract__number", "pk")[:limit])


@dataclass(frozen=True)
class MonthTotal:
    month: dt.date  # the first day of the month
    gross: Decimal


def installments_per_month(*, user, today: dt.date, months: int = 12) -> list[MonthTotal]:
    """Gross installments due in each of the next `months` months (this one first), one query."""
    start = today.replace(day=1)
    end = start + relativedelta(months=months)
    rows = (
        scope_to_user(Installment.objects.all(), user=user)
        .filter(due_date__gte=start, due_date__lt=end)
        .annotate(month=TruncMonth("due_date"))
        .order_by()
        .values("month")
        .annotate(gross=Sum("gross"))
    )
    by_month = {row["month"]: row["gross"] for row in rows}
    return [
        MonthTotal(month=(m := start + relativedelta(months=k)), gross=by_month.get(m, ZERO))
        for k in range(months)
    ]


# --- Insurance policies -----------------------------------------------------------------------

POLICY_ORDERINGS = {
    "valid_to": ("valid_to", "number", "pk"),
    "valid_from": ("valid_from", "number", "pk"),
    "insurer": ("insurer", "number", "pk"),
    "type": ("type", "valid_to", "pk"),
    "contract": ("contract__number", "valid_to", "pk"),
}


@dataclass(frozen=True)
class PolicyFilters:
    status: str | None = None  # InsurancePolicy.Status
    type: str | None = None
    q: str | None = None  # policy number, contract number or registration number
    sort: str = "valid_to"


def _policy_status_filter(queryset: QuerySet, status: str | None, today: dt.date) -> QuerySet:
    """The same rule as InsurancePolicy.status_on, as SQL."""
    soon = today + dt.timedelta(days=settings.POLICY_EXPIRING_DAYS)
    S = InsurancePolicy.Status
    if status == S.PENDING:
        return queryset.filter(valid_from__gt=today)
    if status == S.EXPIRED:
        return queryset.filter(valid_to__lt=today)
    if status == S.EXPIRING:
        return queryset.filter(valid_from__lte=today, valid_to__gte=today, valid_to__lte=soon)
    if status == S.ACTIVE:
        return queryset.filter(valid_from__lte=today, valid_to__gt=soon)
    return queryset


def policy_list(
    *, user, filters: PolicyFilters, today: dt.date, contract: Contract | None = None
) -> QuerySet[InsurancePolicy]:
    policies = scope_to_user(InsurancePolicy.objects.all(), user=user)
    if contract is not None:
        policies = policies.filter(contract=contract)
    if filters.type:
        policies = policies.filter(type=filters.type)
    if filters.q:
        compact = filters.q.replace(" ", "")
        policies = policies.filter(
            Q(number__icontains=filters.q)
            | Q(contract__number__icontains=filters.q)
            | Q(asset__registration_number__icontains=compact)
        )
    policies = _policy_status_filter(policies, filters.status, today)
    policies = policies.select_related("contract", "asset")
    return order_by_key(policies, filters.sort, POLICY_ORDERINGS)


def expiring_policies(*, user, today: dt.date, limit: int = 5) -> tuple[list[InsurancePolicy], int]:
    """The policies about to expire (soonest first) and how many there are: two queries."""
    policies = _policy_status_filter(
        scope_to_user(InsurancePolicy.objects.all(), user=user),
        InsurancePolicy.Status.EXPIRING,
        today,
    )
    shown = list(policies.select_related("contract", "asset").order_by("valid_to", "pk")[:limit])
    return shown, policies.count()


# --- Additional fees --------------------------------------------------------------------------

FEE_ORDERINGS = {
    "date": ("charged_on", "pk"),
    "kind": ("kind", "-charged_on", "pk"),
    "gross": ("gross", "pk"),
    "contract": ("contract__number", "-charged_on", "pk"),
}


@dataclass(frozen=True)
class FeeFilters:
    kind: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    contract: str | None = None  # part of a contract number
    sort: str = "-date"


def fee_list(*, user, filters: FeeFilters, contract: Contract | None = None) -> QuerySet:
    fees = scope_to_user(AdditionalFee.objects.all(), user=user)
    if contract is not None:
        fees = fees.filter(contract=contract)
    fees = _contract_number_filter(fees, filters.contract)
    if filters.kind:
        fees = fees.filter(kind=filters.kind)
    if filters.date_from:
        fees = fees.filter(charged_on__gte=filters.date_from)
    if filters.date_to:
        fees = fees.filter(charged_on__lte=filters.date_to)
    fees = fees.select_related("contract", "invoice")
    return order_by_key(fees, filters.sort, FEE_ORDERINGS)


def fee_totals(fees: QuerySet[AdditionalFee]) -> Totals:
    sums = fees.order_by().aggregate(
        count=Count("pk"), net=_money_sum("net"), vat=_money_sum("vat"), gross=_money_sum("gross")
    )
    return Totals(**sums)


# --- The dashboard ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ContractsOverview:
    """What the dashboard shows of the contracts: data only, formatted per request."""

    months: list[MonthTotal]
    next_installments: list[Installment]
    expiring_policies: list[InsurancePolicy]
    expiring_total: int
    status_counts: dict[str, int]


def contracts_overview(*, user, today: dt.date) -> ContractsOverview:
    """The dashboard's contract figures, computed once per data version, day and user scope."""

    def compute() -> ContractsOverview:
        policies, total = expiring_policies(user=user, today=today)
        return ContractsOverview(
            months=installments_per_month(user=user, today=today),
            next_installments=next_installments(user=user, today=today),
            expiring_policies=policies,
            expiring_total=total,
            status_counts=contract_status_counts(user=user),
        )

    key = (
        f"contracts-overview:{visibility_scope(user)}:{today.isoformat()}"
        f":{settings.POLICY_EXPIRING_DAYS}"
    )
    return company_cached(user.company_id, key, compute)
