"""The five lists of "Flota" (vehicles, service visits, fuel, damages, costs): what tells one
from another. `views.fleet_list` shows any of them on one page, `templates/fleet/list.html`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ebok.dates import today as business_today
from ebok.exports import ExportKind
from ebok.forms import ListFilterForm
from ebok.lists import paginate

from . import exports, forms, rows, selectors, tables

# The filter fields of the lists of records, with their grid columns.
RECORD_FILTERS = (
    ("q", "col-12 col-md-6 col-lg-3"),
    ("contract", "col-12 col-md-6 col-lg-3"),
    ("kind", "col-12 col-md-4 col-lg-2"),
    ("date_from", "col-6 col-md-4 col-lg-2"),
    ("date_to", "col-6 col-md-4 col-lg-2"),
)


@dataclass(frozen=True)
class FleetList:
    """What tells one list of "Flota" from another."""

    section: str  # its tab, and its URL names: fleet:<section>, fleet:<section>_xlsx
    name: str  # the ids of its elements: "<name>-list" (what a filter replaces), "<name>-filter"
    title: str  # of the browser tab, before "Flota" ("": "Flota" alone)
    heading: str
    lead: str
    summary: str  # above the table, "%(total)s": the number of rows found
    form: type[ListFilterForm]
    read: Callable[[HttpRequest, Any], dict[str, Any]]  # (request, bound form) -> page_obj...
    export: ExportKind
    # The page's `<tr>`s from (the page's rows, **the context `read` gave): `tables`.
    rows: Callable[..., str]
    filters: tuple[tuple[str, str], ...] = RECORD_FILTERS  # the fields, their grid columns
    note: str = ""  # under the table
    # A button beside the heading: (URL name, label, Bootstrap icon); none when empty.
    action: tuple[str, str, str] = ()

    @property
    def list_id(self) -> str:
        return f"{self.name}-list"

    @property
    def filter_id(self) -> str:
        return f"{self.name}-filter"

    @property
    def table(self) -> str:
        """Its table, which extends the list frame ebok/_list.html."""
        return f"fleet/_{self.section}_table.html"


def _vehicles(request: HttpRequest, form) -> dict[str, Any]:
    vehicles = selectors.vehicle_list(user=request.user, filters=form.filters())
    page = paginate(vehicles, form.page_number)
    today = business_today()
    costs = selectors.costs_by_vehicle(
        user=request.user,
        ids=[vehicle.pk for vehicle in page.object_list],
        start=today.replace(month=1, day=1),
        end=today,
    )
    for vehicle in page.object_list:
        vehicle.costs_this_year = costs[vehicle.pk]
    return {"page_obj": page, "year": today.year}


def _records(selector, **sums: str) -> Callable[[HttpRequest, Any], dict[str, Any]]:
    """A list of fleet records with its count and the sums of `sums` (RecordTotals' names)."""

    def read(request: HttpRequest, form) -> dict[str, Any]:
        records = selector(user=request.user, filters=form.filters())
        totals = selectors.record_totals(records, user=request.user, **sums)
        page = paginate(records, form.page_number, count=totals.count)
        return {"page_obj": page, "totals": totals}

    return read


def _costs(request: HttpRequest, form) -> dict[str, Any]:
    filters = form.filters()
    summary = selectors.cost_summary(user=request.user, filters=filters)
    # The page's number and bounds from the cached count; its rows: `cost_page_rows`.
    page = paginate([], form.page_number, count=summary.count)
    found = selectors.cost_page_rows(
        user=request.user,
        filters=filters,
        summary=summary,
        start=page.start_index() - 1 if summary.count else 0,
        stop=page.end_index(),
    )
    vehicles = selectors.vehicles_per_contract(user=request.user)
    page.object_list = rows.cost_entries(found, vehicles)
    return {
        "page_obj": page,
        "cost_summary": summary,
        "month_rows": tables.cost_month_rows(summary.months),
    }


VEHICLES = FleetList(
    section="vehicles",
    name="vehicle",
    title="",
    heading=_("Flota"),
    lead=_("Pojazdy umów z zarządzaniem flotą: przebieg, koszty i szkody w toku."),
    summary=_("Znalezione pojazdy: %(total)s"),
    form=forms.VehicleFilterForm,
    filters=(("q", "col-12 col-md-5"), ("contract", "col-12 col-md-4")),
    read=_vehicles,
    export=exports.VEHICLES,
    rows=tables.vehicle_rows,
    note=_(
        "Koszty brutto od 1 stycznia do dziś: udział pojazdu w ratach umowy (raty dzielimy po "
        "równo między pojazdy umowy), paliwo, serwis oraz część szkód niepokryta przez "
        "ubezpieczyciela."
    ),
)
SERVICE = FleetList(
    section="service",
    name="service",
    title=_("Serwis"),
    heading=_("Serwis"),
    lead=_("Wizyty serwisowe pojazdów floty: przeglądy, naprawy, opony."),
    summary=_("Znalezione wizyty: %(total)s"),
    form=forms.ServiceFilterForm,
    read=_records(selectors.service_list, net="net", gross="gross"),
    export=exports.SERVICE,
    rows=tables.service_rows,
)
FUEL = FleetList(
    section="fuel",
    name="fuel",
    title=_("Paliwo"),
    heading=_("Paliwo"),
    lead=_("Transakcje kartami paliwowymi pojazdów floty."),
    summary=_("Znalezione transakcje: %(total)s"),
    form=forms.FuelFilterForm,
    read=_records(selectors.fuel_list, net="net", gross="gross", litres="litres"),
    export=exports.FUEL,
    rows=tables.fuel_rows,
)
DAMAGES = FleetList(
    section="damages",
    name="damage",
    title=_("Szkody"),
    heading=_("Szkody"),
    lead=_("Szkody pojazdów floty i stan ich likwidacji."),
    summary=_("Znalezione szkody: %(total)s"),
    form=forms.DamageFilterForm,
    read=_records(selectors.damage_list, gross="repair_cost", covered="covered_amount"),
    export=exports.DAMAGES,
    rows=tables.damage_rows,
    action=("fleet:claim_report", _("Zgłoś szkodę"), "bi-exclamation-triangle"),
)
COSTS = FleetList(
    section="costs",
    name="cost",
    title=_("Koszty"),
    heading=_("Koszty floty"),
    lead=_(
        "Wszystkie koszty pojazdów: udział w ratach, paliwo, serwis i niepokryta część szkód, "
        "z sumami miesięcznymi."
    ),
    summary=_("Znalezione koszty: %(total)s"),
    form=forms.CostFilterForm,
    read=_costs,
    export=exports.COSTS,
    rows=tables.cost_rows,
    note=_(
        "Kwoty brutto. Raty leasingowe umowy dzielimy po równo między wszystkie jej pojazdy "
        "(zaokrąglenie do grosza); szkoda kosztuje tyle, ile ubezpieczyciel nie pokrył z kosztu "
        "naprawy."
    ),
)
