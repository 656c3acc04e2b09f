"""Notification events: a small registry that domain apps fill, and `emit()` that raises one.

`notifications` imports no domain app. A domain app declares its events once, in its
`AppConfig.ready()`::

    from notifications.events import Event, register

    register(Event("invoice.issued", _("Nowa faktura"), group="finances", sms_default=True))

and raises one where it happens, inside the transaction that makes it true::

    emit("invoice.issued", user=user, context={"invoice": invoice},
         dedupe_key=f"invoice-{invoice.pk}", link=invoice_url)

What `emit` does, for one user:

* Texts come from `templates/notifications/<event.template>/`: `subject.txt`, `body.txt`
  (e-mail text; also the SMS text unless the folder has `sms.txt`, which should fit 160 GSM-7
  characters), `body.html`; rendered in the user's language (their notification settings,
  else `LANGUAGE_CODE`). Write texts in Polish (msgids) with `{% blocktranslate %}`.
* Channels follow the user's preferences (`NotificationSettings.channels`), else the event's
  defaults (`sms_default`, `email_default`). `always=True` events (account and security) ignore
  preferences and are not shown on the preferences page. A channel without an address (no
  phone / no e-mail) is skipped. When nothing leaves the portal (the user turned both off, or
  `portal_only=True`) one "portal" (inbox) row is written, so the inbox still shows it.
* An SMS that falls in the user's quiet hours (Europe/Warsaw) waits until they end
  (`next_attempt_at`); the outbox sweep sends it then. E-mail is never delayed.
* With `dedupe_key` the call is idempotent per user and channel: the row's key is
  `<code>:<dedupe_key>:u<user id>:<channel>` (unique in the outbox), so emitting again (a scan run
  twice, two processes at once) returns the existing rows and sends nothing.
* Every row records `event` and `link`; the rows of one call for one user share a `bundle`,
  and the "Wiadomości" inbox lists them as one notification (the e-mail's text, if any).

Scheduled scans (payment reminders, overdue notices, policy expiry, unread documents) are
registered with `register_scan(name, func)`, `func(today) -> int` (messages created); a beat
entry runs `notifications.tasks.run_scan` with the scan's name (see CELERY_BEAT_SCHEDULE in
ebok/settings.py). A scan selects its recipients set-based (one query over invoices x users, not
a Python loop over invoices) and calls `emit_many`, which bulk-inserts with the same dedupe keys.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Message, NotificationSettings
from .preferences import quiet_until, wanted_channels
from .render import render_event

GROUPS: dict[str, Any] = {
    "finances": _("Finanse"),
    "contracts": _("Umowy"),
    "documents": _("Dokumenty"),
    "applications": _("Wnioski i sprawy"),
    "account": _("Konto"),
}


@dataclass(frozen=True)
class Event:
    code: str  # e.g. "invoice.issued"
    label: Any  # lazy Polish label for the preferences page
    group: str  # one of GROUPS
    always: bool = False  # account events: always sent, not on the preferences page
    sms_default: bool = False
    email_default: bool = True
    template: str = ""  # dir under templates/notifications/; default: code with "." -> "_"
    portal_only: bool = False  # only the portal inbox, never SMS / e-mail

    @property
    def template_name(self) -> str:
        return self.template or self.code.replace(".", "_")


_EVENTS: dict[str, Event] = {}
_SCANS: dict[str, Callable[[dt.date], int]] = {}


def register(event: Event) -> None:
    """Declare an event (from a domain app's AppConfig.ready()); registering again replaces it."""
    if event.group not in GROUPS:
        raise ValueError(f"Unknown notification group {event.group!r} for {event.code}")
    _EVENTS[event.code] = event


def get_event(code: str) -> Event:
    try:
        return _EVENTS[code]
    except KeyError:
        raise LookupError(f"Notification event {code!r} is not registered") from None


def all_events() -> list[Event]:
    """Every registered event, by group (in GROUPS order) then registration order."""
    order = list(GROUPS)
    return sorted(_EVENTS.values(), key=lambda event: order.index(event.group))


def preference_events() -> list[Event]:
    """The events a user chooses channels for (not the always-sent ones)."""
    return [event for event in all_events() if not event.always]


def register_scan(name: str, func: Callable[[dt.date], int]) -> None:
    """Declare a scheduled scan, run daily by beat through `notifications.tasks.run_scan`."""
    _SCANS[name] = func


def get_scan(name: str) -> Callable[[dt.date], int] | None:
    return _SCANS.get(name)


def scan_names() -> list[str]:
    return sorted(_SCANS)


class Recipient(NamedTuple):
    """One message of a bulk emit: to `user`, texts from `context`."""

    user: Any
    context: Mapping[str, Any]
    dedupe_key: str | None = None
    link: str = ""


def emit(
    code: str,
    *,
    user,
    context: Mapping[str, Any],
    dedupe_key: str | None = None,
    link: str = "",
    channels: Collection[str] | None = None,
    to: Mapping[str, str] | None = None,
) -> list[Message]:
    """Raise the event `code` for `user`: queue its messages; return them (existing ones when
    `dedupe_key` was used before). Call it inside the transaction of the change it reports.

    `channels` narrows the channels ("sms", "email") the event may use; `to` sends a channel to
    another address than the user's (a changed phone is reported to the old number)."""
    event = get_event(code)
    prefs = NotificationSettings.objects.filter(user=user).first()
    recipient = Recipient(user, context, dedupe_key, link)
    messages = _build(event, recipient, prefs, timezone.now(), channels=channels, to=to)
    return [_save(message) for message in messages]


def emit_many(code: str, recipients: Iterable[Recipient]) -> int:
    """Raise `code` for many users at once (scans): one settings query, rows inserted in bulk,
    keys already in the outbox skipped before rendering. Returns the number of rows inserted."""
    from .services import message_queue_delivery

    event = get_event(code)
    recipients = list(recipients)
    if not recipients:
        return 0
    user_ids = {r.user.pk for r in recipients}
    prefs = {p.user_id: p for p in NotificationSettings.objects.filter(user_id__in=user_ids)}
    now = timezone.now()
    done = _existing_key_prefixes(event, recipients)
    rows: list[Message] = []
    cache: dict = {}  # recipients sharing a context (users of one company) share its texts
    for recipient in recipients:
        if recipient.dedupe_key and _key(event, recipient, "") in done:
            continue
        rows.extend(_build(event, recipient, prefs.get(recipient.user.pk), now, cache=cache))
    created = 0
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        Message.objects.bulk_create(batch, ignore_conflicts=True)
        keys = [row.dedupe_key for row in batch if row.dedupe_key]
        due = Message.objects.filter(
            dedupe_key__in=keys, status=Message.Status.QUEUED, next_attempt_at__lte=now
        ).values_list("pk", flat=True)
        ids = list(due)
        created += len(batch)
        for message_id in ids:  # a row a concurrent run also queued is claimed only once
            message_queue_delivery(message_id)
    return created


BATCH = 10_000  # rows per INSERT and keys per lookup: one of each for any realistic day


def _existing_key_prefixes(event: Event, recipients: list[Recipient]) -> set[str]:
    keys = {_key(event, r, "") for r in recipients if r.dedupe_key}
    found: set[str] = set()
    keys_list = sorted(keys)
    for start in range(0, len(keys_list), BATCH):
        chunk = keys_list[start : start + BATCH]
        wanted = [k + channel for k in chunk for channel in _CHANNELS]
        for key in Message.objects.filter(dedupe_key__in=wanted).values_list(
            "dedupe_key", flat=True
        ):
            found.add(key.rsplit(":", 1)[0] + ":")
    return found


_CHANNELS = (Message.Channel.SMS, Message.Channel.EMAIL, Message.Channel.INBOX)


def _key(event: Event, recipient: Recipient, channel: str) -> str:
    return f"{event.code}:{recipient.dedupe_key}:u{recipient.user.pk}:{channel}"[:200]


def _build(
    event: Event,
    recipient: Recipient,
    prefs,
    now: dt.datetime,
    *,
    channels: Collection[str] | None = None,
    to: Mapping[str, str] | None = None,
    cache: dict | None = None,
) -> list[Message]:
    user = recipient.user
    sms, email = (False, False) if event.portal_only else wanted_channels(event, prefs)
    if channels is not None:
        sms, email = sms and "sms" in channels, email and "email" in channels
    to = to or {}
    phone = str(to.get("sms") or getattr(user, "phone", "") or "")
    address = to.get("email") or getattr(user, "email", "") or ""
    sms, email = sms and bool(phone), email and bool(address)
    language = (prefs.language if prefs else "") or settings.LANGUAGE_CODE
    cache_key = (id(recipient.context), recipient.link, language)
    if cache is not None and cache_key in cache:
        subject, text, html, sms_text = cache[cache_key]
    else:
        context = {**recipient.context, "link": recipient.link, "url": _absolute(recipient.link)}
        rendered = render_event(event.template_name, context, language=language)
        subject, text, html, sms_text = rendered
        if cache is not None:
            cache[cache_key] = rendered
    common = {"user": user, "event": event.code, "link": recipient.link[:300]}
    messages = []
    if sms:
        wait = quiet_until(prefs, now)
        messages.append(
            Message(
                channel=Message.Channel.SMS,
                recipient=phone,
                body=_gsm(sms_text),
                next_attempt_at=wait or now,
                **common,
            )
        )
    if email:
        messages.append(
            Message(
                channel=Message.Channel.EMAIL,
                recipient=address,
                subject=subject,
                body=text,
                html_body=html,
                **common,
            )
        )
    if not messages:
        messages.append(
            Message(
                channel=Message.Channel.INBOX,
                recipient=str(user.pk),
                subject=subject,
                body=text,
                **common,
            )
        )
    bundle = uuid.uuid4()
    for message in messages:
        message.created_at = now
        message.bundle = bundle
        # One notification, one inbox row: the e-mail's when it went by e-mail and SMS.
        message.listed = not (message.channel == Message.Channel.SMS and email)
        if message.channel != Message.Channel.SMS:
            message.next_attempt_at = now
        if recipient.dedupe_key:
            message.dedupe_key = _key(event, recipient, message.channel)
    return messages


def _absolute(link: str) -> str:
    if not link or "://" in link:
        return link
    base = getattr(settings, "PUBLIC_BASE_URL", "").rstrip("/")
    return f"{base}{link}" if base else ""


def _gsm(text: str) -> str:
    from .services import gsm_text

    return gsm_text(text)


def _save(message: Message) -> Message:
    from .services import message_queue_delivery

    if message.dedupe_key:
        existing = Message.objects.filter(dedupe_key=message.dedupe_key).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                message.save(force_insert=True)
        except IntegrityError:  # a concurrent emit created it first
            return Message.objects.get(dedupe_key=message.dedupe_key)
    else:
        message.save(force_insert=True)
    if message.next_attempt_at <= timezone.now():
        message_queue_delivery(message.pk)
    # else: quiet hours; the outbox sweep sends it once they are over
    return message
