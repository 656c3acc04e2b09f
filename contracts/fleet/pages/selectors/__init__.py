"""Reads of the "Flota" pages, always scoped to the signed-in user (`from . import selectors`).

One module per subject: `scope` (who sees which vehicles and records; the filters every list
shares), `costs` (every cost as a row, totals by month, kind and vehicle), `lists` (service
visits, fuel, damages) and `vehicles` (the vehicle list and one vehicle's page).

Every page reads a constant number of queries: lists are one query for the rows (plus one for
totals), and what is added to the shown rows is read for those rows at once, grouped by vehicle
or month.

What is computed from a whole history (a vehicle's cost months and consumption, the lists'
counts and sums, the cost months, each vehicle's costs this year) is kept per company data
version (`ebok.datacache.company_cached`): saving a fleet row (`hooks`), the feed and the claim
services make it stale.
"""

from __future__ import annotations

from .costs import (
    COST_COLUMNS,
    CostFilters,
    CostKind,
    CostSummary,
    MonthCosts,
    VehicleMonth,
    cost_page_rows,
    cost_rows,
    cost_summary,
    costs_by_vehicle,
    month_starts,
    vehicle_monthly_costs,
    vehicle_share,
    vehicles_per_contract,
)
from .lists import (
    DAMAGE_ORDERINGS,
    FUEL_ORDERINGS,
    SERVICE_ORDERINGS,
    RecordTotals,
    damage_list,
    fuel_list,
    record_totals,
    service_list,
)
from .scope import (
    fleet_contract_numbers,
    fleet_contracts,
    fleet_vehicles,
    get_vehicle_for_user,
    has_fleet,
    scope_records,
)
from .vehicles import (
    TIMELINE_COLUMNS,
    VEHICLE_ORDERINGS,
    Consumption,
    VehicleFigures,
    VehicleFilters,
    claims_contacts,
    last_mileage,
    vehicle_consumption,
    vehicle_figures,
    vehicle_list,
    vehicle_timeline,
)

__all__ = [
    "COST_COLUMNS",
    "DAMAGE_ORDERINGS",
    "FUEL_ORDERINGS",
    "SERVICE_ORDERINGS",
    "TIMELINE_COLUMNS",
    "VEHICLE_ORDERINGS",
    "Consumption",
    "CostFilters",
    "CostKind",
    "CostSummary",
    "MonthCosts",
    "RecordTotals",
    "VehicleFigures",
    "VehicleFilters",
    "VehicleMonth",
    "claims_contacts",
    "cost_page_rows",
    "cost_rows",
    "cost_summary",
    "costs_by_vehicle",
    "damage_list",
    "fleet_contract_numbers",
    "fleet_contracts",
    "fleet_vehicles",
    "fuel_list",
    "get_vehicle_for_user",
    "has_fleet",
    "last_mileage",
    "month_starts",
    "record_totals",
    "scope_records",
    "service_list",
    "vehicle_consumption",
    "vehicle_figures",
    "vehicle_list",
    "vehicle_monthly_costs",
    "vehicle_share",
    "vehicle_timeline",
    "vehicles_per_contract",
]
