from __future__ import annotations

import datetime as dt

from django.utils import timezone


def format_date(value: dt.date | dt.datetime | None) -> str:
    """Dates read `21.11.2026` in both languages; datetimes add local `14:05`."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%d.%m.%Y %H:%M")
    return value.strftime("%d.%m.%Y")


def today() -> dt.date:
    """The business date in Warsaw (not UTC): what "due today" means to the client."""
    return timezone.localdate()
