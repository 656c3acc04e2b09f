"""The notification entry point: `notify(...)` writes an outbox row in the caller's transaction;
a task delivers it after commit; `message_requeue_due` (periodic) picks up anything left."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from enum import Enum
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .backends import (
    DeliveryReport,
    PermanentError,
    TransientError,
    UncertainError,
    get_transport,
)
from .models import Message, NotificationSettings
from .render import render_message

logger = logging.getLogger(__name__)

REDACTED = "[treść poufna usunięta po doręczeniu]"


class Outcome(Enum):
    SENT = "sent"
    FAILED = "failed"
    RETRY = "retry"
    UNCERTAIN = "uncertain"
    SKIPPED = "skipped"


class MessageStateError(Exception):
    """An operation on a message that its status does not allow; the text is for staff."""


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


def notify_message(
    name: str,
    *,
    channel: str,
    recipient: str,
    context: Mapping[str, Any] | None = None,
    user=None,
    sensitive: bool = False,
    language: str | None = None,
) -> Message:
    """Queue the message `name`, its texts rendered from templates/notifications/<name>/ in
    `language`, else the user's notification language, else the one active now."""
    if language is None and user is not None:
        language = notification_language(user=user)
    subject, text, html = render_message(name, context, language=language)
    if channel == Message.Channel.SMS:
        return send_sms(to=recipient, body=text, user=user, sensitive=sensitive)
    return notify(
        channel=channel,
        recipient=recipient,
        subject=subject,
        body=text,
        # A sensitive message (a link that signs in, a code) goes as text only: delivery
        # redacts the row's text, and an HTML copy of the secret would outlive it.
        html_body="" if sensitive else html,
        user=user,
        sensitive=sensitive,
    )


_POLISH = str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")


def gsm_text(text: str) -> str:
    text = str(text).translate(_POLISH).replace("\u00a0", " ").replace("\u202f", " ")
    return text.replace("–", "-").replace("„", '"').replace("”", '"')


def message_queue_delivery(message_id: int) -> None:
    from .tasks import deliver_message

    # robust: a broker outage must not break the caller's request; the sweep re-queues.
    # One immediate retry (a pooled connection that went stale), no back-off: the row is the
    # queue of record, and waiting out a dead broker would only slow every request that
    # notifies (Celery's default policy: 0.6 s each; retry=False: redis-py's own 6 s).
    transaction.on_commit(
        lambda: deliver_message.apply_async((message_id,), retry_policy=PUBLISH_ONCE),
        robust=True,
    )


PUBLISH_ONCE = {"max_retries": 1, "interval_start": 0}


def retry_delay(attempts: int) -> dt.timedelta:
    """Exponential backoff: 30 s, 1 min, 2 min, ... capped at 1 h."""
    return dt.timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def message_deliver(*, message_id: int) -> Outcome:
    """Deliver one queued message; a row already claimed, sent or settled is left alone.

    No database transaction stays open across the provider call: the row is claimed first
    ("sending", committed), then sent, then the outcome is recorded. A worker killed in between
    leaves the row "sending"; the sweep then marks it "uncertain" (`message_mark_uncertain`) and
    it is not sent again unless staff decide so, because the provider may already have it.
    """
    message = _message_claim(message_id)
    if message is None:
        return Outcome.SKIPPED
    claimed_at = message.claimed_at
    transport = get_transport(message.channel)
    try:
        provider_id = transport.send(message)[:64]
    except PermanentError as exc:
        logger.warning("Message %s failed permanently: %s", message.pk, exc)
        return _message_record(message, claimed_at, Outcome.FAILED, error=str(exc))
    except UncertainError as exc:
        logger.error("Message %s: outcome unknown, not resent: %s", message.pk, exc)
        return _message_record(message, claimed_at, Outcome.UNCERTAIN, error=str(exc))
    except TransientError as exc:
        return _message_record(message, claimed_at, Outcome.RETRY, error=str(exc))
    return _message_record(
        message,
        claimed_at,
        Outcome.SENT,
        provider_id=provider_id,
        redact=message.sensitive and not transport.keeps_sensitive_body,
    )


