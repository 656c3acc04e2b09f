"""Reads for the portal: a user's messages ("Wiadomości"), their unread count, their settings.

Every function takes the user it is scoped to; nothing here reads another user's rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

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
    """Every notification sent to `user` (SMS, e-mail, portal), newest first: one row each,
    the e-mail's when it went by e-mail and SMS, with that SMS's status as `sms_status`
    (None for a notification without one beside it)."""
    messages = Message.objects.filter(user_id=user.pk, listed=True)
    if filters.channel:
        other_channel = Message.objects.filter(
            bundle=OuterRef("bundle"), user_id=user.pk, channel=filters.channel
        )
        messages = messages.filter(Q(channel=filters.channel) | Exists(other_channel))
    if filters.event:
        messages = messages.filter(event=filters.event)
    if filters.date_from:
        messages = messages.filter(created_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        messages = messages.filter(created_at__lt=_day_start(filters.date_to + dt.timedelta(1)))
    if filters.unread:
        messages = messages.filter(read_at__isnull=True).exclude(event="")
    # In the page's own query (a subquery per shown row), not one more query per page.
    sms_beside = Message.objects.filter(
        bundle=OuterRef("bundle"), channel=Message.Channel.SMS, listed=False
    ).values("status")[:1]
    return (
        messages.defer("html_body")
        .annotate(sms_status=Subquery(sms_beside))
        .order_by("-created_at", "-pk")
    )


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=WARSAW)


def inbox_with_channels(*, user, messages: Iterable[Message]) -> list[Message]:
    """`messages` (listed rows of `user`), each with `channel_rows`: every row of its
    notification (recipient, status, when), the e-mail first. One query for any number."""
    messages = list(messages)
    bundles = {message.bundle for message in messages if message.bundle}
    rows: dict = defaultdict(list)
    if bundles:
        for row in (
            Message.objects.filter(user_id=user.pk, bundle__in=bundles)
            .only("pk", "bundle", "channel", "recipient", "status", "created_at", "next_attempt_at")
            .order_by("pk")
        ):
            rows[row.bundle].append(row)
    for message in messages:
        found = rows.get(message.bundle) or [message]
        message.channel_rows = sorted(found, key=lambda row: CHANNEL_ORDER.get(row.channel, 9))
    return messages


CHANNEL_ORDER = {Message.Channel.EMAIL: 0, Message.Channel.SMS: 1, Message.Channel.INBOX: 2}


def inbox_message(*, user, pk: int) -> Message | None:
    """The notification of `user`'s message `pk` (its listed row, with `channel_rows`): the
    address of an SMS sent alongside an e-mail opens the e-mail's notification."""
    message = Message.objects.filter(user_id=user.pk, pk=pk).first()
    if message is not None and not message.listed and message.bundle:
        listed = Message.objects.filter(user_id=user.pk, bundle=message.bundle, listed=True)
        message = listed.first() or message
    if message is None:
        return None
    return inbox_with_channels(user=user, messages=[message])[0]


def unread_count(*, user) -> int:
    """Unread notifications (event messages; sign-in codes are not news) of `user`; one sent
    by e-mail and SMS counts once."""
    if not getattr(user, "is_authenticated", False):
        return 0
    unread = Message.objects.filter(user_id=user.pk, read_at__isnull=True, listed=True)
    return unread.exclude(event="").count()


def settings_for(*, user) -> NotificationSettings:
    """`user`'s settings; unsaved defaults when they never chose."""
    found = NotificationSettings.objects.filter(user_id=user.pk).first()
    return found or NotificationSettings(user_id=user.pk, payment_due_days=DEFAULT_PAYMENT_DUE_DAYS)
