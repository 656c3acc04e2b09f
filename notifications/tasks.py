from __future__ import annotations

from celery import shared_task

from .services import (
    Outcome,
    message_deliver,
    message_mark_uncertain,
    message_requeue_due,
    retry_delay,
)


@shared_task(bind=True, acks_late=True, ignore_result=True)
def deliver_message(self, message_id: int) -> str:
    outcome = message_deliver(message_id=message_id)
    if outcome is Outcome.RETRY and not self.request.is_eager:
        # A worker retries with backoff; in-process (eager) runs leave it to the sweep.
        countdown = retry_delay(self.request.retries + 1).total_seconds()
        raise self.retry(countdown=countdown, max_retries=None)
    return outcome.value


@shared_task(ignore_result=True)
def sweep_outbox() -> int:
    # First settle the claims of workers that died mid-send, so they are never re-queued.
    message_mark_uncertain()
    return message_requeue_due()


@shared_task(ignore_result=True)
def run_scan(name: str, day: str | None = None) -> int:
    """A daily notification scan registered with `notifications.events.register_scan`
    (payment reminders, overdue notices...); `day` (ISO date) defaults to today in Warsaw."""
    from .scans import scan_run

    return scan_run(name=name, day=day)
