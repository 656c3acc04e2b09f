"""Running the daily notification scans that domain apps register (see notifications.events)."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from .events import get_scan

logger = logging.getLogger(__name__)


def scan_run(*, name: str, day: str | dt.date | None = None) -> int:
    """Run the scan `name` for `day` (default: today in Europe/Warsaw); the number of messages
    it queued. One transaction: the messages are queued for delivery when it commits, and a
    concurrent run of the same scan waits on the outbox's unique keys, then skips them."""
    scan = get_scan(name)
    if scan is None:
        logger.warning("Notification scan %r is not registered; nothing to do", name)
        return 0
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    day = day or timezone.localdate()
    with transaction.atomic():
        created = scan(day)
    logger.info("Notification scan %s for %s: %d message(s)", name, day, created)
    return created
