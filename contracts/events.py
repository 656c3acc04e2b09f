"""Contract notification events: an insurance policy about to expire.

The scan is set-based (one query for the (policy, user) pairs) and idempotent (dedupe keys per
policy and end date), like the invoice scans in invoices/events.py.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from notifications.events import Event, Recipient, emit_many, register, register_scan

from .models import InsurancePolicy

EVENTS = (Event("contract.policy_expiring", _("Wygasająca polisa ubezpieczeniowa"), "contracts"),)


def register_events() -> None:
    for event in EVENTS:
        register(event)
    register_scan("contracts.policy_expiring", scan_policy_expiring)


def scan_policy_expiring(today: dt.date) -> int:
    """Alert, once per policy and end date, every user who sees the contract as soon as the
    policy counts as expiring (POLICY_EXPIRING_DAYS before its end, the lists' rule)."""
    soon = today + dt.timedelta(days=settings.POLICY_EXPIRING_DAYS)
    allowed = User.allowed_contracts.through.objects.filter(
        user_id=OuterRef("uid"), contract_id=OuterRef("contract_id")
    )
    users = "contract__company__users__"
    pairs = (
        InsurancePolicy.objects.filter(
            valid_from__lte=today, valid_to__gte=today, valid_to__lte=soon
        )
        .annotate(
            uid=F(users + "id"),
            u_active=F(users + "is_active"),
            u_locked=F(users + "locked_at"),
            u_admin=F(users + "is_company_admin"),
            u_contracts=F(users + "can_view_contracts"),
            u_restricted=F(users + "contracts_restricted"),
        )
        .filter(uid__isnull=False, u_active=True, u_locked__isnull=True)
        .filter(Q(u_admin=True) | Q(u_contracts=True))
        .filter(Q(u_admin=True) | Q(u_restricted=False) | Q(Exists(allowed)))
        .values("pk", "number", "insurer", "valid_to", "contract_id", "contract__number", "uid")
        .order_by("pk", "uid")
    )
    rows = list(pairs)
    if not rows:
        return 0
    people = User.objects.only("pk", "phone", "email").in_bulk({row["uid"] for row in rows})
    contexts: dict[int, dict] = {}
    recipients = []
    for row in rows:
        context = contexts.setdefault(
            row["pk"],
            {
                "policy": row["number"],
                "insurer": row["insurer"],
                "valid_to": row["valid_to"],
                "contract": row["contract__number"],
            },
        )
        recipients.append(
            Recipient(
                people[row["uid"]],
                context,
                f"policy-{row['pk']}-{row['valid_to'].isoformat()}",
                reverse("contracts:contract_policies", args=[row["contract_id"]]),
            )
        )
    return emit_many("contract.policy_expiring", recipients)
