"""The merged rows of the timeline and the cost list, as the templates show them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from ..models import Damage, FuelTransaction, ServiceVisit
from .selectors import CostKind, vehicle_share


@dataclass(frozen=True)
class TimelineEntry:
    kind: str  # CostKind.SERVICE / DAMAGE / FUEL
    day: dt.date
    pk: int
    title: str  # the workshop, the place of the damage, the station
    detail: str  # the service scope, the claim number, the product
    amount: Decimal  # gross; for a damage: what the insurer did not cover
    status: str  # the damage's status label
    litres: Decimal | None
    mileage_km: int | None
    unit: str = ""  # of `litres`: "l", or "kWh" for electricity

    @property
    def is_damage(self) -> bool:
        return self.kind == CostKind.DAMAGE


def timeline_entries(rows: Iterable[tuple]) -> list[TimelineEntry]:
    scopes = dict(ServiceVisit.Scope.choices)
    products = dict(FuelTransaction.Product.choices)
    statuses = dict(Damage.Status.choices)
    entries = []
    for kind, day, pk, title, detail, amount, status, km in rows:
        litres, unit = None, ""
        if kind == CostKind.SERVICE:
            detail = str(scopes.get(detail, detail))
        elif kind == CostKind.FUEL:
            unit = "kWh" if detail == FuelTransaction.Product.ELECTRICITY else "l"
            detail = str(products.get(detail, detail))
            litres, status = Decimal(status), ""
        else:
            status = str(statuses.get(status, status))
        entries.append(
            TimelineEntry(
                kind=kind,
                day=day,
                pk=pk,
                title=title,
                detail=detail,
                amount=amount,
                status=status,
                litres=litres,
                mileage_km=km,
                unit=unit,
            )
        )
    return entries


class CostWords:
    """How a cost row reads, translated once per list or report: its kind's label, and the
    installment's number as "rata nr 7"."""

    def __init__(self) -> None:
        self.kinds = CostKind.labels()
        self.installment = _("rata nr %(number)s")

    def kind(self, kind: str) -> str:
        return self.kinds[kind]

    def detail(self, kind: str, detail: str) -> str:
        if kind == CostKind.INSTALLMENT:
            return self.installment % {"number": detail}
        return detail


def vehicle_name(make: str, model: str) -> str:
    return f"{make} {model}"


@dataclass(frozen=True)
class CostEntry:
    day: dt.date
    kind: str
    kind_label: str
    asset_id: int
    registration: str
    vehicle: str
    contract: str
    detail: str
    cost: Decimal


def cost_entries(
    rows: Iterable[tuple], vehicles_per_contract: dict[int, int] | None = None
) -> list[CostEntry]:
    """Rows of `selectors.cost_rows` (tuples of `COST_COLUMNS`) as the cost list shows them;
    with `vehicles_per_contract`, rows read with `shared=False`: an installment's whole gross,
    divided here."""
    words = CostWords()
    if vehicles_per_contract is not None:
        rows = [
            (*row[:8], vehicle_share(row[8], vehicles_per_contract[row[10]]), *row[9:])
            if row[1] == CostKind.INSTALLMENT
            else row
            for row in rows
        ]
    return [
        CostEntry(
            day=day,
            kind=kind,
            kind_label=words.kind(kind),
            asset_id=asset_id,
            registration=registration,
            vehicle=vehicle_name(make, model),
            contract=contract,
            detail=words.detail(kind, detail),
            cost=cost,
        )
        for day, kind, asset_id, registration, make, model, contract, detail, cost, *_ids in rows
    ]