def _message_claim(message_id: int) -> Message | None:
    now = timezone.now()
    # One conditional UPDATE, committed at once: of two workers given the same id (the sweep
    # re-queued a row whose first task was only late), exactly one claims it.
    with transaction.atomic():
        claimed = Message.objects.filter(pk=message_id, status=Message.Status.QUEUED).update(
            status=Message.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    return Message.objects.get(pk=message_id) if claimed else None


# Statuses a send attempt still owns; past them a delivery report (or staff) has spoken.
IN_FLIGHT = (Message.Status.SENDING, Message.Status.UNCERTAIN)


def _message_record(
    message: Message,
    claimed_at,
    outcome: Outcome,
    *,
    error: str = "",
    provider_id: str = "",
    redact: bool = False,
) -> Outcome:
    now = timezone.now()
    with transaction.atomic():
        row = (
            Message.objects.select_for_update().filter(pk=message.pk, claimed_at=claimed_at).first()
        )
        if row is None:  # staff re-queued it meanwhile: that attempt records its own outcome
            logger.warning("Message %s: outcome %s of a superseded attempt", message.pk, outcome)
            return outcome
        if outcome is Outcome.RETRY and row.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
            outcome = Outcome.FAILED
        if outcome is Outcome.SENT:
            row.provider_id = row.provider_id or provider_id
            row.sent_at = row.sent_at or now
            if row.status in IN_FLIGHT:
                row.status = Message.Status.SENT
                row.error = ""
            # else a delivery report arrived before this record and already moved it on
            if redact:
                row.body = REDACTED
        elif row.status in IN_FLIGHT:
            row.error = error
            if outcome is Outcome.FAILED:
                row.status = Message.Status.FAILED
            elif outcome is Outcome.UNCERTAIN:
                row.status = Message.Status.UNCERTAIN
            else:
                row.status = Message.Status.QUEUED
                row.next_attempt_at = now + retry_delay(row.attempts)
        row.save()
    return outcome


def message_mark_uncertain(*, grace: dt.timedelta | None = None) -> int:
    """Settle claims whose worker died mid-send: "uncertain", never re-queued blindly.

    Only the portal inbox goes back to the queue: its delivery is the row itself, so doing it
    twice reaches nobody twice.
    """
    grace = grace if grace is not None else dt.timedelta(seconds=settings.NOTIFY_SENDING_GRACE)
    now = timezone.now()
    stale = Message.objects.filter(status=Message.Status.SENDING, claimed_at__lt=now - grace)
    # (Its next attempt was due before the claim, so the sweep that follows re-queues it.)
    stale.filter(channel=Message.Channel.INBOX).update(status=Message.Status.QUEUED)
    uncertain = stale.exclude(channel=Message.Channel.INBOX).update(
        status=Message.Status.UNCERTAIN,
        error=(
            "Wynik wysyłki nieznany: proces wysyłający przerwał pracę po pobraniu wiadomości. "
            "Nie wysłano ponownie: rozstrzygnie raport doręczenia albo obsługa."
        ),
    )
    if uncertain:
        logger.error("%d message(s) left mid-send by a dead worker, now uncertain", uncertain)
    return uncertain


def message_requeue_due(*, grace: dt.timedelta | None = None) -> int:
    """Queue a delivery task for every row still waiting past its due time (+ grace)."""
    grace = grace if grace is not None else dt.timedelta(seconds=settings.NOTIFY_SWEEP_GRACE)
    due = (
        Message.objects.filter(
            status=Message.Status.QUEUED, next_attempt_at__lte=timezone.now() - grace
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:500]
    )
    ids = list(due)
    for message_id in ids:
        message_queue_delivery(message_id)
    return len(ids)


# --- delivery reports and staff decisions --------------------------------------------------------

# How far along a row is. A delivery report only ever moves a row forward, so a report that
# arrives twice or late ("sent" after "delivered") changes nothing.
PROGRESS = {
    Message.Status.QUEUED: 0,
    Message.Status.SENDING: 1,
    Message.Status.UNCERTAIN: 1,
    Message.Status.SENT: 2,
    Message.Status.DELIVERED: 3,
    Message.Status.UNDELIVERED: 3,
    Message.Status.FAILED: 3,
    Message.Status.CANCELLED: 3,
}
REPORTABLE = (
    Message.Status.SENT,
    Message.Status.DELIVERED,
    Message.Status.UNDELIVERED,
    Message.Status.FAILED,
)


@transaction.atomic
def message_record_report(*, report: DeliveryReport, message_id: int | None = None) -> bool:
    """Apply a provider's delivery report; True when it moved the row. Idempotent.

    The row is the one the callback's URL names, else the one holding the report's provider id.
    A row whose send was cut off before the provider id was stored ("sending" or "uncertain")
    takes the id from the report: that is how a worker killed mid-send gets settled.
    """
    if report.status not in REPORTABLE:
        return False
    rows = Message.objects.select_for_update()
    if message_id is not None:
        row = rows.filter(pk=message_id).first()
    else:
        row = rows.filter(provider_id=report.provider_id).first()
    if row is None:
        return False
    if row.provider_id != report.provider_id and (row.provider_id or row.status not in IN_FLIGHT):
        return False  # about an attempt that staff have since replaced by a new one
    if PROGRESS[report.status] <= PROGRESS[row.status]:
        return False
    now = timezone.now()
    row.provider_id = report.provider_id
    row.status = report.status
    row.provider_status = report.provider_status
    row.sent_at = row.sent_at or row.claimed_at or now
    row.error = report.error if report.status != Message.Status.DELIVERED else ""
    if report.status == Message.Status.DELIVERED:
        row.delivered_at = now
    if row.sensitive:
        row.body = REDACTED  # only real gateways report, and the provider has the text now
    row.save()
    return True


RETRYABLE = (Message.Status.FAILED, Message.Status.UNDELIVERED, Message.Status.UNCERTAIN)


@transaction.atomic
def message_retry(*, message: Message, accept_duplicate: bool = False) -> Message:
    """Queue a failed, undelivered or uncertain message again: staff's decision.

    An uncertain message may already have reached its recipient; sending it again is allowed
    only when the caller says the recipient may get it twice (`accept_duplicate`).
    """
    if message.status not in RETRYABLE:
        raise MessageStateError(
            _(
                "Ponowić można tylko wiadomość z błędem, niedoręczoną lub o nieznanym wyniku "
                "(ta: %(status)s)."
            )
            % {"status": message.get_status_display()}
        )
    if message.sensitive:
        raise MessageStateError(
            _("Kodów i haseł jednorazowych nie wysyła się ponownie: użytkownik poprosi o nowy.")
        )
    if message.status == Message.Status.UNCERTAIN and not accept_duplicate:
        raise MessageStateError(
            _(
                "Wynik poprzedniej wysyłki jest nieznany: ponowienie może dotrzeć do odbiorcy "
                "drugi raz. Potwierdź, że to akceptujesz."
            )
        )
    _message_move(
        message,
        status=Message.Status.QUEUED,
        attempts=0,
        next_attempt_at=timezone.now(),
        error="",
        provider_id="",
        provider_status="",
        claimed_at=None,
        sent_at=None,
        delivered_at=None,
    )
    message_queue_delivery(message.pk)
    return message


@transaction.atomic
def message_cancel(*, message: Message) -> Message:
    """Stop a queued message from going out (a worker that picks its task up skips it)."""
    if message.status != Message.Status.QUEUED:
        raise MessageStateError(
            _("Anulować można tylko wiadomość w kolejce (ta: %(status)s).")
            % {"status": message.get_status_display()}
        )
    return _message_move(message, status=Message.Status.CANCELLED)


@transaction.atomic
def message_confirm_sent(*, message: Message) -> Message:
    """Settle an uncertain message as sent: staff found it at the provider (its console)."""
    if message.status != Message.Status.UNCERTAIN:
        raise MessageStateError(
            _("Potwierdzić można tylko wiadomość o nieznanym wyniku (ta: %(status)s).")
            % {"status": message.get_status_display()}
        )
    return _message_move(
        message,
        status=Message.Status.SENT,
        sent_at=message.claimed_at or timezone.now(),
        error="",
    )


def _message_move(message: Message, *, status: str, **fields: Any) -> Message:
    # Conditional on the status the caller saw: a worker or a delivery report may have moved
    # the row since the page was drawn.
    moved = Message.objects.filter(pk=message.pk, status=message.status).update(
        status=status, **fields
    )
    if not moved:
        raise MessageStateError(_("Status wiadomości właśnie się zmienił; odśwież listę."))
    message.refresh_from_db()
    return message


def notification_language(*, user) -> str | None:
    """The language `user`'s messages are written in, None when they never chose one."""
    stored = NotificationSettings.objects.filter(user_id=user.pk).values_list("language", flat=True)
    return stored.first() or None


@transaction.atomic
def notification_language_set(*, user, language: str) -> bool:
    """Write `user`'s messages in `language` from now on (they switched the portal to it);
    whether anything changed."""
    prefs, created = NotificationSettings.objects.get_or_create(
        user_id=user.pk, defaults={"language": language}
    )
    if created:
        return True
    if prefs.language == language:
        return False
    prefs.language = language
    prefs.save(update_fields=["language", "updated_at"])
    return True


@transaction.atomic
def inbox_mark_read(*, user, pks: list[int] | None = None) -> int:
    """Mark `user`'s messages read (all unread ones when `pks` is None), each with the other
    channels of its notification; the number of notifications marked."""
    unread = Message.objects.filter(user_id=user.pk, read_at__isnull=True)
    if pks is not None:
        bundles = Message.objects.filter(user_id=user.pk, pk__in=pks, bundle__isnull=False)
        unread = unread.filter(Q(pk__in=pks) | Q(bundle__in=bundles.values("bundle")))
    notifications = unread.filter(listed=True).exclude(event="").count()
    unread.update(read_at=timezone.now())
    return notifications
