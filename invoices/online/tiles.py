"""The dashboard tile of paying online: pay the overdue invoices or the whole balance in one
go, and the money paid online that is still in settlement."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from accounts.permissions import Perm, has_perm
from ebok.dashboard import Tile
from ebok.dates import today as business_today

from ..tiles import _overview
from .qr import TITLE_LENGTH, selection_transfer_code
from .selectors import (
    SCOPE_ALL,
    SCOPE_OVERDUE,
    ScopeFigures,
    cached_in_settlement_summary,
    cached_scope_figures,
)


def pay_online_tile(request: HttpRequest) -> Tile | None:
    if not has_perm(request.user, Perm.FINANCES):
        return None
    balance = _overview(request).balance
    pending = cached_in_settlement_summary(user=request.user, today=business_today())
    # What is left to pay: the money already paid online is not asked for again.
    to_pay_overdue = balance.overdue - pending.overdue
    to_pay_all = balance.outstanding - pending.total
    if to_pay_all <= 0 and not pending.amounts:
        return None
    checkout = reverse("online_payments:checkout")
    limit = settings.ONLINE_PAYMENT_MAX_AMOUNT
    over_limit = _over_limit_transfer(request, to_pay_overdue, to_pay_all, limit)
    return Tile(
        template="invoices/online/tile.html",
        context={
            "key": "pay-online",
            "to_pay_overdue": to_pay_overdue,
            "to_pay_all": to_pay_all,
            "in_settlement": pending,
            "pay_overdue_url": f"{checkout}?scope={SCOPE_OVERDUE}",
            "pay_all_url": f"{checkout}?scope={SCOPE_ALL}",
            # Above the gateway's per-transaction limit no "pay online": the reason and the
            # checkout's transfer QR code instead.
            "limit": limit,
            "overdue_within_limit": to_pay_overdue <= limit,
            "all_within_limit": to_pay_all <= limit,
            **over_limit,
        },
    )


def _over_limit_transfer(request: HttpRequest, overdue: Decimal, total: Decimal, limit) -> dict:
    """Above the limit, the transfer QR code of the overdue invoices (when they are above it)
    or else of the whole balance: the same code as that scope's checkout shows. The figures
    are read whether or not they are needed, so the dashboard reads as many queries below
    the limit as above it."""
    figures = _scope_figures(request)
    if overdue > limit:
        scope = SCOPE_OVERDUE
    elif total > limit:
        scope = SCOPE_ALL
    else:
        return {}
    chosen = figures.get(scope)
    if chosen is None:
        return {}
    code = selection_transfer_code(
        numbers=chosen.numbers,
        count=chosen.count,
        amount=chosen.total,
        nip=request.user.company.nip,
    )
    return {"transfer_scope": scope, "transfer": code, "qr_svg": code.svg()}


def _scope_figures(request: HttpRequest) -> dict[str, ScopeFigures]:
    """The scopes' count, total and first numbers. With nothing in settlement they are the
    finance overview's (already read for the balance tile: no query of their own); the query
    (`cached_scope_figures`) only when money paid online is on its way, or when the title
    might hold more numbers than the overview lists (see `transfer_title`)."""
    overview = _overview(request)
    pending = cached_in_settlement_summary(user=request.user, today=business_today())
    overdue, upcoming = overview.overdue, overview.upcoming
    if pending.amounts:
        return cached_scope_figures(user=request.user, today=business_today())
    # The whole balance, oldest due first: the overdue ones, then (if all of those are listed)
    # the first of the others.
    first_of_all = list(overdue.invoices)
    if overdue.count == len(overdue.invoices):
        first_of_all += upcoming.invoices
    scopes = {
        SCOPE_OVERDUE: (overdue.count, overdue.amount_due, overdue.invoices),
        SCOPE_ALL: (
            overdue.count + upcoming.count,
            overdue.amount_due + upcoming.amount_due,
            first_of_all,
        ),
    }
    figures = {}
    for scope, (count, total, invoices) in scopes.items():
        if not count:
            continue
        numbers = [invoice.number for invoice in invoices]
        # Numbers missing from the overview could only matter if all of them fit the title.
        missing = count - len(numbers)
        if missing and len(" ".join(numbers)) + 2 * missing <= TITLE_LENGTH:
            return cached_scope_figures(user=request.user, today=business_today())
        figures[scope] = ScopeFigures(count=count, total=total, numbers=numbers)
    return figures
