"""The contracts list, one contract (404 for anyone else's) and the contracts' counts."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.shortcuts import get_object_or_404

from ebok.datacache import company_cached
from ebok.lists import order_by_key

from ..models import Contract, Installment, LeasedAsset
from .installments import INSTALLMENT_UNPAID
from .scope import visibility_scope, visible_contracts


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
    the schedule tab showing the whole schedule, see `remaining_in`). With its assets. Kept per
    data version and visibility scope: every tab of the contract page reads it, and two queries
    (one with a correlated count) cost a contract tab more than one cache read; a 404 is never
    kept.
    """

    def compute() -> Contract:
        contracts = visible_contracts(user=user)
        if count_remaining:
            contracts = contracts.annotate(remaining_installments=_remaining_installments())
        return get_object_or_404(
            contracts.prefetch_related(Prefetch("assets", queryset=_assets_in_order())), pk=pk
        )

    key = f"contract:{visibility_scope(user)}:{pk}:{'remaining' if count_remaining else 'bare'}"
    return company_cached(user.company_id, key, compute)


def contract_status_counts(*, user) -> dict[str, int]:
    """The user's contracts by status, and how many have car fleet management ("fleet": the
    menu shows "Flota" when there is one). One query, kept per data version: the dashboard's
    summary and the menu on every page share it."""

    def compute() -> dict[str, int]:
        return visible_contracts(user=user).aggregate(
            active=Count("pk", filter=Q(status=Contract.Status.ACTIVE)),
            signed=Count("pk", filter=Q(status=Contract.Status.SIGNED)),
            ended=Count("pk", filter=Q(status=Contract.Status.ENDED)),
            fleet=Count("pk", filter=Q(fleet_management=True)),
        )

    key = f"contract-status-counts:{visibility_scope(user)}"
    return company_cached(user.company_id, key, compute)
