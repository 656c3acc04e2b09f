"""The rows of the "Flota" tables built in Python (see contracts.templatetags.contract_tables).

The tables around them (caption, heads, feet, the list frame ebok/_list.html) stay templates;
the views put these rows in the context as `table_rows` and the table templates print them.
Python rows: `python -m bench --scale 200` (2026-12-02, median of 20, ratio to the minimal
page) measured with template rows the vehicle page 3.9×, the vehicle list 3.4×, service 3.1×,
fuel 3.8×, damages 3.5×; with these rows (and the cached figures of `selectors`) 2.2×, 1.9×,
1.9×, 2.0×, 2.0× (at --scale 1000: 2.2×, 2.0×, 2.0×, 2.1×, 2.1×).

Escaping: every text from the database or a translation goes through `escape`; amounts, counts
and dates come from our own formatters (no markup).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.dates import MONTHS
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from ebok.dates import format_date
from ebok.lists import escape, pk_url
from ebok.money import format_amount, format_count, format_money

from ..models import Damage, FuelTransaction, ServiceVisit
from .rows import CostEntry, TimelineEntry
from .selectors import CostKind

DASH = "–"


def _label(text: str) -> str:
    return f' data-label="{escape(text)}"'


def _km(value: int | None) -> str:
    return DASH if value is None else f"{format_count(value)} km"


class _VehicleCell:
    """The vehicle cell of the record lists: its registration (a link), make, model, contract."""

    def __init__(self) -> None:
        self.url = pk_url("fleet:vehicle")

    def __call__(self, asset, contract) -> str:
        name = escape(asset.registration_number or asset.serial_number)
        sub = f"{escape(asset.make)} {escape(asset.model)} · {escape(contract.number)}"
        return f'<a href="{self.url(asset.pk)}">{name}</a><span class="ebok-sub">{sub}</span>'


def _rows(rows: list[str]) -> SafeString:
    return mark_safe("\n".join(rows))  # every text escaped where the row was built


# --- One vehicle's timeline ----------------------------------------------------------------------


def timeline_rows(entries: Iterable[TimelineEntry]) -> SafeString:
    """The `<tr>`s of the vehicle's history (templates/fleet/_timeline.html)."""
    claim_url = pk_url("fleet:claim_detail")
    day_l, event_l, detail_l = _label(_("Data")), _label(_("Zdarzenie")), _label(_("Szczegóły"))
    km_l = _label(_("Przebieg"))
    gross_l, not_covered_l = _label(_("Kwota brutto")), _label(_("Niepokryte"))
    service = f'<i class="bi bi-wrench" aria-hidden="true"></i> {escape(_("Serwis"))}'
    fuel = f'<i class="bi bi-fuel-pump" aria-hidden="true"></i> {escape(_("Karta paliwowa"))}'
    damage_icon = '<i class="bi bi-exclamation-triangle" aria-hidden="true"></i> '
    damage_word = escape(_("Szkoda"))
    not_covered = f'<span class="ebok-sub">{escape(_("niepokryte"))}</span>'
    rows = []
    for entry in entries:
        if entry.kind == CostKind.SERVICE:
            event = service
        elif entry.kind == CostKind.DAMAGE:
            event = f'{damage_icon}<a href="{claim_url(entry.pk)}">{damage_word}</a>'
        else:
            event = fuel
        sub = escape(entry.detail)
        if entry.status:
            sub += f" · {escape(entry.status)}"
        if entry.litres:
            sub += f" · {escape(localize(entry.litres))} {escape(entry.unit)}"
        amount = format_money(entry.amount)
        rows.append(
            "<tr>"
            f'<td class="tabular nowrap ebok-cell-main"{day_l}>{format_date(entry.day)}</td>'
            f"<td{event_l}>{event}</td>"
            f'<td{detail_l}>{escape(entry.title)}<span class="ebok-sub">{sub}</span></td>'
            f'<td class="num"{km_l}>{_km(entry.mileage_km)}</td>'
            + (
                f'<td class="num"{not_covered_l}>{amount}{not_covered}</td>'
                if entry.is_damage
                else f'<td class="num"{gross_l}>{amount}</td>'
            )
            + "</tr>"
        )
    return _rows(rows)


