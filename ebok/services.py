"""Export jobs: large Excel reports written by a Celery task into storage."""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ebok import exports
from ebok.models import ExportJob
from ebok.xlsx import write_xlsx_tempfile

logger = logging.getLogger(__name__)


def export_filename(stem: str) -> str:
    """`Faktury 2026-11-21` -> `Faktury_2026-11-21.xlsx` (ASCII-safe in any browser)."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", stem.translate(_ASCII_FOLD)).strip("_")
    return f"{safe or 'raport'}.xlsx"


_ASCII_FOLD = str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")


@transaction.atomic
def export_job_create(
    *, owner, kind: exports.ExportKind, params: dict[str, Any], rows_total: int
) -> ExportJob:
    """Queue a report for the owner; the task starts once this transaction commits."""
    from ebok.tasks import run_export_job  # tasks import this module

    job = ExportJob.objects.create(
        owner=owner,
        company_id=owner.company_id,
        kind=kind.key,
        params=params,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        rows_total=rows_total,
    )
    job_id = str(job.pk)
    transaction.on_commit(lambda: run_export_job.delay(job_id))
    return job


def export_job_run(*, job_id: str) -> ExportJob | None:
    """Write the job's file. Runs once: a redelivered task finds the job already claimed."""
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.PENDING).update(
        status=ExportJob.Status.RUNNING
    )
    if not claimed:
        return None
    job = ExportJob.objects.select_related("owner").get(pk=job_id)
    try:
        with translation.override(job.language):
            _write_job_file(job)
    except Exception as exc:
        logger.exception("export job %s (%s) failed", job.pk, job.kind)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED,
            error=str(exc)[:2000] or exc.__class__.__name__,
            finished_at=timezone.now(),
        )
        job.refresh_from_db()
    return job


def _write_job_file(job: ExportJob) -> None:
    kind = exports.get(job.kind)
    owner = job.owner
    if not owner.is_active or owner.company_id != job.company_id or not kind.allowed(owner):
        # Permissions can change between the click and the run; the check is repeated here.
        raise PermissionError(_("Brak uprawnień do tego raportu."))
    total = kind.count(owner, job.params)
    ExportJob.objects.filter(pk=job.pk).update(rows_total=total)

    def progress(done: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(rows_done=done)

    handle, count = write_xlsx_tempfile(
        title=kind.title(),
        columns=kind.columns(),
        rows=kind.rows(owner, job.params),
        on_progress=progress,
    )
    with handle:
        job.file.save(f"{job.pk}.xlsx", File(handle), save=False)
    job.filename = export_filename(kind.filename(job.params))
    job.rows_done = count
    job.status = ExportJob.Status.DONE
    job.finished_at = timezone.now()
    job.save(update_fields=["file", "filename", "rows_done", "status", "finished_at"])


def export_jobs_purge(*, now: dt.datetime | None = None) -> int:
    """Delete finished jobs past the retention (rows and files); fail jobs whose worker died."""
    now = now or timezone.now()
    stale = now - dt.timedelta(minutes=settings.EXPORT_JOB_TIMEOUT_MINUTES)
    ExportJob.objects.filter(
        status__in=[ExportJob.Status.PENDING, ExportJob.Status.RUNNING], created_at__lt=stale
    ).update(status=ExportJob.Status.FAILED, error="timeout", finished_at=now)

    expired = ExportJob.objects.filter(
        finished_at__lt=now - dt.timedelta(hours=settings.EXPORT_RETENTION_HOURS)
    )
    deleted = 0
    for job in expired.iterator():
        if job.file:
            job.file.delete(save=False)
        job.delete()
        deleted += 1
    return deleted
