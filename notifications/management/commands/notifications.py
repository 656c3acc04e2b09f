"""Inspect the outbox and resend a message (README "Notifications and SMS" → "Operations").

    python manage.py notifications                       # the latest 50 messages
    python manage.py notifications --status uncertain --status failed --older-than 1h
    python manage.py notifications --user jan.kowalski --channel sms
    python manage.py notifications --show 123
    python manage.py notifications --resend 123 [--accept-duplicate]
    python manage.py notifications --scan invoices.payment_due [--day 2026-12-02]

Resending follows the admin's rules (the same service): only a failed, undelivered or
uncertain message, never a one-time code, and an uncertain one only with --accept-duplicate
(it may already have reached the recipient).
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from notifications.events import scan_names
from notifications.models import Message
from notifications.scans import scan_run
from notifications.services import MessageStateError, message_retry

AGE = re.compile(r"^(\d+)([smhd]?)$")
UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "": "minutes"}


def age(value: str) -> dt.timedelta:
    match = AGE.match(value.strip())
    if not match:
        raise ValueError(value)
    return dt.timedelta(**{UNITS[match[2]]: int(match[1])})


class Command(BaseCommand):
    help = "List outbox messages by status, age, channel or user; show one; resend one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--status",
            action="append",
            choices=Message.Status.values,
            help="only this status (repeatable)",
        )
        parser.add_argument("--channel", choices=Message.Channel.values)
        parser.add_argument("--user", help="the user's id or username")
        parser.add_argument(
            "--older-than",
            type=age,
            metavar="AGE",
            help="created at least this long ago: 90s, 30m, 2h, 7d (a bare number is minutes)",
        )
        parser.add_argument("--limit", type=int, default=50)
        parser.add_argument("--show", type=int, metavar="ID", help="every field of one message")
        parser.add_argument(
            "--resend", type=int, metavar="ID", help="queue a failed/undelivered/uncertain one"
        )
        parser.add_argument(
            "--scan",
            metavar="NAME",
            help="run a daily scan now, as beat does (invoices.payment_due, invoices.overdue, "
            "contracts.policy_expiring, documents.unread); idempotent",
        )
        parser.add_argument("--day", type=dt.date.fromisoformat, help="with --scan: YYYY-MM-DD")
        parser.add_argument(
            "--accept-duplicate",
            action="store_true",
            help="with --resend of an uncertain message: the recipient may get it twice",
        )

    def handle(self, *args, **options) -> None:
        if options["scan"]:
            if options["scan"] not in scan_names():
                raise CommandError(f"No scan {options['scan']}; known: {', '.join(scan_names())}")
            created = scan_run(name=options["scan"], day=options["day"])
            self.stdout.write(f"Scan {options['scan']}: {created} message(s) queued.")
        elif options["resend"] is not None:
            self.resend(options["resend"], accept_duplicate=options["accept_duplicate"])
        elif options["show"] is not None:
            self.show(self.get(options["show"]))
        else:
            self.list(self.filtered(options), limit=options["limit"])

    def get(self, message_id: int) -> Message:
        message = Message.objects.select_related("user").filter(pk=message_id).first()
        if message is None:
            raise CommandError(f"No message {message_id}.")
        return message

    def filtered(self, options) -> QuerySet[Message]:
        messages = Message.objects.select_related("user")
        if options["status"]:
            messages = messages.filter(status__in=options["status"])
        if options["channel"]:
            messages = messages.filter(channel=options["channel"])
        if options["user"]:
            who = Q(user__username=options["user"])
            if options["user"].isdigit():
                who |= Q(user__pk=int(options["user"]))
            messages = messages.filter(who)
        if options["older_than"] is not None:
            messages = messages.filter(created_at__lte=timezone.now() - options["older_than"])
        return messages.order_by("-created_at", "-pk")

    def list(self, messages: QuerySet[Message], *, limit: int) -> None:
        rows = list(messages[:limit])
        for m in rows:
            when = timezone.localtime(m.created_at).strftime("%Y-%m-%d %H:%M:%S")
            self.stdout.write(
                f"{m.pk:>8}  {when}  {m.channel:<5}  {m.status:<11}  {m.attempts:>2}  "
                f"{m.recipient:<24}  {summary(m)}"
            )
        counts = dict(messages.order_by().values_list("status").annotate(n=Count("pk")).order_by())
        total = sum(counts.values())
        by_status = ", ".join(f"{status}: {n}" for status, n in sorted(counts.items()))
        self.stdout.write(f"{len(rows)} of {total} shown" + (f" ({by_status})" if total else ""))

    def show(self, message: Message) -> None:
        for field in Message._meta.fields:
            value = getattr(message, field.attname)
            if field.name in ("body", "html_body"):
                continue
            if isinstance(value, dt.datetime):
                value = timezone.localtime(value).isoformat(sep=" ", timespec="seconds")
            self.stdout.write(f"{field.name:>16}: {'' if value is None else value}")
        self.stdout.write(f"{'body':>16}: {body(message)}")
        if message.html_body:
            self.stdout.write(f"{'html_body':>16}: ({len(message.html_body)} characters)")

    def resend(self, message_id: int, *, accept_duplicate: bool) -> None:
        message = self.get(message_id)
        try:
            message_retry(message=message, accept_duplicate=accept_duplicate)
        except MessageStateError as exc:
            hint = (
                " Add --accept-duplicate to resend it anyway."
                if message.status == Message.Status.UNCERTAIN and not message.sensitive
                else ""
            )
            raise CommandError(f"Message {message_id} not resent: {exc}{hint}") from exc
        self.stdout.write(f"Message {message_id} queued again.")


def body(message: Message) -> str:
    # One-time codes stay out of terminals and their scrollback, whatever the backend kept.
    return "(one-time code or password, not shown)" if message.sensitive else message.body


def summary(message: Message) -> str:
    text = " ".join((message.subject or body(message)).split())
    return text if len(text) <= 60 else text[:59] + "…"
