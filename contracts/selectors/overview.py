"""The dashboard's contract figures, kept per data version."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from ebok.datacache import company_cached

from .contracts import contract_status_counts
from .installments import (
    MonthTotal,
    UpcomingInstallment,
    installments_per_month,
    next_installments,
)
from .policies import ExpiringPolicy, expiring_policies
from .scope import visibility_scope


@dataclass(frozen=True)
class ContractsOverview:
    """What the dashboard shows of the contracts: data only, formatted per request."""

    months: list[MonthTotal]
    next_installments: list[UpcomingInstallment]
    expiring_policies: list[ExpiringPolicy]
    expiring_total: int
    status_counts: dict[str, int]


def contracts_overview(*, user, today: dt.date) -> ContractsOverview:
    """The dashboard's contract figures, computed once per data version, day and user scope."""

    def compute() -> ContractsOverview:
        policies, total = expiring_policies(user=user, today=today)
        return ContractsOverview(
            months=installments_per_month(user=user, today=today),
            next_installments=next_installments(user=user, today=today),
            expiring_policies=policies,
            expiring_total=total,
            status_counts=contract_status_counts(user=user),
        )

    key = (
        f"contracts-overview:{visibility_scope(user)}:{today.isoformat()}"
        f":{settings.POLICY_EXPIRING_DAYS}"
    )
    return company_cached(user.company_id, key, compute)
