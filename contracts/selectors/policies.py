"""Insurance policies of the visible contracts, with their status worked out from the dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Window

from ebok.lists import order_by_key

from ..models import Contract, InsurancePolicy
from .scope import scope_to_user

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


def policy_status_filter(queryset: QuerySet, status: str | None, today: dt.date) -> QuerySet:
    """The rule of InsurancePolicy.status_on, as SQL (the portal's lists and the admin's)."""
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
    policies = policy_status_filter(policies, filters.status, today)
    policies = policies.select_related("contract", "asset")
    return order_by_key(policies, filters.sort, POLICY_ORDERINGS)


@dataclass(frozen=True, slots=True)
class PolicyContract:
    pk: int
    number: str


@dataclass(frozen=True, slots=True)
class PolicyAsset:
    pk: int
    registration_number: str


@dataclass(frozen=True, slots=True)
class ExpiringPolicy:
    """What the dashboard's tile shows of a policy (plain data: it is cached)."""

    pk: int
    number: str
    type: str
    insurer: str
    valid_to: dt.date
    contract: PolicyContract
    asset: PolicyAsset | None

    def get_type_display(self) -> str:
        return InsurancePolicy.Type(self.type).label


_EXPIRING_FIELDS = (
    "pk",
    "number",
    "type",
    "insurer",
    "valid_to",
    "contract_id",
    "contract__number",
    "asset_id",
    "asset__registration_number",
)


def expiring_policies(*, user, today: dt.date, limit: int = 5) -> tuple[list[ExpiringPolicy], int]:
    """The policies about to expire (soonest first) and how many there are: one query of plain
    values (the count is a window over all of them, taken before the limit)."""
    policies = policy_status_filter(
        scope_to_user(InsurancePolicy.objects.all(), user=user),
        InsurancePolicy.Status.EXPIRING,
        today,
    )
    rows = list(
        policies.annotate(total=Window(Count("pk")))
        .order_by("valid_to", "pk")
        .values_list(*_EXPIRING_FIELDS, "total")[:limit]
    )
    shown = [
        ExpiringPolicy(
            pk=pk,
            number=number,
            type=kind,
            insurer=insurer,
            valid_to=valid_to,
            contract=PolicyContract(contract_id, contract_number),
            asset=PolicyAsset(asset_id, registration or "") if asset_id else None,
        )
        for (
            pk,
            number,
            kind,
            insurer,
            valid_to,
            contract_id,
            contract_number,
            asset_id,
            registration,
            _total,
        ) in rows
    ]
    return shown, rows[0][-1] if rows else 0
