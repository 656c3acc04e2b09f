"""The unread-document reminder: a daily scan (registered with notifications.events).

Set-based: one query finds every process the client has not opened since the lessor's last
step, older than DOCUMENT_REMINDER_DAYS; one query finds its readers; `emit_many` inserts the
messages in bulk. Idempotent: the dedupe key names the process and the lessor's step it
reminds of, so a second run (or a second beat) sends nothing, and a later step earns a reminder
of its own.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import F, Q
from django.utils import timezone

from . import notify
from .models import DocumentProcess, client_unread_q


def unread_reminder_scan(today: dt.date) -> int:
    from notifications.events import Recipient, emit_many

    days = settings.DOCUMENT_REMINDER_DAYS
    cutoff = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=days), dt.time.max))
    processes = {
        p.pk: p
        for p in DocumentProcess.objects.filter(
            client_unread_q(), status__in=DocumentProcess.OPEN, staff_activity_at__lte=cutoff
        ).select_related("contract")
    }
    if not processes:
        return 0
    # Every (process, reader) pair in one query (one filter call: the joins are shared): the
    # company's users who see all contracts, and those restricted to the process's contract.
    pairs = (
        DocumentProcess.objects.filter(
            Q(pk__in=list(processes)),
            Q(company__users__is_active=True),
            Q(company__users__contracts_restricted=False)
            | Q(company__users__is_company_admin=True)
            | Q(company__users__allowed_contracts=F("contract")),
        )
        .values_list("company__users", "pk")
        .distinct()
    )
    wanted = sorted(pairs)
    users = get_user_model().objects.in_bulk({user_id for user_id, _ in wanted})
    contexts = {pk: notify.context_of(p) for pk, p in processes.items()}
    recipients = [
        Recipient(
            users[user_id],
            contexts[process_id],
            f"{process_id}-{processes[process_id].staff_activity_at:%Y%m%d%H%M%S%f}",
            notify.link_of(processes[process_id]),
        )
        for user_id, process_id in wanted
    ]
    return emit_many(notify.UNREAD, recipients)


def register_scans() -> None:
    from notifications.events import register_scan

    register_scan(notify.UNREAD, unread_reminder_scan)
