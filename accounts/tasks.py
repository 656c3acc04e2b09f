"""Background work of accounts: thin tasks that take ids and call a service."""

from __future__ import annotations

from celery import shared_task

from .public import registration


@shared_task(acks_late=True, ignore_result=True)
def registration_check(registration_id: int, base_url: str = "") -> str:
    return registration.registration_check(registration_id=registration_id, base_url=base_url)


@shared_task(ignore_result=True)
def sweep_registrations() -> int:
    return registration.registrations_check_due()
