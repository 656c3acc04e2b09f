from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from . import services

# A critical request not confirmed with its SMS code within this time is forgotten, files too.
DRAFT_LIFETIME = dt.timedelta(days=1)


@shared_task(ignore_result=True)
def purge_drafts() -> int:
    """Daily (CELERY_BEAT_SCHEDULE "requests-purge-drafts")."""
    return services.drafts_purge(older_than=timezone.now() - DRAFT_LIFETIME)
