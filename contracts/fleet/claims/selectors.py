"""Reads of damages and claims, always scoped to the signed-in client user: their company's
rows, narrowed to the contracts a restricted user sees. Another company's claim or photo, or
one on a contract the user does not see, is a 404."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from contracts.models import LeasedAsset
from contracts.selectors import user_sees_all_contracts
from ebok.datacache import company_cached

from ..models import Damage, DamagePhoto, DamageStatusChange

REPORT_VEHICLES_MAX = 2000  # a select of more is no longer a choice a person makes


def _scoped(queryset: QuerySet, *, user, path: str = "contract") -> QuerySet:
    queryset = queryset.filter(**{f"{path}__company_id": user.company_id})
    if not user_sees_all_contracts(user):
        queryset = queryset.filter(**{f"{path}__restricted_users": user})
    return queryset


def visible_damages(*, user) -> QuerySet[Damage]:
    damages = Damage.objects.filter(company_id=user.company_id)
    if not user_sees_all_contracts(user):
        damages = damages.filter(contract__restricted_users=user)
    return damages


def report_vehicles(*, user) -> QuerySet[LeasedAsset]:
    """The vehicles a user may report a damage of: of the CFM contracts they see, running ones
    first (an ended contract's car may still have a late claim), by registration."""
    assets = _scoped(LeasedAsset.objects.all(), user=user).filter(
        contract__fleet_management=True,
        kind__in=(
            LeasedAsset.Kind.PASSENGER_CAR,
            LeasedAsset.Kind.VAN,
            LeasedAsset.Kind.TRUCK,
            LeasedAsset.Kind.TRAILER,
        ),
    )
    return assets.select_related("contract").order_by("registration_number", "pk")


def report_vehicle_choices(*, user) -> list[tuple[int, str]]:
    """(id, "WX 12345 – Make Model (contract)") of `report_vehicles`, at most
    REPORT_VEHICLES_MAX, kept until the company's data changes: the report form of a large
    fleet (~600 vehicles) built them from model instances at every request (3.5x the minimal
    page on the bench's scale company; plain values from the cache: within 2.5x)."""

    def compute() -> list[tuple[int, str]]:
        rows = report_vehicles(user=user).values_list(
            "pk", "registration_number", "make", "model", "contract__number"
        )
        return [
            (pk, f"{plate or '—'} – {make} {model} ({contract})")
            for pk, plate, make, model, contract in rows[:REPORT_VEHICLES_MAX]
        ]

    scope = "all" if user_sees_all_contracts(user) else f"user:{user.pk}"
    return company_cached(user.company_id, f"fleet:report-vehicles:{scope}", compute)


def get_damage_for_user(*, user, pk: int) -> Damage:
    damage = (
        visible_damages(user=user)
        .select_related("asset", "contract", "policy", "reported_by")
        .filter(pk=pk)
        .first()
    )
    if damage is None:
        raise Http404
    return damage


def damage_history(damage: Damage) -> list[DamageStatusChange]:
    return list(damage.status_changes.order_by("at", "pk"))


def damage_photos(damage: Damage) -> list[DamagePhoto]:
    return list(damage.photos.order_by("pk"))


def get_photo_for_user(*, user, damage_pk: int, pk: int) -> DamagePhoto:
    photo = (
        DamagePhoto.objects.filter(pk=pk, damage_id=damage_pk)
        .filter(damage__in=visible_damages(user=user))
        .first()
    )
    if photo is None:
        raise Http404
    return photo


# The badge of each claim status (the portal's badge palette: open ones stand out).
STATUS_CSS = {
    Damage.Status.REPORTED: "ebok-badge-expiring",
    Damage.Status.REGISTERED: "ebok-badge-info",
    Damage.Status.INSPECTION: "ebok-badge-partial",
    Damage.Status.REPAIR: "ebok-badge-partial",
    Damage.Status.SETTLED: "ebok-badge-paid",
    Damage.Status.REJECTED: "ebok-badge-overdue",
    Damage.Status.CLOSED: "ebok-badge-muted",
}


def status_css(status: str) -> str:
    return STATUS_CSS.get(status, "ebok-badge-info")
