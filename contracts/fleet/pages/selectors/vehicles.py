"""The vehicle list and one vehicle's page: its timeline, policies, mileage and consumption."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    CharField,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast
from django.utils import timezone

from contracts.models import InsurancePolicy, LeasedAsset
from contracts.selectors import visibility_scope
from contracts.selectors.scope import contract_number_filter
from ebok.datacache import company_cached
from ebok.lists import order_by_key

from ...models import Damage, FuelTransaction, MileageReading, ServiceVisit
from .costs import CostKind, VehicleMonth, vehicle_monthly_costs
from .scope import fleet_vehicles, fuel_day, money, vehicle_text_filter

# --- The vehicle list --------------------------------------------------------------------------

VEHICLE_ORDERINGS = {
    "registration": ("registration_number", "pk"),
    "vehicle": ("make", "model", "pk"),
    "contract": ("contract__number", "registration_number", "pk"),
    "mileage": ("last_mileage", "pk"),
    "damages": ("open_damages", "registration_number", "pk"),
}


@dataclass(frozen=True)
class VehicleFilters:
    q: str | None = None
    contract: str | None = None
    sort: str = "registration"


def _last_mileage() -> Subquery:
    readings = MileageReading.objects.filter(asset=OuterRef("pk")).order_by("-read_on", "-id")
    return Subquery(readings.values("mileage_km")[:1], output_field=IntegerField())


def _open_damages() -> Subquery:
    damages = (
        Damage.objects.filter(asset=OuterRef("pk"), status__in=Damage.OPEN_STATUSES)
        .order_by()
        .annotate(n=Func(F("pk"), function="COUNT"))
        .values("n")
    )
    return Subquery(damages, output_field=IntegerField())


def vehicle_list(*, user, filters: VehicleFilters) -> QuerySet[LeasedAsset]:
    vehicles = fleet_vehicles(user=user)
    vehicles = vehicle_text_filter(vehicles, filters.q, path="")
    vehicles = contract_number_filter(vehicles, filters.contract)
    vehicles = vehicles.annotate(last_mileage=_last_mileage(), open_damages=_open_damages())
    vehicles = vehicles.select_related("contract").only(
        "make",
        "model",
        "registration_number",
        "serial_number",
        "production_year",
        "contract__number",
        "contract__fleet_management",
    )
    return order_by_key(vehicles, filters.sort, VEHICLE_ORDERINGS)


# --- One vehicle -------------------------------------------------------------------------------


def claims_contacts(*, vehicle: LeasedAsset, today: dt.date) -> list[InsurancePolicy]:
    """The vehicle's policies in force today (its own, and its contract's policies that name no
    vehicle) with where to report a claim."""
    policies = InsurancePolicy.objects.filter(
        Q(asset=vehicle) | Q(asset__isnull=True, contract_id=vehicle.contract_id),
        valid_from__lte=today,
        valid_to__gte=today,
    )
    return list(policies.order_by("type", "valid_to", "pk"))


def last_mileage(*, vehicle: LeasedAsset) -> MileageReading | None:
    return MileageReading.objects.filter(asset=vehicle).order_by("-read_on", "-id").first()


TIMELINE_COLUMNS = (
    "t_kind",
    "t_day",
    "t_pk",
    "t_title",
    "t_detail",
    "t_amount",
    "t_status",
    "t_km",
)


def _timeline_part(queryset: QuerySet, kind: str, **columns) -> QuerySet:
    return (
        queryset.order_by()
        .annotate(t_kind=Value(kind, output_field=CharField()), t_pk=F("pk"), **columns)
        .values_list(*TIMELINE_COLUMNS)
    )


def vehicle_timeline(*, vehicle: LeasedAsset) -> QuerySet:
    """Service visits, damages and fuel of the vehicle merged, newest first (one query):
    tuples of `TIMELINE_COLUMNS`. `t_detail` is the scope, claim number or product; `t_status`
    the damage's status or the litres bought."""
    service = _timeline_part(
        ServiceVisit.objects.filter(asset=vehicle),
        CostKind.SERVICE,
        t_day=F("date"),
        t_title=F("workshop"),
        t_detail=F("scope"),
        t_amount=F("gross"),
        t_status=Value("", output_field=CharField()),
        t_km=F("mileage_km"),
    )
    damages = _timeline_part(
        Damage.objects.filter(asset=vehicle),
        CostKind.DAMAGE,
        t_day=F("occurred_on"),
        t_title=F("place"),
        t_detail=F("claim_number"),
        t_amount=money(F("repair_cost") - F("covered_amount")),
        t_status=F("status"),
        t_km=Value(None, output_field=IntegerField()),
    )
    fuel = _timeline_part(
        FuelTransaction.objects.filter(asset=vehicle),
        CostKind.FUEL,
        t_day=fuel_day(),
        t_title=F("station"),
        t_detail=F("product"),
        t_amount=F("gross"),
        t_status=Cast("litres", output_field=CharField()),
        t_km=F("mileage_km"),
    )
    return service.union(damages, fuel, all=True).order_by("-t_day", "t_kind", "-t_pk")