# --- The lists -----------------------------------------------------------------------------------


def vehicle_rows(vehicles: Iterable, *, year: int, **_context) -> SafeString:
    """The vehicle list (templates/fleet/_vehicles_table.html): `year` is this year, whose
    costs each vehicle carries (`costs_this_year`)."""
    vehicle_url = pk_url("fleet:vehicle")
    damages_url = reverse("fleet:damages")
    reg_l, vehicle_l, contract_l = (
        _label(_("Nr rejestracyjny")),
        _label(_("Pojazd")),
        _label(_("Umowa")),
    )
    km_l, damages_l = _label(_("Ostatni przebieg")), _label(_("Szkody w toku"))
    costs_l = _label(_("Koszty w %(year)s r.") % {"year": year})
    no_registration = escape(_("bez rejestracji"))
    no_data = f'<span class="ebok-muted">{escape(_("brak danych"))}</span>'
    rows = []
    for vehicle in vehicles:
        registration = escape(vehicle.registration_number) or no_registration
        year_sub = (
            f'<span class="ebok-sub">{escape(vehicle.production_year)}</span>'
            if vehicle.production_year
            else ""
        )
        mileage = no_data if vehicle.last_mileage is None else _km(vehicle.last_mileage)
        if vehicle.open_damages:
            query = urlencode({"q": vehicle.registration_number})
            damages = f'<a href="{damages_url}?{escape(query)}">{vehicle.open_damages}</a>'
        else:
            damages = "0"
        rows.append(
            "<tr>"
            f'<td class="ebok-cell-main nowrap"{reg_l}>'
            f'<a href="{vehicle_url(vehicle.pk)}">{registration}</a></td>'
            f"<td{vehicle_l}>{escape(vehicle.make)} {escape(vehicle.model)}{year_sub}</td>"
            f"<td{contract_l}>{escape(vehicle.contract.number)}</td>"
            f'<td class="num"{km_l}>{mileage}</td>'
            f'<td class="num"{costs_l}>{format_money(vehicle.costs_this_year)}</td>'
            f'<td class="num"{damages_l}>{damages}</td>'
            "</tr>"
        )
    return _rows(rows)


def service_rows(visits: Iterable[ServiceVisit], **_context) -> SafeString:
    """The service visits (templates/fleet/_service_table.html)."""
    vehicle = _VehicleCell()
    scopes = {key: escape(label) for key, label in ServiceVisit.Scope.choices}
    day_l, vehicle_l, workshop_l = _label(_("Data")), _label(_("Pojazd")), _label(_("Warsztat"))
    scope_l, km_l, net_l = _label(_("Zakres")), _label(_("Przebieg")), _label(_("Netto"))
    gross_l, invoice_l = _label(_("Brutto")), _label(_("Faktura"))
    rows = []
    for visit in visits:
        description = (
            f'<span class="ebok-sub">{escape(visit.description)}</span>'
            if visit.description
            else ""
        )
        rows.append(
            "<tr>"
            f'<td class="tabular nowrap ebok-cell-main"{day_l}>{format_date(visit.date)}</td>'
            f"<td{vehicle_l}>{vehicle(visit.asset, visit.contract)}</td>"
            f"<td{workshop_l}>{escape(visit.workshop)}</td>"
            f"<td{scope_l}>{scopes.get(visit.scope, escape(visit.scope))}{description}</td>"
            f'<td class="num"{km_l}>{_km(visit.mileage_km)}</td>'
            f'<td class="num"{net_l}>{format_amount(visit.net)}</td>'
            f'<td class="num fw-semibold"{gross_l}>{format_money(visit.gross)}</td>'
            f"<td{invoice_l}>{escape(visit.invoice_number or DASH)}</td>"
            "</tr>"
        )
    return _rows(rows)


