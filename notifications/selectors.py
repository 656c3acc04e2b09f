"""Reads for the portal: a user's messages ("Wiadomości"), their unread count, their settings.

Every function takes the user it is scoped to; nothing here reads another user's rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from .models import DEFAULT_PAYMENT_DUE_DAYS, Message, NotificationSettings

WARSAW = ZoneInfo("Europe/Warsaw")


@dataclass(frozen=True)
class InboxFilters:
    channel: str | None = None
    event: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    unread: bool = False


def inbox_list(*, user, filters: InboxFilters) -> QuerySet[Message]:
    """Every message sent to `user` (SMS, e-mail, portal), newest first."""
    messages = Message.objects.filter(user_id=user.pk)
    if filters.channel:
        messages = messages.filter(channel=filters.channel)
    if filters.event:
        messages = messages.filter(event=filters.event)
    if filters.date_from:
        messages = messages.filter(created_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        messages = messages.filter(created_at__lt=_day_start(filters.date_to + dt.timedelta(1)))
    if filters.unread:
        messages = messages.filter(read_at__isnull=True).exclude(event="")
    return messages.defer("html_body").order_by("-created_at", "-pk")


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=WARSAW)


def inbox_message(*, user, pk: int) -> Message | None:
    return Message.objects.filter(user_id=user.pk, pk=pk).first()


def unread_count(*, user) -> int:
    """Unread notifications (event messages; sign-in codes are not news) of `user`."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Message.objects.filter(user_id=user.pk, read_at__isnull=True).exclude(event="").count()


def settings_for(*, user) -> NotificationSettings:
    """`user`'s settings; unsaved defaults when they never chose."""
    found = NotificationSettings.objects.filter(user_id=user.pk).first()
    return found or NotificationSettings(user_id=user.pk, payment_due_days=DEFAULT_PAYMENT_DUE_DAYS)
