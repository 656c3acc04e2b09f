"""The dashboard tile of paying online: pay the overdue invoices or the whole balance in one
go, and the money paid online that is still in settlement."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from accounts.permissions import Perm, has_perm
from ebok.dashboard import Tile
from ebok.dates import today as business_today

from ..tiles import _overview
from .selectors import SCOPE_ALL, SCOPE_OVERDUE, cached_in_settlement_summary


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
    return Tile(
        template="invoices/online/tile.html",
        context={
            "key": "pay-online",
            "to_pay_overdue": to_pay_overdue,
            "to_pay_all": to_pay_all,
            "in_settlement": pending,
            "pay_overdue_url": f"{checkout}?scope={SCOPE_OVERDUE}",
            "pay_all_url": f"{checkout}?scope={SCOPE_ALL}",
        },
    )