def fuel_rows(transactions: Iterable[FuelTransaction], **_context) -> SafeString:
    """The fuel card transactions (templates/fleet/_fuel_table.html)."""
    vehicle = _VehicleCell()
    products = {key: escape(label) for key, label in FuelTransaction.Product.choices}
    when_l, vehicle_l, station_l = (
        _label(_("Data i godzina")),
        _label(_("Pojazd")),
        _label(_("Stacja")),
    )
    product_l, qty_l, km_l = _label(_("Produkt")), _label(_("Ilość")), _label(_("Przebieg"))
    net_l, gross_l = _label(_("Netto")), _label(_("Brutto"))
    card = _("karta …%(card)s")
    rows = []
    for fuel in transactions:
        card_sub = (
            f'<span class="ebok-sub">{escape(card % {"card": fuel.card_number})}</span>'
            if fuel.card_number
            else ""
        )
        if fuel.litres:
            unit = "kWh" if fuel.product == FuelTransaction.Product.ELECTRICITY else "l"
            quantity = f"{format_amount(fuel.litres)} {unit}"
        else:
            quantity = DASH
        when = format_date(fuel.occurred_at)
        rows.append(
            "<tr>"
            f'<td class="tabular nowrap ebok-cell-main"{when_l}>{when}</td>'
            f"<td{vehicle_l}>{vehicle(fuel.asset, fuel.contract)}</td>"
            f"<td{station_l}>{escape(fuel.station)}{card_sub}</td>"
            f"<td{product_l}>{products.get(fuel.product, escape(fuel.product))}</td>"
            f'<td class="num"{qty_l}>{quantity}</td>'
            f'<td class="num"{km_l}>{_km(fuel.mileage_km)}</td>'
            f'<td class="num"{net_l}>{format_amount(fuel.net)}</td>'
            f'<td class="num fw-semibold"{gross_l}>{format_money(fuel.gross)}</td>'
            "</tr>"
        )
    return _rows(rows)


def _damage_badge(damage: Damage) -> str:
    if damage.is_open:
        return "ebok-badge-partial"
    return {
        Damage.Status.REJECTED: "ebok-badge-overdue",
        Damage.Status.SETTLED: "ebok-badge-paid",
    }.get(damage.status, "ebok-badge-muted")


def damage_rows(damages: Iterable[Damage], **_context) -> SafeString:
    """The damages (templates/fleet/_damages_table.html)."""
    vehicle = _VehicleCell()
    claim_url = pk_url("fleet:claim_detail")
    statuses = {key: escape(label) for key, label in Damage.Status.choices}
    day_l, vehicle_l = _label(_("Data zdarzenia")), _label(_("Pojazd"))
    place_l = _label(_("Miejsce"))
    status_l, insurer_l = _label(_("Status")), _label(_("Ubezpieczyciel i nr szkody"))
    cost_l, covered_l, left_l = (
        _label(_("Koszt naprawy")),
        _label(_("Pokryte")),
        _label(_("Niepokryte")),
    )
    rows = []
    for damage in damages:
        claim = (
            f'<span class="ebok-sub">{escape(damage.claim_number)}</span>'
            if damage.claim_number
            else ""
        )
        status = statuses.get(damage.status, escape(damage.status))
        rows.append(
            "<tr>"
            f'<td class="tabular nowrap ebok-cell-main"{day_l}>'
            f'<a href="{claim_url(damage.pk)}">{format_date(damage.occurred_on)}</a></td>'
            f"<td{vehicle_l}>{vehicle(damage.asset, damage.contract)}</td>"
            f"<td{place_l}>{escape(damage.place)}</td>"
            f'<td{status_l}><span class="badge {_damage_badge(damage)}">{status}</span></td>'
            f"<td{insurer_l}>{escape(damage.insurer or DASH)}{claim}</td>"
            f'<td class="num"{cost_l}>{format_money(damage.repair_cost)}</td>'
            f'<td class="num"{covered_l}>{format_money(damage.covered_amount)}</td>'
            f'<td class="num fw-semibold"{left_l}>{format_money(damage.not_covered_amount)}</td>'
            "</tr>"
        )
    return _rows(rows)


