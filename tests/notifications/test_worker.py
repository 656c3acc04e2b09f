"""A real Celery worker, fed through Redis, delivers an SMS queued after commit."""

from __future__ import annotations

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from ebok.celery import app
from notifications.models import Message
from notifications.services import send_sms

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def redis_worker():
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "worker tests need REDIS_URL"
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER


def test_the_worker_delivers_what_the_transaction_committed(redis_worker):
    message = send_sms(to="+48600100200", body="eBOK: kod logowania 135790.")

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        message.refresh_from_db()
        if message.status != Message.Status.QUEUED:
            break
        time.sleep(0.1)

    assert message.status == Message.Status.SENT
    assert message.provider_id == f"outbox-{message.pk}"
