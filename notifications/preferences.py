"""A user's notification choices read as answers: which channels, until when an SMS waits."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

WARSAW = ZoneInfo("Europe/Warsaw")


def wanted_channels(event, prefs) -> tuple[bool, bool]:
    """(sms, email) for `event`: the user's choice, else the event's default."""
    if event.always or prefs is None:
        return event.sms_default, event.email_default
    choice = (prefs.channels or {}).get(event.code) or {}
    return bool(choice.get("sms", event.sms_default)), bool(
        choice.get("email", event.email_default)
    )


def in_quiet_hours(quiet_from: dt.time, quiet_to: dt.time, moment: dt.time) -> bool:
    if quiet_from < quiet_to:
        return quiet_from <= moment < quiet_to
    return moment >= quiet_from or moment < quiet_to  # over midnight, e.g. 22:00-07:00


def quiet_until(prefs, now: dt.datetime) -> dt.datetime | None:
    """When an SMS sent `now` may go out: None if now is allowed, else the end of the quiet
    hours (Europe/Warsaw, the next allowed minute)."""
    if prefs is None or prefs.quiet_from is None or prefs.quiet_to is None:
        return None
    if prefs.quiet_from == prefs.quiet_to:
        return None
    local = now.astimezone(WARSAW)
    moment = local.time().replace(tzinfo=None)
    if not in_quiet_hours(prefs.quiet_from, prefs.quiet_to, moment):
        return None
    day = local.date() if moment < prefs.quiet_to else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, prefs.quiet_to, tzinfo=WARSAW)
