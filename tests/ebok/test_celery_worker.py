"""A real Celery worker, started by the test suite, consumes a task from Redis (not eager)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from ebok.celery import app
from invoices.models import Invoice, Payment
from invoices.services import LineSpec, invoice_create
from invoices.tasks import settle_company
from tests.factories import CompanyFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def redis_worker():
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "worker tests need REDIS_URL"
    app.conf.task_always_eager = False
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, shutdown_timeout=10
        ) as worker:
            yield worker
    finally:
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER


def test_it_runs_a_task_through_redis_with_a_real_worker(redis_worker):
    company = CompanyFactory()
    invoice = invoice_create(
        company=company,
        kind=Invoice.Kind.OTHER,
        lines=[LineSpec("Usługa", Decimal("100.00"))],
        issue_date=dt.date(2026, 11, 1),
    )
    # Credit booked directly, as an import from the core system would: nothing settles it yet.
    Payment.objects.create(
        company=company,
        amount=Decimal("50.00"),
        unallocated=Decimal("50.00"),
        received_on=dt.date(2026, 11, 2),
    )

    result = settle_company.delay(company.pk)

    assert result.get(timeout=30) == 1
    assert result.state == "SUCCESS"
    invoice.refresh_from_db()
    assert invoice.amount_paid == Decimal("50.00")
    # The task went through the broker: Redis holds its result under the task id.
    assert app.backend.get_task_meta(result.id)["status"] == "SUCCESS"
