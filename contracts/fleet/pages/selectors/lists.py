"""The lists of fleet records: service visits, fuel transactions, damages, with their totals.

Each list is one query for its page of rows and one for its count and sums."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, QuerySet, Sum

from ebok.datacache import company_cached
from ebok.lists import order_by_key
from ebok.money import ZERO

from ...models import Damage, FuelTransaction, ServiceVisit
from .scope import filter_records, money, scope_records

SERVICE_ORDERINGS = {
    "date": ("date", "pk"),
    "vehicle": ("asset__registration_number", "date", "pk"),
    "workshop": ("workshop", "date", "pk"),
    "gross": ("gross", "pk"),
}
FUEL_ORDERINGS = {
    "date": ("occurred_at", "pk"),
    "vehicle": ("asset__registration_number", "occurred_at", "pk"),
    "litres": ("litres", "pk"),
    "gross": ("gross", "pk"),
}
DAMAGE_ORDERINGS = {
    "date": ("occurred_on", "pk"),
    "vehicle": ("asset__registration_number", "occurred_on", "pk"),
    "status": ("status", "occurred_on", "pk"),
    "cost": ("repair_cost", "pk"),
}


# Each list: the column its "kind" filter reads (scope, product, status), its orderings.
_LISTS = {
    ServiceVisit: ("scope", SERVICE_ORDERINGS),
    FuelTransaction: ("product", FUEL_ORDERINGS),
    Damage: ("status", DAMAGE_ORDERINGS),
}


def _record_list(queryset: QuerySet, *, user, filters) -> QuerySet:
    """`filters` (forms.RecordFilters) applied to the user's records of `queryset`."""
    kind, orderings = _LISTS[queryset.model]
    records = filter_records(scope_records(queryset, user=user), filters)
    if filters.kind:
        records = records.filter(**{kind: filters.kind})
    records = records.select_related("asset", "contract")
    return order_by_key(records, filters.sort, orderings)


def service_list(*, user, filters) -> QuerySet[ServiceVisit]:
    return _record_list(ServiceVisit.objects.all(), user=user, filters=filters)


def fuel_list(*, user, filters) -> QuerySet[FuelTransaction]:
    return _record_list(FuelTransaction.objects.all(), user=user, filters=filters)


def damage_list(*, user, filters) -> QuerySet[Damage]:
    not_covered = money(F("repair_cost") - F("covered_amount"))
    damages = Damage.objects.annotate(not_covered_amount=not_covered)
    return _record_list(damages, user=user, filters=filters)


@dataclass(frozen=True)
class RecordTotals:
    count: int
    net: Decimal = ZERO
    gross: Decimal = ZERO
    litres: Decimal = ZERO
    covered: Decimal = ZERO

    @property
    def not_covered(self) -> Decimal:
        """Of damages: repair costs (`gross`) less what the insurers covered."""
        return self.gross - self.covered


def record_totals(records: QuerySet, *, user, **sums: str) -> RecordTotals:
    """How many rows a list has and the sums of its columns (`gross="gross"`): one query, kept
    per company data version (the key is the query itself: its filters and the user's scope)."""

    def compute() -> RecordTotals:
        values = records.order_by().aggregate(
            count=Count("pk"), **{name: Sum(column) for name, column in sums.items()}
        )
        return RecordTotals(
            count=values.pop("count"),
            **{name: value if value is not None else ZERO for name, value in values.items()},
        )

    sql, params = records.order_by().query.sql_with_params()
    key = f"fleet-totals:{sorted(sums.items())}:{sql}:{params!r}"
    return company_cached(user.company_id, key, compute)
