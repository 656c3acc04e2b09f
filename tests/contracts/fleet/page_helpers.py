"""Shared by the fleet page tests: a CFM contract, its user, the fleet fixture's parts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from tests.portal_helpers import client_user, make_contract, today

D = Decimal


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def fleet_user(company, **kwargs):
    return client_user(company, can_view_fleet=True, **kwargs)


def cfm_contract(company, **kwargs):
    """A CFM contract started 14 months ago (24 monthly installments) with one vehicle."""
    kwargs.setdefault("start", today() - relativedelta(months=14))
    return make_contract(company, months=24, fleet_management=True, **kwargs)


LIST_URLS = [
    "fleet:vehicles",
    "fleet:service",
    "fleet:fuel",
    "fleet:damages",
    "fleet:costs",
    "fleet:vehicles_xlsx",
    "fleet:service_xlsx",
    "fleet:fuel_xlsx",
    "fleet:damages_xlsx",
    "fleet:costs_xlsx",
]
