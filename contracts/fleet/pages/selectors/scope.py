"""Who sees which fleet rows, and the filters every fleet list shares.

A vehicle is a leased asset of a CFM contract (`Contract.fleet_management`) the user may see:
their company's, narrowed to their contracts when they are restricted. Another company's
vehicle, a vehicle of a contract without fleet management or of a contract hidden from the user
answers 404.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import DecimalField, ExpressionWrapper, Q, QuerySet
from django.db.models.functions import TruncDate
from django.shortcuts import get_object_or_404
from django.utils import timezone

from contracts.models import Contract, LeasedAsset
from contracts.selectors import (
    contract_status_counts,
    scope_to_user,
    visibility_scope,
    visible_contracts,
)
from contracts.selectors.scope import contract_number_filter
from ebok.datacache import company_cached

from ...models import Damage, FuelTransaction, ServiceVisit

MONEY_OUTPUT = DecimalField(max_digits=14, decimal_places=2)


def money(expression) -> ExpressionWrapper:
    return ExpressionWrapper(expression, output_field=MONEY_OUTPUT)


def fleet_contracts(*, user) -> QuerySet[Contract]:
    return visible_contracts(user=user).filter(fleet_management=True)


def has_fleet(*, user) -> bool:
    """Does the user see at least one CFM contract? The menu asks on every page: read from the
    contract counts kept per data version (contract edits and restriction changes make them
    stale), which the dashboard reads anyway."""
    return contract_status_counts(user=user)["fleet"] > 0


def fleet_contract_numbers(*, user, limit: int = 200) -> list[str]:
    """For the "contract" filter's suggestions: the visible CFM contracts (kept per version)."""

    def compute() -> list[str]:
        contracts = fleet_contracts(user=user).order_by("number")
        return list(contracts.values_list("number", flat=True)[:limit])

    key = f"fleet-contract-numbers:{visibility_scope(user)}:{limit}"
    return company_cached(user.company_id, key, compute)


def fleet_vehicles(*, user) -> QuerySet[LeasedAsset]:
    vehicles = LeasedAsset.objects.filter(contract__fleet_management=True)
    return scope_to_user(vehicles, user=user)


def get_vehicle_for_user(*, user, pk: int) -> LeasedAsset:
    """The vehicle if the user may see it under "Flota"; 404 for anything else."""
    return get_object_or_404(fleet_vehicles(user=user).select_related("contract"), pk=pk)


def scope_records(queryset: QuerySet, *, user) -> QuerySet:
    """Fleet rows the user may see: their company's (by the row's own company column, which
    the company index starts with), of CFM contracts, narrowed for a restricted user."""
    queryset = queryset.filter(company_id=user.company_id, contract__fleet_management=True)
    return scope_to_user(queryset, user=user)


# --- Filters ---------------------------------------------------------------------------------
# `filters` below is any of the lists' filter dataclasses: `q` (vehicle), `contract`,
# `date_from`, `date_to`.


def vehicle_text_filter(queryset: QuerySet, text: str | None, path: str = "asset") -> QuerySet:
    """Registration (spaces and dashes ignored), make, model or VIN."""
    if not text:
        return queryset
    compact = text.replace(" ", "").replace("-", "")
    prefix = f"{path}__" if path else ""
    return queryset.filter(
        Q(**{f"{prefix}registration_number__icontains": compact})
        | Q(**{f"{prefix}make__icontains": text})
        | Q(**{f"{prefix}model__icontains": text})
        | Q(**{f"{prefix}serial_number__icontains": compact})
    )


def dated(queryset: QuerySet, name: str, filters) -> QuerySet:
    """Rows whose date `name` lies in the filters' range (both ends included)."""
    if name == "occurred_at":
        return _moments_between(queryset, filters)
    if filters.date_from:
        queryset = queryset.filter(**{f"{name}__gte": filters.date_from})
    if filters.date_to:
        queryset = queryset.filter(**{f"{name}__lte": filters.date_to})
    return queryset


def _moments_between(queryset: QuerySet, filters) -> QuerySet:
    """Fuel transactions on the filter's (Warsaw) days, as a range of the stored moment: the
    (company, -occurred_at) index serves it, which a filter on the truncated date cannot."""
    zone = timezone.get_current_timezone()
    if filters.date_from:
        start = dt.datetime.combine(filters.date_from, dt.time.min, tzinfo=zone)
        queryset = queryset.filter(occurred_at__gte=start)
    if filters.date_to:
        end = dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        queryset = queryset.filter(occurred_at__lt=end)
    return queryset


# The date of each kind of fleet record, which the lists' date range filters.
DATE_COLUMN = {ServiceVisit: "date", FuelTransaction: "occurred_at", Damage: "occurred_on"}


def filter_records(queryset: QuerySet, filters) -> QuerySet:
    """Fleet records (service visits, fuel, damages) of the filters' vehicle, contract and
    dates."""
    queryset = vehicle_text_filter(queryset, filters.q)
    queryset = contract_number_filter(queryset, filters.contract)
    return dated(queryset, DATE_COLUMN[queryset.model], filters)


def fuel_day():
    """The (Warsaw) day of a fuel transaction."""
    return TruncDate("occurred_at", tzinfo=timezone.get_current_timezone())
