"""The client pages of "Flota": vehicles, one vehicle, and the lists of service visits, fuel
transactions, damages and costs (with their Excel downloads).

Every view is `client_required(Perm.FLEET)` and reads through `.selectors`, which scope
everything to the user's company, its CFM contracts and the user's visible contracts (anything
else: 404). HTMX requests get only the part of the page they replace (`ebok.lists.render_list`).

The five lists are one view and one page (`templates/fleet/list.html`) told apart by a
`lists.FleetList`: their texts, filter fields, table template, rows and report.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts.permissions import Perm, client_required, has_perm
from ebok.dates import today as business_today
from ebok.export_views import export_response
from ebok.exports import export_params
from ebok.lists import paginate, render_list
from ebok.money import format_count

from . import chart, lists, rows, selectors, tables
from .forms import TimelineForm

TIMELINE_PAGE = 20

fleet_view = client_required(Perm.FLEET)


# --- The lists -----------------------------------------------------------------------------------


def fleet_list(page: lists.FleetList) -> Callable[[HttpRequest], HttpResponse]:
    """The view of a list: its filters applied, its rows read, the page or its `results`."""

    @require_GET
    @fleet_view
    def view(request: HttpRequest) -> HttpResponse:
        form = page.form(request.GET)
        context = page.read(request, form)
        context["table_rows"] = page.rows(context["page_obj"].object_list, **context)
        found = format_count(context["page_obj"].paginator.count)
        context.update(
            page=page,
            form=form,
            section=page.section,
            filter_fields=[(form[name], columns) for name, columns in page.filters],
            summary=page.summary % {"total": found},
            excel_url=reverse(f"fleet:{page.section}_xlsx"),
            contract_numbers=selectors.fleet_contract_numbers(user=request.user),
        )
        return render_list(request, "fleet/list.html", context, partial="results")

    return view


def fleet_export(page: lists.FleetList) -> Callable[[HttpRequest], HttpResponse]:
    """The list's Excel report, with the list's current filters."""

    @require_GET
    @fleet_view
    def view(request: HttpRequest) -> HttpResponse:
        params = export_params(page.form(request.GET))
        return export_response(request, kind=page.export, params=params)

    return view


vehicle_list, vehicles_xlsx = fleet_list(lists.VEHICLES), fleet_export(lists.VEHICLES)
service_list, service_xlsx = fleet_list(lists.SERVICE), fleet_export(lists.SERVICE)
fuel_list, fuel_xlsx = fleet_list(lists.FUEL), fleet_export(lists.FUEL)
damage_list, damages_xlsx = fleet_list(lists.DAMAGES), fleet_export(lists.DAMAGES)
cost_list, costs_xlsx = fleet_list(lists.COSTS), fleet_export(lists.COSTS)


# --- One vehicle ---------------------------------------------------------------------------------


@require_GET
@fleet_view
def vehicle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    vehicle = selectors.get_vehicle_for_user(user=request.user, pk=pk)
    form = TimelineForm(request.GET)
    today = business_today()
    figures = selectors.vehicle_figures(user=request.user, vehicle=vehicle, today=today)
    page = paginate(
        selectors.vehicle_timeline(vehicle=vehicle),
        form.page_number,
        TIMELINE_PAGE,
        count=figures.timeline_count,
    )
    page.object_list = rows.timeline_entries(page.object_list)
    months = figures.months
    cost_chart = chart.cost_chart(months)
    context = {
        "vehicle": vehicle,
        "form": form,
        "page_obj": page,
        "table_rows": tables.timeline_rows(page.object_list),
        "policies": selectors.claims_contacts(vehicle=vehicle, today=today),
        "chart": cost_chart,
        "chart_rows": tables.chart_rows(cost_chart["groups"]),
        "chart_bars": tables.chart_bars(cost_chart),
        "chart_description": tables.chart_description(cost_chart),
        "consumption": figures.consumption,
        "consumption_from": months[0].month,
        "last_mileage": figures.last_mileage,
        "can_see_contracts": has_perm(request.user, Perm.CONTRACTS),
    }
    return render_list(request, "fleet/vehicle.html", context, partial="timeline")