def cost_rows(costs: Iterable[CostEntry], **_context) -> SafeString:
    """The cost list (templates/fleet/_costs_table.html)."""
    vehicle_url = pk_url("fleet:vehicle")
    day_l, kind_l, vehicle_l = _label(_("Data")), _label(_("Rodzaj kosztu")), _label(_("Pojazd"))
    detail_l, gross_l = _label(_("Szczegóły")), _label(_("Kwota brutto"))
    rows = []
    for cost in costs:
        name = escape(cost.registration or cost.vehicle)
        sub = f"{escape(cost.vehicle)} · {escape(cost.contract)}"
        rows.append(
            "<tr>"
            f'<td class="tabular nowrap ebok-cell-main"{day_l}>{format_date(cost.day)}</td>'
            f"<td{kind_l}>{escape(cost.kind_label)}</td>"
            f'<td{vehicle_l}><a href="{vehicle_url(cost.asset_id)}">{name}</a>'
            f'<span class="ebok-sub">{sub}</span></td>'
            f"<td{detail_l}>{escape(cost.detail)}</td>"
            f'<td class="num fw-semibold"{gross_l}>{format_money(cost.cost)}</td>'
            "</tr>"
        )
    return _rows(rows)


# --- Costs by month and kind ---------------------------------------------------------------------


def cost_kind_cells(costs) -> str:
    """The amount cells of a month of costs or of their total (templates/fleet/
    _cost_kind_cells.html): installments, fuel, service, damages and their total."""
    return (
        f'<td class="num"{_label(_("Raty (udział)"))}>{format_money(costs.installments)}</td>'
        f'<td class="num"{_label(_("Paliwo"))}>{format_money(costs.fuel)}</td>'
        f'<td class="num"{_label(_("Serwis"))}>{format_money(costs.service)}</td>'
        f'<td class="num"{_label(_("Szkody"))}>{format_money(costs.damages)}</td>'
        f'<td class="num fw-semibold"{_label(_("Razem"))}>{format_money(costs.total)}</td>'
    )


def _month_name(day) -> str:
    return escape(capfirst(f"{MONTHS[day.month]} {day.year}"))


def cost_month_rows(months: Iterable) -> SafeString:
    """The monthly sums above the cost list (templates/fleet/_cost_months.html)."""
    return _rows(
        [
            '<tr><th scope="row" class="fw-normal nowrap ebok-cell-main">'
            f"{_month_name(month.month)}</th>{cost_kind_cells(month)}</tr>"
            for month in months
        ]
    )


def chart_rows(groups: Iterable) -> SafeString:
    """The table under the vehicle's cost chart (templates/fleet/vehicle.html): each month's
    costs by kind and the same month a year earlier (`chart.cost_chart`'s groups)."""
    return _rows(
        [
            f'<tr><th scope="row" class="fw-normal nowrap">{escape(group.long_label)}</th>'
            f"{cost_kind_cells(group.month.current)}"
            f'<td class="num">{format_money(group.month.previous.total)}</td></tr>'
            for group in groups
        ]
    )


def chart_bars(chart: dict) -> SafeString:
    """The bar groups of the vehicle's cost chart (templates/fleet/vehicle.html): last year's
    bar, this year's bar, the month and, under January and the first month, the year."""
    groups = []
    for group in chart["groups"]:
        previous, current = group.previous, group.current
        year = (
            f'<text x="{group.label_x}" y="{chart["year_y"]}" text-anchor="middle" '
            f'class="ebok-year">{group.year}</text>'
            if group.year
            else ""
        )
        groups.append(
            "<g>"
            f'<rect fill="#64748b" x="{previous.x}" y="{previous.y}" width="{previous.width}" '
            f'height="{previous.height}" rx="2"><title>{escape(group.previous_label)}: '
            f"{previous.amount_text}</title></rect>"
            f'<rect class="ebok-bar-current" x="{current.x}" y="{current.y}" '
            f'width="{current.width}" height="{current.height}" rx="2">'
            f"<title>{escape(group.long_label)}: {current.amount_text}</title></rect>"
            f'<text x="{group.label_x}" y="{chart["month_y"]}" text-anchor="middle">'
            f"{escape(group.short_month)}</text>{year}</g>"
        )
    return _rows(groups)


def chart_description(chart: dict) -> str:
    """The chart's `<desc>`: every month's amount and the same month a year earlier."""
    return "; ".join(
        f"{group.long_label}: {group.current.amount_text} "
        f"({group.previous_label}: {group.previous.amount_text})"
        for group in chart["groups"]
    )
