"""Invoice notification events: a new invoice, a payment due in N days, an invoice overdue.

The scans are set-based: one query finds the (invoice, user) pairs to notify, joining each
company's users, their permissions and their reminder lead time; `emit_many` then inserts the
messages in bulk under dedupe keys, so a day scanned twice (or by two processes at once) sends
nothing twice.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from ebok.dates import today as business_today
from notifications.events import Event, Recipient, emit_many, register, register_scan
from notifications.models import DEFAULT_PAYMENT_DUE_DAYS

from .models import Invoice

EVENTS = (
    Event("invoice.issued", _("Nowa faktura"), "finances", sms_default=True),
    Event(
        "invoice.payment_due",
        _("Przypomnienie o terminie płatności"),
        "finances",
        sms_default=True,
    ),
    Event("invoice.overdue", _("Faktura po terminie płatności"), "finances", sms_default=True),
)

# A new invoice dated further back than this (history loaded from the core system) is not news.
ISSUED_NOTICE_DAYS = 3
MAX_LEAD_DAYS = 30
# A payment reminder missed on its day is caught up this many days later at most.
REMINDER_CATCH_UP_DAYS = 2


def register_events() -> None:
    for event in EVENTS:
        register(event)
    register_scan("invoices.payment_due", scan_payment_due)
    register_scan("invoices.overdue", scan_overdue)


def finance_recipients(invoices: QuerySet[Invoice]) -> QuerySet:
    """One row per (invoice, user) pair: each active, unlocked user of the invoice's company who
    may see it (finances permission, and the contract if they are restricted to chosen ones),
    with the user's payment reminder lead time (`lead`)."""
    allowed = User.allowed_contracts.through.objects.filter(
        user_id=OuterRef("uid"), contract_id=OuterRef("contract_id")
    )
    return (
        invoices.annotate(
            uid=F("company__users__id"),
            u_active=F("company__users__is_active"),
            u_locked=F("company__users__locked_at"),
            u_admin=F("company__users__is_company_admin"),
            u_finances=F("company__users__can_view_finances"),
            u_restricted=F("company__users__contracts_restricted"),
            lead=Coalesce(
                F("company__users__notification_settings__payment_due_days"),
                Value(DEFAULT_PAYMENT_DUE_DAYS),
            ),
        )
        .filter(uid__isnull=False, u_active=True, u_locked__isnull=True)
        .filter(Q(u_admin=True) | Q(u_finances=True))
        .filter(Q(u_admin=True) | Q(u_restricted=False) | Q(Exists(allowed)))
    )


def _notify(code: str, pairs: QuerySet, *, key: str) -> int:
    rows = list(
        pairs.values(
            "pk", "number", "due_date", "gross", "amount_payable", "amount_paid", "uid"
        ).order_by("pk", "uid")
    )
    if not rows:
        return 0
    users = User.objects.only("pk", "phone", "email").in_bulk({row["uid"] for row in rows})
    contexts: dict[int, dict] = {}
    recipients = []
    for row in rows:
        context = contexts.get(row["pk"])
        if context is None:  # one context per invoice: emit_many renders it once per language
            context = contexts[row["pk"]] = {
                "number": row["number"],
                "due_date": row["due_date"],
                "amount": row["gross"]
                if code == "invoice.issued"
                else row["amount_payable"] - row["amount_paid"],
            }
        recipients.append(
            Recipient(
                users[row["uid"]],
                context,
                key.format(pk=row["pk"], due=row["due_date"].isoformat()),
                reverse("invoices:detail", args=[row["pk"]]),
            )
        )
    return emit_many(code, recipients)


def invoices_notify(code: str, pairs: QuerySet, *, key: str) -> int:
    """Raise `code` for every (invoice, user) pair of `finance_recipients(...)`, deduplicated by
    `key` (formatted with the invoice's `pk` and `due`). The public entry for bulk writers (the
    core-system feed), which announce many invoices at once."""
    return _notify(code, pairs, key=key)


def invoice_issued_notify(*, invoice: Invoice) -> int:
    """Tell the company's finance users of a new invoice (in the issuing transaction)."""
    if invoice.issue_date < business_today() - dt.timedelta(days=ISSUED_NOTICE_DAYS):
        return 0
    if invoice.gross < 0:  # a downward correction asks nothing of the client
        return 0
    pairs = finance_recipients(Invoice.objects.filter(pk=invoice.pk))
    return _notify("invoice.issued", pairs, key="invoice-{pk}")


def scan_payment_due(today: dt.date) -> int:
    """Remind of every unpaid invoice due each user's lead time (1-30 days) from today.

    A reminder the scan could not send on its day (a worker down, beat stopped) is still sent
    on the next `REMINDER_CATCH_UP_DAYS` days; the dedupe key keeps it to one per invoice and
    due date. Older ones are not: "due in 2 days" a week late would only confuse."""
    invoices = Invoice.objects.outstanding().filter(
        due_date__gt=today, due_date__lte=today + dt.timedelta(days=MAX_LEAD_DAYS)
    )
    in_window = Q()
    for days in range(1, MAX_LEAD_DAYS + 1):
        in_window |= Q(
            lead=days,
            due_date__lte=today + dt.timedelta(days=days),
            due_date__gte=today + dt.timedelta(days=days - REMINDER_CATCH_UP_DAYS),
        )
    pairs = finance_recipients(invoices).filter(in_window)
    return _notify("invoice.payment_due", pairs, key="invoice-{pk}-due-{due}")


def scan_overdue(today: dt.date) -> int:
    """Tell of every unpaid invoice that passed its due date in the last few days (once each:
    a missed day is caught up, history never floods in)."""
    window = dt.timedelta(days=settings.NOTIFY_OVERDUE_WINDOW_DAYS)
    invoices = Invoice.objects.outstanding().filter(
        due_date__lt=today, due_date__gte=today - window
    )
    return _notify(
        "invoice.overdue", finance_recipients(invoices), key="invoice-{pk}-overdue-{due}"
    )
