"""What the fleet costs: every cost of a vehicle as one row, and its totals by month and kind.

Costs are gross amounts. A vehicle's share of its contract's installments is each installment's
gross divided evenly by the number of vehicles of the contract (rounded half-up to the grosz);
a damage costs what the insurer did not cover (repair cost less the covered amount). Totals are
one grouped query per cost kind, whatever the number of vehicles or rows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import (
    CharField,
    Count,
    DateField,
    F,
    Func,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Round, TruncMonth
from django.utils.translation import gettext_lazy as _

from contracts.models import Installment, LeasedAsset
from contracts.selectors import scope_to_user, visibility_scope
from contracts.selectors.scope import contract_number_filter
from ebok.datacache import company_cached
from ebok.money import ZERO, to_money

from ...models import Damage, FuelTransaction, ServiceVisit
from .scope import (
    MONEY_OUTPUT,
    dated,
    filter_records,
    fleet_vehicles,
    fuel_day,
    money,
    scope_records,
    vehicle_text_filter,
)


class CostKind:
    INSTALLMENT = "installment"
    FUEL = "fuel"
    SERVICE = "service"
    DAMAGE = "damage"

    ALL = (INSTALLMENT, FUEL, SERVICE, DAMAGE)
    choices = [
        (INSTALLMENT, _("raty leasingowe")),
        (FUEL, _("paliwo i karta paliwowa")),
        (SERVICE, _("serwis")),
        (DAMAGE, _("szkody (część niepokryta)")),
    ]

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {key: str(label) for key, label in cls.choices}


@dataclass(frozen=True)
class CostFilters:
    q: str | None = None  # registration, make, model, VIN
    contract: str | None = None
    kind: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


# --- The costs of each kind --------------------------------------------------------------------


def _vehicle_count() -> Subquery:
    """How many vehicles the row's contract has (the installment's divisor)."""
    counted = (
        LeasedAsset.objects.filter(contract=OuterRef("contract_id"))
        .order_by()
        .annotate(n=Func(F("pk"), function="COUNT"))
        .values("n")
    )
    return Subquery(counted, output_field=IntegerField())


def _installment_costs(*, user, filters: CostFilters, shared: bool = True) -> QuerySet:
    """One row per (installment, vehicle) of the visible CFM contracts: the vehicle's share of
    the installment's gross (divided by the contract's vehicles, half-up). Not `shared`: the
    whole gross, which `vehicle_share` divides (a page of rows divides only its own rows,
    where the count per row in SQL would run for every installment before the page is cut)."""
    installments = scope_to_user(
        Installment.objects.filter(contract__fleet_management=True), user=user
    )
    installments = installments.annotate(asset_id=F("contract__assets__id")).filter(
        asset_id__isnull=False
    )
    if shared:
        installments = installments.annotate(
            vehicle_count=_vehicle_count(),
            cost=Round(F("gross") / F("vehicle_count"), 2, output_field=MONEY_OUTPUT),
        )
    else:
        installments = installments.annotate(cost=F("gross"))
    installments = installments.annotate(day=F("due_date"))
    installments = dated(installments, "due_date", filters)
    installments = contract_number_filter(installments, filters.contract)
    if filters.q:
        matching = vehicle_text_filter(fleet_vehicles(user=user), filters.q, path="")
        installments = installments.filter(asset_id__in=matching.values("pk"))
    return installments


# The fleet records that are costs: their kind, model, day and cost.
_RECORD_COSTS = (
    (CostKind.FUEL, FuelTransaction, fuel_day, lambda: F("gross")),
    (CostKind.SERVICE, ServiceVisit, lambda: F("date"), lambda: F("gross")),
    (
        CostKind.DAMAGE,
        Damage,
        lambda: F("occurred_on"),
        lambda: money(F("repair_cost") - F("covered_amount")),
    ),
)


def _cost_sources(*, user, filters: CostFilters, shared: bool = True) -> dict[str, QuerySet]:
    """Each cost kind as a queryset with `day` (a date), `asset_id`, `cost` (gross), filtered
    (installments not `shared`: their whole gross, see `_installment_costs`)."""
    installments = _installment_costs(user=user, filters=filters, shared=shared)
    sources = {CostKind.INSTALLMENT: installments}
    for kind, model, day, cost in _RECORD_COSTS:
        records = filter_records(scope_records(model.objects.all(), user=user), filters)
        sources[kind] = records.annotate(day=day(), cost=cost())
    # A damage the insurer covered in full costs nothing.
    sources[CostKind.DAMAGE] = sources[CostKind.DAMAGE].filter(repair_cost__gt=F("covered_amount"))
    if filters.kind:
        sources = {filters.kind: sources[filters.kind]}
    return sources


def _grouped_costs(
    *, user, filters: CostFilters, by: str, **where: Any
) -> Iterator[tuple[str, Any, Decimal, int]]:
    """(kind, group, total, rows) of the costs matching `filters` and `where`, grouped by `by`
    ("asset_id", or "month": the first day of the cost's month): one query per kind."""
    for kind, queryset in _cost_sources(user=user, filters=filters).items():
        queryset = queryset.filter(**where)
        if by == "month":
            queryset = queryset.annotate(month=TruncMonth("day", output_field=DateField()))
        grouped = (
            queryset.order_by()
            .values(by)
            .annotate(total=Sum("cost"), n=Count("pk"))
            .values_list(by, "total", "n")
        )
        for key, total, n in grouped:
            yield kind, key, to_money(total or 0), n


# --- The cost list -----------------------------------------------------------------------------

# The columns of a merged cost row, in order (the union needs the same columns everywhere).
COST_COLUMNS = (
    "c_day",
    "c_kind",
    "c_asset",
    "c_registration",
    "c_make",
    "c_model",
    "c_contract",
    "c_detail",
    "c_cost",
    "c_pk",
    "c_contract_id",
)


def _cost_rows_of(kind: str, queryset: QuerySet) -> QuerySet:
    asset = "contract__assets__" if kind == CostKind.INSTALLMENT else "asset__"
    detail = {
        CostKind.INSTALLMENT: Cast("number", output_field=CharField()),
        CostKind.FUEL: F("station"),
        CostKind.SERVICE: F("workshop"),
        CostKind.DAMAGE: F("place"),
    }[kind]
    return (
        queryset.order_by()
        .annotate(
            c_day=F("day"),
            c_kind=Value(kind, output_field=CharField()),
            c_asset=F("asset_id"),
            c_registration=F(f"{asset}registration_number"),
            c_make=F(f"{asset}make"),
            c_model=F(f"{asset}model"),
            c_contract=F("contract__number"),
            c_detail=detail,
            c_cost=F("cost"),
            c_pk=F("pk"),
            c_contract_id=F("contract_id"),
        )
        .values_list(*COST_COLUMNS)
    )


def cost_rows(*, user, filters: CostFilters, shared: bool = True) -> QuerySet:
    """Every cost of the visible fleet matching `filters`, newest first, as plain tuples of
    `COST_COLUMNS` (one UNION ALL query; a slice of it is one page). Not `shared`: an
    installment's `c_cost` is its whole gross, for `vehicle_share` to divide (the list page:
    2 ms for a page instead of 75 ms for every installment of a 200-contract bench fleet)."""
    sources = _cost_sources(user=user, filters=filters, shared=shared)
    parts = [_cost_rows_of(kind, queryset) for kind, queryset in sources.items()]
    merged = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    # An installment is a row per vehicle of its contract: its vehicle makes the order total,
    # so that pages never overlap.
    return merged.order_by("-c_day", "c_kind", "-c_pk", "c_asset")


def cost_page_rows(
    *, user, filters: CostFilters, summary: CostSummary, start: int, stop: int
) -> list[tuple]:
    """Rows `start:stop` of `cost_rows(shared=False)` (a page), read from just the months they
    fall in: `summary` (the same filters' cached monthly counts, newest first) says which
    months hold them and how many newer rows come before, so the query sorts a month or two
    of costs instead of every cost of the fleet (at --scale 200: 1 ms instead of 8 ms).

    Kept per company data version like the summary it is cut by: building the four-part
    UNION alone takes about 3 ms, which put the cost list at 2.7× the minimal page at
    --scale 1000 (2.3× with the page kept)."""
    if start >= stop:
        return []
    key = f"fleet-cost-page:{visibility_scope(user)}:{filters!r}:{start}:{stop}"

    def compute() -> list[tuple]:
        return _cost_page_rows(user=user, filters=filters, summary=summary, start=start, stop=stop)

    return company_cached(user.company_id, key, compute)


def _cost_page_rows(
    *, user, filters: CostFilters, summary: CostSummary, start: int, stop: int
) -> list[tuple]:
    newer, first, last = 0, None, None  # rows before `first` (the newest month needed)
    for month in summary.months:
        if first is None and newer + month.count <= start:
            newer += month.count
            continue
        if first is None:
            first, seen = month.month, newer
        last = month.month
        seen += month.count
        if seen >= stop:
            break
    if first is None:  # the summary is stale: read the whole range as before
        return list(cost_rows(user=user, filters=filters, shared=False)[start:stop])
    window = dataclasses.replace(
        filters,
        date_from=max(filter(None, (filters.date_from, last))),
        date_to=min(filter(None, (filters.date_to, first + relativedelta(months=1, days=-1)))),
    )
    rows = cost_rows(user=user, filters=window, shared=False)
    return list(rows[start - newer : stop - newer])


def vehicles_per_contract(*, user) -> dict[int, int]:
    """How many vehicles each CFM contract of the company has (an installment's divisor):
    kept per company data version."""

    def compute() -> dict[int, int]:
        contracts = LeasedAsset.objects.filter(
            contract__company_id=user.company_id, contract__fleet_management=True
        )
        counted = contracts.order_by().values("contract_id").annotate(n=Count("pk"))
        return {row["contract_id"]: row["n"] for row in counted}

    return company_cached(user.company_id, "fleet-vehicles-per-contract", compute)


def vehicle_share(gross: Decimal, vehicles: int) -> Decimal:
    """A vehicle's share of an installment: as `_installment_costs` computes it in SQL
    (ROUND half away from zero; amounts are never negative here)."""
    return to_money(gross / vehicles)


# --- Totals ------------------------------------------------------------------------------------


class ByKind:
    """Amounts by cost kind (`by_kind`), their total and each kind by name."""

    by_kind: dict[str, Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.by_kind.values(), ZERO)

    def of(self, kind: str) -> Decimal:
        return self.by_kind.get(kind, ZERO)

    installments = property(lambda self: self.of(CostKind.INSTALLMENT))
    fuel = property(lambda self: self.of(CostKind.FUEL))
    service = property(lambda self: self.of(CostKind.SERVICE))
    damages = property(lambda self: self.of(CostKind.DAMAGE))


@dataclass
class MonthCosts(ByKind):
    month: dt.date  # the first day
    by_kind: dict[str, Decimal] = field(default_factory=dict)
    count: int = 0


@dataclass
class CostSummary(ByKind):
    months: list[MonthCosts]  # newest first
    count: int
    by_kind: dict[str, Decimal]


def _months(*, user, filters: CostFilters, **where: Any) -> dict[dt.date, MonthCosts]:
    months: dict[dt.date, MonthCosts] = {}
    for kind, month, total, n in _grouped_costs(user=user, filters=filters, by="month", **where):
        entry = months.setdefault(month, MonthCosts(month=month))
        entry.by_kind[kind] = entry.of(kind) + total
        entry.count += n
    return months


def cost_summary(*, user, filters: CostFilters) -> CostSummary:
    """The per-month totals of `cost_rows` by kind, and how many rows there are: kept per
    company data version (past months change only with the data)."""

    def compute() -> CostSummary:
        ordered = sorted(
            _months(user=user, filters=filters).values(), key=lambda m: m.month, reverse=True
        )
        by_kind: dict[str, Decimal] = {}
        for month in ordered:
            for kind, amount in month.by_kind.items():
                by_kind[kind] = by_kind.get(kind, ZERO) + amount
        return CostSummary(months=ordered, count=sum(m.count for m in ordered), by_kind=by_kind)

    key = f"fleet-cost-summary:{visibility_scope(user)}:{filters!r}"
    return company_cached(user.company_id, key, compute)


def costs_by_vehicle(
    *, user, ids: Sequence[int], start: dt.date, end: dt.date
) -> dict[int, Decimal]:
    """What each vehicle of `ids` cost from `start` to `end` (both included): four grouped
    queries over just those vehicles, whatever their number, kept per company data version."""
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    if not ids:
        return totals

    def compute() -> dict[int, Decimal]:
        found: dict[int, Decimal] = {}
        filters = CostFilters(date_from=start, date_to=end)
        for _kind, asset_id, total, _n in _grouped_costs(
            user=user, filters=filters, by="asset_id", asset_id__in=list(ids)
        ):
            found[asset_id] = found.get(asset_id, ZERO) + total
        return found

    key = f"fleet-vehicle-costs:{visibility_scope(user)}:{start}:{end}:{sorted(ids)}"
    totals.update(company_cached(user.company_id, key, compute))
    return totals


def month_starts(*, today: dt.date, count: int = 12) -> list[dt.date]:
    """The first days of the last `count` months, the current one last."""
    current = today.replace(day=1)
    return [current - relativedelta(months=n) for n in range(count - 1, -1, -1)]


@dataclass(frozen=True)
class VehicleMonth:
    month: dt.date
    current: MonthCosts
    previous: MonthCosts  # the same month a year earlier


def vehicle_monthly_costs(*, user, vehicle: LeasedAsset, today: dt.date) -> list[VehicleMonth]:
    """The vehicle's costs per month for the last 12 months (oldest first), each with the same
    month of the previous year: one grouped query per cost kind over the 24 months."""
    months = month_starts(today=today)
    first = months[0] - relativedelta(years=1)
    last = months[-1] + relativedelta(months=1, days=-1)
    filters = CostFilters(date_from=first, date_to=last)
    found = _months(user=user, filters=filters, asset_id=vehicle.pk)

    def of(month: dt.date) -> MonthCosts:
        return found.get(month, MonthCosts(month=month))

    return [
        VehicleMonth(month=month, current=of(month), previous=of(month - relativedelta(years=1)))
        for month in months
    ]
