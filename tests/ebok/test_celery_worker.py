"""A real Celery worker, started by the test suite, consumes a task from Redis (not eager);
export jobs survive a worker killed mid-job, a graceful stop and a broker outage."""

from __future__ import annotations

import datetime as dt
import io
import os
import signal
import zipfile
from decimal import Decimal

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from ebok.celery import app
from ebok.models import ExportJob
from ebok.services import export_jobs_sweep
from invoices.models import Invoice, Payment
from invoices.pdf import invoice_pdf_filename
from invoices.services import LineSpec, invoice_create
from invoices.tasks import settle_company
from tests.downloads import client_user, issue_invoice
from tests.ebok.workers import (
    CLOSED_PORT_BROKER,
    broker_at,
    tasks_through_redis,
    wait_for,
    worker_process,
)
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


# --- export jobs under faults: a real worker process, killed or stopped ---------------------------
#
# The job is a ZIP of invoices whose PDFs are not rendered yet: the worker renders them one by
# one (a fraction of a second each) and reports each as progress, so the test can stop the
# worker mid-job.

ZIP_SIZE = 30


@pytest.fixture
def slow_zip(settings, client, tmp_path):
    """`start()` -> (job, invoices): a ZIP job queued in Redis for a worker process."""
    settings.INVOICE_PDF_ON_ISSUE = False  # PDFs left to the job: it takes seconds
    settings.EXPORT_JOB_LEASE_SECONDS = 3  # minutes in production; seconds here

    def start():
        company = CompanyFactory()
        invoices = [issue_invoice(company, net=f"{100 + n}.00") for n in range(ZIP_SIZE)]
        client.force_login(client_user(company))
        with tasks_through_redis():
            response = client.post(reverse("invoices:zip"), {"invoice": [i.pk for i in invoices]})
        job = ExportJob.objects.get()
        assert response["Location"] == reverse("exports:job", args=[job.pk])
        return job, invoices

    return start


def worker(settings, tmp_path, name: str, **kwargs):
    return worker_process(
        media_root=settings.MEDIA_ROOT, log_path=tmp_path / f"{name}.log", **kwargs
    )


def job_state(job: ExportJob) -> ExportJob:
    return ExportJob.objects.get(pk=job.pk)


def wait_until_running(job: ExportJob, *, done: int = 2) -> ExportJob:
    return wait_for(
        lambda: (
            (state := job_state(job)).status == ExportJob.Status.RUNNING
            and state.rows_done >= done
            and state
        ),
        timeout=180,
        what=f"the job running with {done} PDFs done",
    )


def wait_until_done(job: ExportJob, *, timeout: float = 240) -> ExportJob:
    def finished():
        state = job_state(job)
        assert state.status != ExportJob.Status.FAILED, state.error
        return state.status == ExportJob.Status.DONE and state

    return wait_for(finished, timeout=timeout, what="the job done")


def sweep_restarts(job: ExportJob) -> None:
    """Run the sweep (as beat does every minute) until the dead run's lease has run out."""
    with tasks_through_redis():
        wait_for(lambda: export_jobs_sweep()["restarted"], timeout=60, what="the sweep")
    assert job_state(job).status == ExportJob.Status.PENDING


def assert_complete_zip(client, job: ExportJob, invoices) -> None:
    response = client.get(reverse("exports:download", args=[job.pk]))
    body = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(body)
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert archive.testzip() is None
        assert len(archive.namelist()) == len(invoices)
        for invoice in invoices:
            invoice.refresh_from_db()
            with invoice.pdf.open("rb") as handle:
                assert archive.read(invoice_pdf_filename(invoice)) == handle.read()


def test_a_job_whose_worker_is_killed_is_finished_by_a_new_worker(
    settings, tmp_path, client, slow_zip
):
    with worker(settings, tmp_path, "killed") as first:
        job, invoices = slow_zip()
        wait_until_running(job)
        first.signal(signal.SIGKILL)
        first.wait(timeout=30)
    stuck = job_state(job)
    assert stuck.status == ExportJob.Status.RUNNING  # what the dead worker left
    assert stuck.rows_done < ZIP_SIZE

    sweep_restarts(job)
    with worker(settings, tmp_path, "second"):
        done = wait_until_done(job)

    assert (done.attempts, done.rows_done) == (2, ZIP_SIZE)
    assert_complete_zip(client, job, invoices)


def test_a_job_whose_pool_child_is_killed_is_finished_by_the_same_worker(
    settings, tmp_path, client, slow_zip
):
    with worker(settings, tmp_path, "prefork", pool="prefork") as prefork:
        job, invoices = slow_zip()
        wait_until_running(job)
        os.kill(prefork.pool_child_pid(), signal.SIGKILL)
        wait_for(
            lambda: "exited prematurely: signal 9" in prefork.log(), timeout=60, what="the loss"
        )
        # The worker itself lives on and redelivers the task; the job is still claimed by the
        # dead run, so nothing happens until its lease runs out and the sweep restarts it.
        stuck = job_state(job)
        assert (stuck.status, stuck.attempts) == (ExportJob.Status.RUNNING, 1)
        assert stuck.rows_done < ZIP_SIZE
        sweep_restarts(job)
        done = wait_until_done(job)

    assert (done.attempts, done.rows_done) == (2, ZIP_SIZE)
    assert_complete_zip(client, job, invoices)


def test_a_worker_stopped_gracefully_finishes_its_job_first(settings, tmp_path, client, slow_zip):
    with worker(settings, tmp_path, "stopped") as stopped:
        job, invoices = slow_zip()
        wait_until_running(job)
        stopped.signal(signal.SIGTERM)  # what `docker compose stop` sends: Celery's warm shutdown
        assert stopped.wait(timeout=240) == 0, stopped.log()

    done = job_state(job)
    assert (done.status, done.attempts, done.rows_done) == (ExportJob.Status.DONE, 1, ZIP_SIZE)
    assert_complete_zip(client, job, invoices)


def test_a_job_asked_for_while_the_broker_is_down_runs_once_it_is_back(settings, tmp_path, client):
    settings.EXPORT_ASYNC_THRESHOLD = 2
    company = CompanyFactory()
    for _ in range(3):
        issue_invoice(company)
    client.force_login(client_user(company))

    with broker_at(CLOSED_PORT_BROKER):
        response = client.get(reverse("invoices:xlsx"))
        page = client.get(response["Location"])

    job = ExportJob.objects.get()
    assert page.status_code == 200
    assert "Plik czeka w kolejce" in page.content.decode()
    assert job_state(job).status == ExportJob.Status.PENDING
    ExportJob.objects.filter(pk=job.pk).update(queued_at=timezone.now() - dt.timedelta(minutes=5))

    with worker(settings, tmp_path, "after-outage"):
        with tasks_through_redis():
            assert export_jobs_sweep()["requeued"] == 1
        done = wait_until_done(job)

    assert (done.attempts, done.rows_done) == (1, 3)
