"""Export jobs: files too large or too slow for a request, written by a Celery task into storage.

A job is a row first; its task is sent after commit, and a broker error then is logged, not
raised, so the page still answers. `export_jobs_sweep` (every minute) sends again a job still
pending past a grace and restarts or fails a running job whose worker stopped renewing its
lease: a broker outage or a killed worker delays a job by minutes, it never orphans it.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import tempfile
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ebok import exports
from ebok.models import ExportJob
from ebok.xlsx import write_xlsx_tempfile

logger = logging.getLogger(__name__)

Status = ExportJob.Status
Failure = ExportJob.Failure


def export_filename(stem: str, extension: str = "xlsx") -> str:
    """`Faktury 2026-11-21` -> `Faktury_2026-11-21.xlsx` (ASCII-safe in any browser)."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", stem.translate(_ASCII_FOLD)).strip("_")
    return f"{safe or 'raport'}.{extension}"


_ASCII_FOLD = str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")


@transaction.atomic
def export_job_create(
    *, owner, kind: exports.ExportKind, params: dict[str, Any], rows_total: int
) -> ExportJob:
    """Queue a file for the owner; the task is sent once this transaction commits."""
    job = ExportJob.objects.create(
        owner=owner,
        company_id=owner.company_id,
        kind=kind.key,
        params=params,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        rows_total=rows_total,
    )
    export_job_queue(job_id=job.pk)
    return job


def export_job_retry(*, job: ExportJob) -> ExportJob:
    """A fresh job with the same file kind and filters as a failed one (which stays failed)."""
    kind = exports.get(job.kind)
    return export_job_create(
        owner=job.owner,
        kind=kind,
        params=job.params,
        rows_total=kind.count(job.owner, job.params),
    )


def export_job_queue(*, job_id) -> None:
    """Send the job's task after commit. The broker being down must not fail the caller: the
    job waits as pending and the sweep sends it again once the broker is back."""
    from ebok.tasks import run_export_job  # tasks import this module

    job_id = str(job_id)

    def send() -> None:
        try:
            run_export_job.delay(job_id)
        except Exception:  # kombu's OperationalError, a timeout, ...: anything the send raises
            logger.warning("export job %s not queued; the sweep will retry", job_id, exc_info=True)

    transaction.on_commit(send)


class JobLost(Exception):
    """This run no longer holds the job: its lease ran out and the sweep handed it on."""


class _Lease:
    """One run's hold on its job. Every write is conditional on the run's attempt number and
    renews the heartbeat; when no row matches, the job was taken from this run."""

    def __init__(self, job: ExportJob) -> None:
        self.job_id = job.pk
        self.attempt = job.attempts

    def _mine(self):
        return ExportJob.objects.filter(
            pk=self.job_id, status=Status.RUNNING, attempts=self.attempt
        )

    def renew(self, **fields: Any) -> None:
        if not self._mine().update(heartbeat_at=timezone.now(), **fields):
            raise JobLost

    def end(self, **fields: Any) -> bool:
        return bool(self._mine().update(finished_at=timezone.now(), **fields))


def export_job_run(*, job_id: str) -> ExportJob | None:
    """Write the job's file. Only a pending job is claimed, so a duplicate or redelivered task
    is a no-op; each claim is a new attempt and starts the run's lease."""
    claimed = ExportJob.objects.filter(pk=job_id, status=Status.PENDING).update(
        status=Status.RUNNING,
        attempts=F("attempts") + 1,
        heartbeat_at=timezone.now(),
        rows_done=0,
    )
    if not claimed:
        return None
    job = ExportJob.objects.select_related("owner").get(pk=job_id)
    lease = _Lease(job)
    try:
        with translation.override(job.language):
            _write_job_file(job, lease)
    except JobLost:
        logger.warning("export job %s: run %s lost its lease, abandoned", job.pk, lease.attempt)
        return None
    except Exception as exc:
        logger.exception("export job %s (%s) failed", job.pk, job.kind)
        lease.end(
            status=Status.FAILED,
            failure=Failure.PERMISSION if isinstance(exc, PermissionError) else Failure.ERROR,
            error=str(exc)[:2000] or exc.__class__.__name__,
        )
    job.refresh_from_db()
    return job


