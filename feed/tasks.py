from __future__ import annotations

from celery import shared_task

from . import nightly


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def import_nightly_batches() -> list[int]:
    """Import every batch file waiting in the feed inbox (scheduled nightly)."""
    return [batch.pk for batch in nightly.import_pending()]
