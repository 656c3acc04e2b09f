"""The notification entry point: `notify(...)` writes an outbox row in the caller's transaction;
a task delivers it after commit; `message_requeue_due` (periodic) picks up anything left."""

from __future__ import annotations

import datetime as dt
import logging
from enum import Enum

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .backends import PermanentError, TransientError, get_transport
from .models import Message

logger = logging.getLogger(__name__)

REDACTED = "[treść poufna usunięta po doręczeniu]"


class Outcome(Enum):
    SENT = "sent"
    FAILED = "failed"
    RETRY = "retry"
    SKIPPED = "skipped"


def notify(
    *,
    channel: str,
    recipient: str,
    body: str,
    subject: str = "",
    html_body: str = "",
    user=None,
    dedupe_key: str | None = None,
    sensitive: bool = False,
) -> Message:
    """Queue one message. With a `dedupe_key` already used, return that row and send nothing."""
    fields = {
        "channel": channel,
        "recipient": recipient,
        "subject": subject,
        "body": body,
        "html_body": html_body,
        "user": user,
        "sensitive": sensitive,
    }
    if dedupe_key:
        existing = Message.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                message = Message.objects.create(dedupe_key=dedupe_key, **fields)
        except IntegrityError:  # a concurrent run created it first
            return Message.objects.get(dedupe_key=dedupe_key)
    else:
        message = Message.objects.create(**fields)
    message_queue_delivery(message.pk)
    return message


def send_sms(
    *, to: str, body: str, user=None, dedupe_key: str | None = None, sensitive: bool = False
) -> Message:
    """Queue an SMS. Polish letters are transliterated: GSM-7 fits 160 characters per part,
    while one "ą" would switch the whole text to UCS-2 (70 per part, at 2-3x the cost)."""
    return notify(
        channel=Message.Channel.SMS,
        recipient=str(to),
        body=gsm_text(body),
        user=user,
        dedupe_key=dedupe_key,
        sensitive=sensitive,
    )


_POLISH = str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")


def gsm_text(text: str) -> str:
    return str(text).translate(_POLISH).replace("–", "-").replace("„", '"').replace("”", '"')


def message_queue_delivery(message_id: int) -> None:
    from .tasks import deliver_message

    # robust: a broker outage must not break the caller's request; the sweep re-queues.
    transaction.on_commit(lambda: deliver_message.delay(message_id), robust=True)


def retry_delay(attempts: int) -> dt.timedelta:
    """Exponential backoff: 30 s, 1 min, 2 min, ... capped at 1 h."""
    return dt.timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def message_deliver(*, message_id: int) -> Outcome:
    """Deliver one queued message. Idempotent: a row already sent or failed is left alone."""
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=Message.Status.QUEUED)
            .first()
        )
        if message is None:
            return Outcome.SKIPPED
        transport = get_transport(message.channel)
        now = timezone.now()
        message.attempts += 1
        try:
            message.provider_id = transport.send(message)[:64]
        except PermanentError as exc:
            message.status = Message.Status.FAILED
            message.error = str(exc)
            logger.warning("Message %s failed permanently: %s", message.pk, exc)
            outcome = Outcome.FAILED
        except TransientError as exc:
            message.error = str(exc)
            if message.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
                message.status = Message.Status.FAILED
                outcome = Outcome.FAILED
            else:
                message.next_attempt_at = now + retry_delay(message.attempts)
                outcome = Outcome.RETRY
        else:
            message.status = Message.Status.SENT
            message.sent_at = now
            message.error = ""
            if message.sensitive and not transport.keeps_sensitive_body:
                message.body = REDACTED
            outcome = Outcome.SENT
        message.save()
        return outcome


def message_requeue_due(*, grace: dt.timedelta | None = None) -> int:
    """Queue a delivery task for every row still waiting past its due time (+ grace)."""
    grace = grace if grace is not None else dt.timedelta(seconds=settings.NOTIFY_SWEEP_GRACE)
    due = Message.objects.filter(
        status=Message.Status.QUEUED, next_attempt_at__lte=timezone.now() - grace
    ).values_list("pk", flat=True)[:500]
    ids = list(due)
    for message_id in ids:
        message_queue_delivery(message_id)
    return len(ids)
