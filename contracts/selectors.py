"""Reads for the client portal, always scoped to the signed-in user.

Every function takes the `user` and narrows by their company AND, for a user restricted to
chosen contracts, by those contracts. Nothing here runs a query per row: lists are one query
(plus one prefetch where noted), so a page costs the same for 5 contracts or 5 000.

An installment's payment status comes from its invoice (joined, never fetched per row): paid
when the invoice is settled in full, partially paid, unpaid, or "planned" while not invoiced.
"""

from __future__ import annotations

import datetime as dt
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
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.shortcuts import get_object_or_404

from ebok.lists import order_by_key
from ebok.money import ZERO

from .models import AdditionalFee, Contract, Installment, InsurancePolicy, LeasedAsset


def user_sees_all_contracts(user) -> bool:
    return not user.contracts_restricted or user.is_company_admin


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
    """For the "contract" filter's suggestions (one query, bounded)."""
    return list(
        visible_contracts(user=user).order_by("number").values_list("number", flat=True)[:limit]
    )


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
    """How many of the contract's installments are not paid yet (a correlated count)."""
    unpaid = (
        Installment.objects.filter(INSTALLMENT_UNPAID, contract=OuterRef("pk"))
        .order_by()
        .values("contract")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(unpaid, output_field=IntegerField()), Value(0))


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
    contracts = contracts.prefetch_related("assets")
    return order_by_key(contracts, filters.sort, CONTRACT_ORDERINGS)


def get_contract_for_user(*, user, pk: int) -> Contract:
    """The contract if `user` may see it; 404 for anything else (another company's included)."""
    contracts = visible_contracts(user=user).annotate(
        remaining_installments=_remaining_installments(),
        installments_total=Count("installments", distinct=True),
    )
    return get_object_or_404(contracts.prefetch_related("assets"), pk=pk)


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


def contract_schedule(
    *, contract: Contract, filters: InstallmentFilters, today: dt.date
) -> QuerySet[Installment]:
    """One contract's schedule (the contract was already checked with get_contract_for_user)."""
    installments = contract.installments.all()
    installments = _filter_installments(installments, filters, today)
    return with_payment_status(installments, today=today).order_by("number")


def _filter_installments(queryset: QuerySet, filters: InstallmentFilters, today: dt.date):
    if filters.date_from:
        queryset = queryset.filter(due_date__gte=filters.date_from)
    if filters.date_to:
        queryset = queryset.filter(due_date__lte=filters.date_to)
    return _installment_status_filter(queryset, filters.status, today)


def installments_due_between(
    *, user, filters: InstallmentFilters, today: dt.date
) -> QuerySet[Installment]:
    """All visible contracts' installments in one list ordered by due date: what we will pay."""
    installments = scope_to_user(Installment.objects.all(), user=user)
    installments = _contract_number_filter(installments, filters.contract)
    installments = _filter_installments(installments, filters, today)
    return (
        with_payment_status(installments, today=today)
        .select_related("contract")
        .order_by("due_date", "contract__number", "number", "pk")
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