def _write_job_file(job: ExportJob, lease: _Lease) -> None:
    kind = exports.get(job.kind)
    owner = job.owner
    if not owner.is_active or owner.company_id != job.company_id or not kind.allowed(owner):
        # Permissions can change between the click and the run; the check is repeated here.
        raise PermissionError(_("Brak uprawnień do tego raportu."))
    lease.renew(rows_total=kind.count(owner, job.params))

    def progress(done: int) -> None:
        lease.renew(rows_done=done)

    handle, count = _write_tempfile(kind, owner, job.params, progress)
    with handle:
        name = job.file.storage.save(
            job.file.field.generate_filename(job, f"{job.pk}.{kind.extension}"), File(handle)
        )
    finished = lease.end(
        status=Status.DONE,
        file=name,
        filename=export_filename(kind.filename(job.params), kind.extension),
        rows_done=count,
    )
    if not finished:  # replaced by another run while writing: its file is the one kept
        job.file.storage.delete(name)
        raise JobLost


def _write_tempfile(
    kind: exports.ExportKind, owner, params: exports.Params, progress
) -> tuple[IO[bytes], int]:
    if kind.write is None:
        return write_xlsx_tempfile(
            title=kind.title(),
            columns=kind.columns(),
            rows=kind.rows(owner, params),
            on_progress=progress,
        )
    handle = tempfile.TemporaryFile(suffix=f".{kind.extension}")  # noqa: SIM115 - returned open
    try:
        count = kind.write(owner, params, handle, progress)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return handle, count


def export_jobs_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Every minute: no job left behind by a broker outage or a dead worker.

    - pending past the grace (its task never reached a worker): sent again;
    - running with a lease older than `EXPORT_JOB_LEASE_SECONDS` (its worker died: SIGKILL,
      out of memory, machine gone): started over from the beginning while it has attempts
      left, else failed with a message the page shows next to "try again".

    A graceful stop (SIGTERM) lets the worker finish its task, renewing the lease meanwhile.
    """
    now = now or timezone.now()
    lease_ended = now - dt.timedelta(seconds=settings.EXPORT_JOB_LEASE_SECONDS)
    stale = ExportJob.objects.filter(
        Q(heartbeat_at__lt=lease_ended) | Q(heartbeat_at__isnull=True, created_at__lt=lease_ended),
        status=Status.RUNNING,
    )
    restarted = failed = 0
    for job_id, attempts in stale.values_list("pk", "attempts"):
        # Conditional on the same attempt: a run that renewed its lease meanwhile keeps it.
        mine = ExportJob.objects.filter(pk=job_id, status=Status.RUNNING, attempts=attempts)
        if attempts < settings.EXPORT_JOB_MAX_ATTEMPTS:
            if mine.update(status=Status.PENDING, rows_done=0, queued_at=now):
                logger.warning("export job %s lost its worker in run %s", job_id, attempts)
                export_job_queue(job_id=job_id)
                restarted += 1
        elif mine.update(
            status=Status.FAILED,
            failure=Failure.WORKER_LOST,
            error=f"worker lost (run {attempts} of {settings.EXPORT_JOB_MAX_ATTEMPTS})",
            finished_at=now,
        ):
            logger.error("export job %s lost its worker %s times: failed", job_id, attempts)
            failed += 1

    grace = now - dt.timedelta(seconds=settings.EXPORT_JOB_QUEUE_GRACE_SECONDS)
    requeued = 0
    waiting = ExportJob.objects.filter(status=Status.PENDING, queued_at__lt=grace)
    for job_id in list(waiting.values_list("pk", flat=True)[:500]):
        if ExportJob.objects.filter(pk=job_id, status=Status.PENDING).update(queued_at=now):
            export_job_queue(job_id=job_id)
            requeued += 1
    return {"restarted": restarted, "failed": failed, "requeued": requeued}


def export_jobs_purge(*, now: dt.datetime | None = None) -> int:
    """Delete finished jobs past the retention (rows and files); fail jobs older than the
    timeout that are still unfinished (the sweep's lease catches dead workers long before)."""
    now = now or timezone.now()
    stale = now - dt.timedelta(minutes=settings.EXPORT_JOB_TIMEOUT_MINUTES)
    ExportJob.objects.filter(
        status__in=[Status.PENDING, Status.RUNNING], created_at__lt=stale
    ).update(status=Status.FAILED, failure=Failure.TIMEOUT, error="timeout", finished_at=now)

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
