"""Writes on a user's notification settings: by the user, or by their company administrator.
Every change is audited (what changed, never the message texts)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy

from notifications.models import NotificationSettings
from notifications.selectors import settings_for

from ..audit import BACKGROUND, AuditContext, audit_log, register_actions
from ..models import User

SETTINGS_CHANGED = "notifications.settings_changed"

register_actions({SETTINGS_CHANGED: gettext_lazy("zmiana ustawień powiadomień")})


def _time(value: dt.time | None) -> str:
    return value.strftime("%H:%M") if value else ""


@transaction.atomic
def notification_settings_set(
    *,
    user: User,
    by: User,
    channels: dict[str, dict[str, bool]],
    payment_due_days: int,
    quiet_hours: tuple[dt.time | None, dt.time | None],
    language: str,
    audit: AuditContext = BACKGROUND,
) -> list[str]:
    """Save `user`'s choices (the caller checked that `by` may: themself or their company's
    administrator); the names of what changed ([] when nothing did, and no audit entry)."""
    current = settings_for(user=user)
    before = {
        "channels": {code: current.channels.get(code) for code in channels},
        "payment_due_days": current.payment_due_days,
        "quiet_hours": f"{_time(current.quiet_from)}-{_time(current.quiet_to)}",
        "language": current.language or settings.LANGUAGE_CODE,
    }
    after = {
        "channels": channels,
        "payment_due_days": payment_due_days,
        "quiet_hours": f"{_time(quiet_hours[0])}-{_time(quiet_hours[1])}",
        "language": language,
    }
    changed = _changes(before, after, current)
    if not changed:
        return []
    NotificationSettings.objects.update_or_create(
        user=user,
        defaults={
            "channels": {**current.channels, **channels},
            "payment_due_days": payment_due_days,
            "quiet_from": quiet_hours[0],
            "quiet_to": quiet_hours[1],
            "language": language,
        },
    )
    details = {name: after[name] for name in changed if name != "channels"}
    if "channels" in changed:
        details["events"] = sorted(
            code
            for code, choice in channels.items()
            if choice != (current.channels.get(code) or _defaults(current, code))
        )
    audit_log(
        audit=audit,
        user=by,
        company=user.company,
        action=SETTINGS_CHANGED,
        obj=user,
        details=details,
    )
    return changed


def _defaults(current: NotificationSettings, code: str) -> dict[str, bool]:
    from notifications.events import get_event
    from notifications.preferences import wanted_channels

    sms, email = wanted_channels(get_event(code), None)
    return {"sms": sms, "email": email}


def _changes(before: dict, after: dict, current: NotificationSettings) -> list[str]:
    changed = []
    effective = {
        code: before["channels"][code] or _defaults(current, code) for code in after["channels"]
    }
    if effective != after["channels"]:
        changed.append("channels")
    for name in ("payment_due_days", "quiet_hours", "language"):
        if before[name] != after[name]:
            changed.append(name)
    return changed
