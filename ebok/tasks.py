from __future__ import annotations

from celery import shared_task

from ebok import services


# acks_late + reject_on_worker_lost: a message whose worker died mid-task goes back to the
# queue instead of being acknowledged as failed. Its redelivery finds the job still running
# (claimed) and does nothing; the sweep restarts the job once the dead run's lease runs out.
@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(ConnectionError,),
    retry_backoff=True,
    max_retries=3,
)
def run_export_job(job_id: str) -> str | None:
    job = services.export_job_run(job_id=job_id)
    return job.status if job is not None else None


@shared_task(ignore_result=True)
def sweep_export_jobs() -> dict[str, int]:
    return services.export_jobs_sweep()


@shared_task
def purge_old_exports() -> int:
    return services.export_jobs_purge()
