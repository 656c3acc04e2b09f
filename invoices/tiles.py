"""The finance tiles of the dashboard (registered in InvoicesConfig.ready)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from accounts.permissions import Perm, has_perm
from ebok.dashboard import Tile
from ebok.dates import today as business_today

from . import selectors
from .overview import FinanceOverview, finance_overview


def _overview(request: HttpRequest) -> FinanceOverview:
    """The figures of all the finance tiles: one cache read per request."""
    figures = getattr(request, "_finance_overview", None)
    if figures is None:
        figures = finance_overview(user=request.user, today=business_today())
        request._finance_overview = figures
    return figures


def balance_tile(request: HttpRequest) -> Tile | None:
    if not has_perm(request.user, Perm.FINANCES):
        return None
    return Tile(
        template="invoices/tiles/balance.html",
        context={
            "key": "balance",
            "balance": _overview(request).balance,
            "sees_company": selectors.user_sees_all_contracts(request.user),
            "url": reverse("invoices:payments"),
        },
    )


def overdue_invoices_tile(request: HttpRequest) -> Tile | None:
    if not has_perm(request.user, Perm.FINANCES):
        return None
    summary = _overview(request).overdue
    return Tile(
        template="invoices/tiles/invoices.html",
        context={
            "key": "overdue-invoices",
            "summary": summary,
            "overdue": True,
            "url": reverse("invoices:list") + "?status=overdue&sort=due",
        },
    )


def upcoming_invoices_tile(request: HttpRequest) -> Tile | None:
    if not has_perm(request.user, Perm.FINANCES):
        return None
    today = business_today()
    summary = _overview(request).upcoming
    return Tile(
        template="invoices/tiles/invoices.html",
        context={
            "key": "upcoming-invoices",
            "summary": summary,
            "overdue": False,
            "url": reverse("invoices:list")
            + f"?status=outstanding&due_from={today:%Y-%m-%d}&sort=due",
        },
    )
