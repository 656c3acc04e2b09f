from __future__ import annotations

from celery import shared_task

from ebok import services


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def run_export_job(job_id: str) -> str | None:
    job = services.export_job_run(job_id=job_id)
    return job.status if job is not None else None


@shared_task
def purge_old_exports() -> int:
    return services.export_jobs_purge()
