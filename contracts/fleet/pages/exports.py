"""Excel reports of the "Flota" lists: vehicles, service visits, fuel transactions, damages, costs.

Each report re-applies the list's own filter form and selector to the saved query string, so
the file holds exactly the rows the list shows (all pages). A report is its cells: a column and
the fields that fill it, read as plain tuples with one `values_list(...).iterator()`. Workshop,
station and place names are the core system's or the user's text: the shared writer keeps any
that look like formulas as text.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.permissions import Perm, has_perm
from ebok import exports
from ebok.dates import today as business_today
from ebok.exports import CHUNK, choice_labels, dated_filename, params_querydict
from ebok.xlsx import Column, Kind

from ..models import Damage, FuelTransaction, ServiceVisit
from . import selectors
from .forms import (
    CostFilterForm,
    DamageFilterForm,
    FuelFilterForm,
    ServiceFilterForm,
    VehicleFilterForm,
)
from .rows import CostWords, vehicle_name

# --- Cells: a report's columns and what fills them -----------------------------------------------


@dataclass(frozen=True)
class Cell:
    """A column of a report, filled with the values of `fields` shown by `show` (without it:
    the one field's value as it is)."""

    column: Column
    fields: tuple[str, ...]
    show: Callable[..., Any] | None = None


def cell(column: Column, *fields: str, show: Callable[..., Any] | None = None) -> Cell:
    return Cell(column, fields, show)


def cell_rows(
    queryset: QuerySet, cells: Sequence[Cell], *, names: Sequence[str] | None = None
) -> Iterator[tuple[Any, ...]]:
    """The rows of `queryset` as `cells` show them, read in chunks: one `values_list` of every
    cell's fields, or, for a queryset that yields tuples already (a UNION), its column `names`."""
    if names is None:
        names = tuple(dict.fromkeys(name for each in cells for name in each.fields))
        queryset = queryset.values_list(*names)
    position = {name: index for index, name in enumerate(names)}
    picks = [(each.show, [position[name] for name in each.fields]) for each in cells]
    for row in queryset.iterator(chunk_size=CHUNK):
        yield tuple(
            show(*[row[i] for i in indexes]) if show else row[indexes[0]] for show, indexes in picks
        )


def list_report(
    *,
    key: str,
    title: Callable[[], str],
    filename: Callable[[exports.Params], str],
    form: Callable[..., Any],
    selector: Callable[..., QuerySet],
    cells: Callable[[], Sequence[Cell]],
    names: Sequence[str] | None = None,
) -> exports.ExportKind:
    """The report of a fleet list: the rows `selector` gives for the list's filter `form` bound
    to the saved query string, shown by `cells` (built when the report runs: translated)."""

    def queryset(user, params) -> QuerySet:
        return selector(user=user, filters=form(params_querydict(params)).filters())

    return exports.queryset_report(
        key=key,
        title=title,
        filename=filename,
        columns=lambda: [each.column for each in cells()],
        queryset=queryset,
        rows=lambda rows: cell_rows(rows, cells(), names=names),
        allowed=lambda user: has_perm(user, Perm.FLEET),
    )


def labelled(choices) -> Callable[[str], str]:
    """Shows a choice field's value by its label (translated once per report)."""
    labels = choice_labels(choices)
    return lambda value: labels.get(value, value)


def vehicle_cells(
    registration: str = "asset__registration_number",
    make: str = "asset__make",
    model: str = "asset__model",
    contract: str = "contract__number",
) -> list[Cell]:
    """The vehicle of a record: registration, "make model", contract number."""
    return [
        cell(Column(_("Nr rejestracyjny"), width=14), registration),
        cell(Column(_("Pojazd"), width=28), make, model, show=vehicle_name),
        cell(Column(_("Numer umowy"), width=18), contract),
    ]


def local_time(moment):
    """A stored moment as the Warsaw wall-clock time Excel shows (Excel has no time zones)."""
    return timezone.localtime(moment, timezone.get_current_timezone()).replace(tzinfo=None)


# --- The reports -------------------------------------------------------------------------------


def _vehicle_cells() -> list[Cell]:
    year = business_today().year
    return [
        cell(Column(_("Nr rejestracyjny"), width=14), "registration_number"),
        cell(Column(_("Marka"), width=16), "make"),
        cell(Column(_("Model"), width=28), "model"),
        cell(Column(_("VIN / nr seryjny"), width=22), "serial_number"),
        cell(Column(_("Rok produkcji"), Kind.INT, width=10), "production_year"),
        cell(Column(_("Numer umowy"), width=18), "contract__number"),
        cell(Column(_("Ostatni przebieg (km)"), Kind.INT, width=14), "last_mileage"),
        # The vehicle's id, replaced by its costs (read for each chunk of vehicles at once).
        cell(Column(_("Koszty w %(year)s r. (brutto)") % {"year": year}, Kind.MONEY), "pk"),
        cell(Column(_("Szkody w toku"), Kind.INT, width=10), "open_damages", show=lambda n: n or 0),
    ]


_VEHICLE_COSTS = 7  # the position of the costs cell


def _vehicle_rows(user, params) -> Iterator[tuple[Any, ...]]:
    """The vehicles in chunks; each chunk's costs since 1 January in four grouped queries."""
    today = business_today()
    vehicles = VehicleFilterForm(params_querydict(params)).filters()
    rows = cell_rows(selectors.vehicle_list(user=user, filters=vehicles), _vehicle_cells())
    while chunk := list(islice(rows, CHUNK)):
        costs = selectors.costs_by_vehicle(
            user=user,
            ids=[row[_VEHICLE_COSTS] for row in chunk],
            start=today.replace(month=1, day=1),
            end=today,
        )
        for row in chunk:
            yield (*row[:_VEHICLE_COSTS], costs[row[_VEHICLE_COSTS]], *row[_VEHICLE_COSTS + 1 :])


VEHICLES = dataclasses.replace(
    list_report(
        key="fleet_vehicles",
        title=lambda: _("Pojazdy floty"),
        filename=dated_filename(gettext_lazy("Pojazdy_floty")),
        form=VehicleFilterForm,
        selector=selectors.vehicle_list,
        cells=_vehicle_cells,
    ),
    rows=_vehicle_rows,
)


def _service_cells() -> list[Cell]:
    return [
        cell(Column(_("Data"), Kind.DATE), "date"),
        *vehicle_cells(),
        cell(Column(_("Warsztat"), width=28), "workshop"),
        cell(Column(_("Zakres"), width=22), "scope", show=labelled(ServiceVisit.Scope.choices)),
        cell(Column(_("Opis prac"), width=36), "description"),
        cell(Column(_("Przebieg (km)"), Kind.INT, width=12), "mileage_km"),
        cell(Column(_("Netto"), Kind.MONEY, width=14), "net"),
        cell(Column(_("Brutto"), Kind.MONEY, width=14), "gross"),
        cell(Column(_("Numer faktury"), width=20), "invoice_number"),
    ]


SERVICE = list_report(
    key="fleet_service",
    title=lambda: _("Serwis"),
    filename=dated_filename(gettext_lazy("Serwis_pojazdow")),
    form=ServiceFilterForm,
    selector=selectors.service_list,
    cells=_service_cells,
)


def _fuel_cells() -> list[Cell]:
    products = labelled(FuelTransaction.Product.choices)
    return [
        cell(Column(_("Data i godzina"), Kind.DATETIME), "occurred_at", show=local_time),
        *vehicle_cells(),
        cell(Column(_("Karta"), width=10), "card_number"),
        cell(Column(_("Stacja"), width=28), "station"),
        cell(Column(_("Produkt"), width=18), "product", show=products),
        cell(Column(_("Ilość (l / kWh)"), width=12), "litres"),  # a number, General format
        cell(Column(_("Przebieg (km)"), Kind.INT, width=12), "mileage_km"),
        cell(Column(_("Netto"), Kind.MONEY, width=14), "net"),
        cell(Column(_("Brutto"), Kind.MONEY, width=14), "gross"),
    ]


FUEL = list_report(
    key="fleet_fuel",
    title=lambda: _("Paliwo"),
    filename=dated_filename(gettext_lazy("Karty_paliwowe")),
    form=FuelFilterForm,
    selector=selectors.fuel_list,
    cells=_fuel_cells,
)


def _damage_cells() -> list[Cell]:
    return [
        cell(Column(_("Data zdarzenia"), Kind.DATE, width=14), "occurred_on"),
        *vehicle_cells(),
        cell(Column(_("Miejsce"), width=28), "place"),
        cell(Column(_("Opis"), width=40), "description"),
        cell(Column(_("Status szkody"), width=22), "status", show=labelled(Damage.Status.choices)),
        cell(Column(_("Ubezpieczyciel"), width=20), "insurer"),
        cell(Column(_("Numer szkody"), width=18), "claim_number"),
        cell(Column(_("Koszt naprawy brutto"), Kind.MONEY), "repair_cost"),
        cell(Column(_("Pokryte przez ubezpieczyciela"), Kind.MONEY), "covered_amount"),
        cell(Column(_("Koszt niepokryty"), Kind.MONEY), "not_covered_amount"),
        cell(Column(_("Prowadzący szkodę"), width=22), "handler_name"),
        cell(Column(_("Telefon"), width=16), "handler_phone"),
        cell(Column(_("E-mail"), width=26), "handler_email"),
    ]


DAMAGES = list_report(
    key="fleet_damages",
    title=lambda: _("Szkody"),
    filename=dated_filename(gettext_lazy("Szkody")),
    form=DamageFilterForm,
    selector=selectors.damage_list,
    cells=_damage_cells,
)


def _cost_cells() -> list[Cell]:
    words = CostWords()
    return [
        cell(Column(_("Data"), Kind.DATE), "c_day"),
        cell(Column(_("Rodzaj kosztu"), width=24), "c_kind", show=words.kind),
        *vehicle_cells("c_registration", "c_make", "c_model", "c_contract"),
        cell(Column(_("Szczegóły"), width=30), "c_kind", "c_detail", show=words.detail),
        cell(Column(_("Kwota brutto"), Kind.MONEY), "c_cost"),
    ]


COSTS = list_report(
    key="fleet_costs",
    title=lambda: _("Koszty floty"),
    filename=dated_filename(gettext_lazy("Koszty_floty")),
    form=CostFilterForm,
    selector=selectors.cost_rows,
    cells=_cost_cells,
    names=selectors.COST_COLUMNS,  # the cost rows are a UNION of these columns already
)


def register_reports() -> None:
    for kind in (VEHICLES, SERVICE, FUEL, DAMAGES, COSTS):
        exports.register(kind)
