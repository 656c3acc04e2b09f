"""The contract tiles of the dashboard (registered in ContractsConfig.ready)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpRequest
from django.urls import reverse
from django.utils.dates import MONTHS, MONTHS_3
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.permissions import Perm, has_perm
from ebok.dashboard import Tile
from ebok.dates import today as business_today
from ebok.money import format_amount, format_money

from . import selectors

# The chart's drawing area in SVG user units; the SVG scales to the card's width.
CHART_WIDTH = 720
CHART_HEIGHT = 220
CHART_TOP = 22  # room for the value above the tallest bar
# Room for the month and year labels, also at the phone's larger type (ebok.css): they never touch.
CHART_BOTTOM = 48
CHART_SIDE = 8


def _short_month(month: int) -> str:
    # Django's three-letter months are lower-case ("lis", "nov"): right in Polish, not in English.
    text = str(MONTHS_3[month])
    return text.capitalize() if (get_language() or "pl").startswith("en") else text


def _svg_number(value: float) -> str:
    # SVG wants "12.5" whatever the language; the template would localise a float to "12,5".
    return f"{value:.1f}"


@dataclass(frozen=True)
class Bar:
    # Coordinates are strings in SVG user units, ready for the template.
    x: str
    y: str
    width: str
    height: str
    label_x: str
    value_y: str
    month: str  # "sty"
    year: str  # "2027" under the first bar and under January, else ""
    long_label: str  # "styczeń 2027"
    gross: Decimal
    amount_text: str  # "1 234,56 zł"
    short_text: str  # "12,3 tys."
    current: bool


def compact_amount(value: Decimal) -> str:
    """12 345 -> "12,3 tys." (PL) / "12.3k" (EN): short enough to sit above a bar."""
    english = (get_language() or "pl").startswith("en")
    if value >= 1_000_000:
        number, unit = value / 1_000_000, _("mln")
    elif value >= 1_000:
        number, unit = value / 1_000, _("tys.")
    else:
        return format_amount(value)
    text = f"{number:.1f}"
    if english:
        return f"{text}{unit}"
    return f"{text.replace('.', ',')}\u00a0{unit}"


def chart_bars(months: list[selectors.MonthTotal]) -> tuple[list[Bar], int]:
    """Bar geometry for the per-month totals; the bars share one scale (the largest month)."""
    top = max((m.gross for m in months), default=Decimal(0))
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    slot = (CHART_WIDTH - 2 * CHART_SIDE) / max(len(months), 1)
    bar_width = slot * 0.62
    baseline = CHART_HEIGHT - CHART_BOTTOM
    bars = []
    for index, month in enumerate(months):
        height = float(month.gross / top) * plot_height if top else 0.0
        if month.gross and height < 2:
            height = 2.0  # a small amount stays visible
        x = CHART_SIDE + index * slot + (slot - bar_width) / 2
        bars.append(
            Bar(
                x=_svg_number(x),
                y=_svg_number(baseline - height),
                width=_svg_number(bar_width),
                height=_svg_number(height),
                label_x=_svg_number(x + bar_width / 2),
                value_y=_svg_number(baseline - height - 6),
                month=_short_month(month.month.month),
                year=str(month.month.year) if index == 0 or month.month.month == 1 else "",
                long_label=f"{MONTHS[month.month.month]} {month.month.year}",
                gross=month.gross,
                amount_text=format_money(month.gross),
                short_text=compact_amount(month.gross) if month.gross else "",
                current=index == 0,
            )
        )
    return bars, baseline


def _overview(request: HttpRequest) -> selectors.ContractsOverview:
    """The figures of all the contract tiles: one cache read per request."""
    overview = getattr(request, "_contracts_overview", None)
    if overview is None:
        overview = selectors.contracts_overview(user=request.user, today=business_today())
        request._contracts_overview = overview
    return overview


def installments_chart_tile(request: HttpRequest) -> Tile | None:
    if not has_perm(request.user, Perm.CONTRACTS):
        return None
    months = _overview(request).months
    bars, baseline = chart_bars(months)
    return Tile(
        template="contracts/tiles/installments_chart.html",
        width="two-thirds",
        context={
            "key": "installments-chart",
            "bars": bars,
            "baseline": baseline,
            "month_y": baseline + 18,
            "year_y": baseline + 40,
            "width": CHART_WIDTH,
            "height": CHART_HEIGHT,
            "total": sum((m.gross for m in months), Decimal(0)),
            "url": reverse("contracts:installments"),
        },
    )


def next_installments_tile(request: HttpRequest) -> Tile | None:
    if not has_perm(request.user, Perm.CONTRACTS):
        return None
    installments = _overview(request).next_installments
    return Tile(
        template="contracts/tiles/next_installments.html",
        context={
            "key": "next-installments",
            "installments": installments,
            "url": reverse("contracts:installments"),
        },
    )


def expiring_policies_tile(request: HttpRequest) -> Tile | None:
    if not has_perm(request.user, Perm.CONTRACTS):
        return None
    overview = _overview(request)
    policies, total = overview.expiring_policies, overview.expiring_total
    return Tile(
        template="contracts/tiles/expiring_policies.html",
        context={
            "key": "expiring-policies",
            "policies": policies,
            "total": total,
            "url": reverse("contracts:policies") + "?status=expiring",
        },
    )


def contracts_tile(request: HttpRequest) -> Tile | None:
    if not has_perm(request.user, Perm.CONTRACTS):
        return None
    return Tile(
        template="contracts/tiles/contracts.html",
        context={
            "key": "contracts",
            "counts": _overview(request).status_counts,
            "url": reverse("contracts:list"),
        },
    )
