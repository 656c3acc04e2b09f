"""The vehicle's monthly cost chart: an SVG of paired bars (this year's month beside the same
month a year earlier), drawn like the dashboard's installment chart (contracts.tiles) and
shown with a table of the same figures for screen readers and for reading exact amounts."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.dates import MONTHS

from contracts.tiles import _short_month, _svg_number, compact_amount
from ebok.money import format_money

from .selectors import VehicleMonth

WIDTH = 720
HEIGHT = 240
TOP = 22  # room for the value above the tallest bar
BOTTOM = 48  # month and year labels
SIDE = 8


@dataclass(frozen=True)
class Bar:
    x: str
    y: str
    width: str
    height: str
    value_y: str
    label_x: str
    amount_text: str
    short_text: str


@dataclass(frozen=True)
class MonthBars:
    month: VehicleMonth
    current: Bar
    previous: Bar
    label_x: str
    short_month: str
    year: str  # under the first month and under January, else ""
    long_label: str  # "styczeń 2027"
    previous_label: str  # "styczeń 2026"


def _height(value: Decimal, top: Decimal, plot: float) -> float:
    if not top or value <= 0:
        return 0.0
    return max(float(value / top) * plot, 2.0)  # a small amount stays visible


def cost_chart(months: list[VehicleMonth]) -> dict:
    """Geometry of the chart (template context): both years share one scale."""
    top = max(
        [m.current.total for m in months] + [m.previous.total for m in months], default=Decimal(0)
    )
    plot = HEIGHT - TOP - BOTTOM
    baseline = HEIGHT - BOTTOM
    slot = (WIDTH - 2 * SIDE) / max(len(months), 1)
    bar_width = slot * 0.34
    groups = []
    for index, month in enumerate(months):
        left = SIDE + index * slot + slot * 0.14

        def bar(value: Decimal, x: float) -> Bar:
            height = _height(value, top, plot)
            return Bar(
                x=_svg_number(x),
                y=_svg_number(baseline - height),
                width=_svg_number(bar_width),
                height=_svg_number(height),
                value_y=_svg_number(baseline - height - 6),
                label_x=_svg_number(x + bar_width / 2),
                amount_text=format_money(value),
                short_text=compact_amount(value) if value else "",
            )

        day = month.month
        groups.append(
            MonthBars(
                month=month,
                previous=bar(month.previous.total, left),
                current=bar(month.current.total, left + bar_width),
                label_x=_svg_number(left + bar_width),
                short_month=_short_month(day.month),
                year=str(day.year) if index == 0 or day.month == 1 else "",
                long_label=f"{MONTHS[day.month]} {day.year}",
                previous_label=f"{MONTHS[day.month]} {day.year - 1}",
            )
        )
    return {
        "groups": groups,
        "width": WIDTH,
        "height": HEIGHT,
        "baseline": baseline,
        "month_y": baseline + 18,
        "year_y": baseline + 40,
        "total": sum((m.current.total for m in months), Decimal(0)),
        "previous_total": sum((m.previous.total for m in months), Decimal(0)),
    }