@dataclass(frozen=True)
class Consumption:
    """Fuel used per 100 km between the first and the last odometer reading of a period."""

    litres: Decimal
    km: int
    first_day: dt.date
    last_day: dt.date

    @property
    def per_100_km(self) -> Decimal:
        return (self.litres * 100 / self.km).quantize(Decimal("0.1"))


def vehicle_consumption(
    *, vehicle: LeasedAsset, start: dt.date, end: dt.date
) -> Consumption | None:
    """Litres of fuel (petrol, diesel, LPG) bought after the first odometer reading of the period
    and up to the last one, per 100 km driven between them; None without two readings that
    differ, or without fuel between them.

    Readings are the mileage readings and the fuel transactions that carry a mileage; a reading
    known only by its date counts as taken at the end of that day. Two queries, bounded by one
    vehicle's period.
    """
    zone = timezone.get_current_timezone()

    def end_of(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time.max, tzinfo=zone)

    points = [
        (end_of(day), km)
        for day, km in MileageReading.objects.filter(
            asset=vehicle, read_on__gte=start, read_on__lte=end
        ).values_list("read_on", "mileage_km")
    ]
    window = (
        dt.datetime.combine(start, dt.time.min, tzinfo=zone),
        end_of(end),
    )
    fuel = list(
        FuelTransaction.objects.filter(asset=vehicle, occurred_at__range=window)
        .filter(Q(product__in=FuelTransaction.FUELS) | Q(mileage_km__isnull=False))
        .values_list("occurred_at", "mileage_km", "product", "litres")
    )
    points += [(moment, km) for moment, km, _product, _litres in fuel if km is not None]
    if len(points) < 2:
        return None
    points.sort()
    (first_moment, first_km), (last_moment, last_km) = points[0], points[-1]
    km = last_km - first_km
    litres = sum(
        (
            litres
            for moment, _km, product, litres in fuel
            if product in FuelTransaction.FUELS and first_moment < moment <= last_moment
        ),
        Decimal(0),
    )
    if km <= 0 or not litres:
        return None
    return Consumption(
        litres=litres,
        km=km,
        first_day=timezone.localtime(first_moment, zone).date(),
        last_day=timezone.localtime(last_moment, zone).date(),
    )


@dataclass(frozen=True)
class VehicleFigures:
    """What the vehicle's page computes from its whole history: kept per company data version
    (`vehicle_figures`), since past months do not change unless the data does."""

    months: list[VehicleMonth]  # the last 12, oldest first (`costs.vehicle_monthly_costs`)
    consumption: Consumption | None  # since the first of those months
    last_mileage: MileageReading | None
    timeline_count: int  # rows of `vehicle_timeline`


def vehicle_figures(*, user, vehicle: LeasedAsset, today: dt.date) -> VehicleFigures:
    """The vehicle's cost months, consumption, last reading and timeline length: computed once
    per data version of the company (fleet records, contracts and installments all make it new)
    and business day; a cached read is one round trip to the cache instead of eight queries."""

    def compute() -> VehicleFigures:
        months = vehicle_monthly_costs(user=user, vehicle=vehicle, today=today)
        return VehicleFigures(
            months=months,
            consumption=vehicle_consumption(vehicle=vehicle, start=months[0].month, end=today),
            last_mileage=last_mileage(vehicle=vehicle),
            timeline_count=vehicle_timeline(vehicle=vehicle).count(),
        )

    key = f"fleet-vehicle:{visibility_scope(user)}:{vehicle.pk}:{today.isoformat()}"
    return company_cached(user.company_id, key, compute)
