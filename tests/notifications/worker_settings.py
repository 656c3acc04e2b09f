"""Settings of the Celery worker processes that the delivery fault tests start: the shared
worker settings, with Redis handing an unacknowledged task (its worker was killed) to another
worker after seconds instead of an hour."""

from __future__ import annotations

from tests.ebok.worker_settings import *  # noqa: F403

CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
