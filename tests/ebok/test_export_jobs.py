"""Large Excel reports become export jobs: a task writes the file, the page shows progress.
A job survives a dead worker (lease + sweep) and a broker outage; a failed one can be retried."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ebok import exports
from ebok.models import ExportJob
from ebok.services import export_job_run, export_jobs_purge, export_jobs_sweep
from tests.downloads import client_user, data_rows, issue_invoice, read_xlsx, streamed
from tests.ebok.workers import CLOSED_PORT_BROKER, broker_at


@pytest.fixture
def low_threshold(settings):
    settings.EXPORT_ASYNC_THRESHOLD = 2


def start_job(client, django_capture_on_commit_callbacks, *, run: bool, **query) -> ExportJob:
    with django_capture_on_commit_callbacks(execute=run):
        response = client.get(reverse("invoices:xlsx"), query)
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("exports:job", args=[job.pk])
    return job


@pytest.mark.django_db
def test_a_large_report_runs_as_a_job_with_progress_then_a_link(
    client, company, low_threshold, django_capture_on_commit_callbacks
):
    invoices = [issue_invoice(company) for _ in range(3)]
    user = client_user(company)
    client.force_login(user)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.get(reverse("invoices:xlsx"), {"sort": "number"})
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("exports:job", args=[job.pk])
    assert (job.owner, job.company, job.kind, job.rows_total) == (user, company, "invoices", 3)

    # Before the worker runs: the page polls the status partial, which shows the progress.
    page = client.get(response["Location"]).content.decode()
    assert f'hx-get="{reverse("exports:status", args=[job.pk])}"' in page
    assert 'hx-trigger="every 1s"' in page
    status = client.get(reverse("exports:status", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert "<progress" in status.content.decode()
    assert "0 z 3" in status.content.decode()
    assert reverse("exports:download", args=[job.pk]) not in status.content.decode()

    for callback in callbacks:  # the commit: the task is queued (and runs eagerly in tests)
        callback()

    status = client.get(reverse("exports:status", args=[job.pk]), HTTP_HX_REQUEST="true")
    html = status.content.decode()
    assert "hx-trigger" not in html  # finished: polling stops
    assert reverse("exports:download", args=[job.pk]) in html
    download = client.get(reverse("exports:download", args=[job.pk]))
    assert download["Content-Disposition"].startswith('attachment; filename="Faktury_')
    sheet = read_xlsx(streamed(download))
    numbers = [row[0] for row in data_rows(sheet)]
    assert numbers == sorted(i.number for i in invoices)
    assert isinstance(sheet["I2"].value, int | float)  # a number, not text


@pytest.mark.django_db
def test_a_small_report_downloads_at_once(client, company, django_capture_on_commit_callbacks):
    issue_invoice(company)
    client.force_login(client_user(company))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("invoices:xlsx"))

    assert response.status_code == 200
    assert not ExportJob.objects.exists()


@pytest.mark.django_db
def test_a_job_is_visible_to_its_owner_only(
    client, company, other_company, low_threshold, django_capture_on_commit_callbacks
):
    for _ in range(3):
        issue_invoice(company)
    client.force_login(client_user(company))
    job = start_job(client, django_capture_on_commit_callbacks, run=True)

    for stranger in (client_user(company), client_user(other_company)):
        client.force_login(stranger)
        for name in ("exports:job", "exports:status", "exports:download"):
            assert client.get(reverse(name, args=[job.pk])).status_code == 404, (stranger, name)


@pytest.mark.django_db
def test_a_job_needs_the_permission_of_its_report(
    client, company, low_threshold, django_capture_on_commit_callbacks
):
    for _ in range(3):
        issue_invoice(company)
    owner = client_user(company)
    client.force_login(owner)
    job = start_job(client, django_capture_on_commit_callbacks, run=True)
    owner.can_view_finances = False
    owner.save(update_fields=["can_view_finances"])

    assert client.get(reverse("exports:download", args=[job.pk])).status_code == 403


@pytest.mark.django_db
def test_a_job_fails_when_the_permission_is_gone_before_it_runs(
    client, company, low_threshold, django_capture_on_commit_callbacks
):
    for _ in range(3):
        issue_invoice(company)
    owner = client_user(company)
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.get(reverse("invoices:xlsx"))
    owner.can_view_finances = False
    owner.save(update_fields=["can_view_finances"])

    for callback in callbacks:
        callback()

    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.FAILED
    assert not job.file


@pytest.mark.django_db
def test_the_failure_is_shown_on_the_page(client, company):
    owner = client_user(company)
    job = ExportJob.objects.create(
        owner=owner, company=company, kind="invoices", status=ExportJob.Status.FAILED
    )
    client.force_login(owner)

    html = client.get(reverse("exports:status", args=[job.pk])).content.decode()

    assert "Nie udało się przygotować raportu" in html
    assert "hx-trigger" not in html


@pytest.mark.django_db
def test_old_files_are_cleaned_up(
    client, company, low_threshold, django_capture_on_commit_callbacks, settings
):
    for _ in range(3):
        issue_invoice(company)
    client.force_login(client_user(company))
    old = start_job(client, django_capture_on_commit_callbacks, run=True)
    old.refresh_from_db()
    old_file = Path(old.file.path)
    assert old_file.exists()
    ExportJob.objects.filter(pk=old.pk).update(
        finished_at=timezone.now() - dt.timedelta(hours=settings.EXPORT_RETENTION_HOURS + 1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("invoices:xlsx"))
    fresh = ExportJob.objects.exclude(pk=old.pk).get()

    assert export_jobs_purge() == 1

    assert not old_file.exists()
    assert list(ExportJob.objects.all()) == [fresh]
    assert client.get(reverse("exports:download", args=[old.pk])).status_code == 404


@pytest.mark.django_db
def test_a_job_whose_worker_died_is_marked_failed(company):
    owner = client_user(company)
    job = ExportJob.objects.create(
        owner=owner,
        company=company,
        kind="invoices",
        status=ExportJob.Status.RUNNING,
        created_at=timezone.now() - dt.timedelta(hours=2),
    )

    export_jobs_purge()

    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED


# --- a dead worker: the lease and the sweep ------------------------------------------------------


def lose_worker(job: ExportJob, *, attempts: int, ago: int) -> None:
    """The job as a worker killed mid-run leaves it: running, its lease renewed `ago` s back."""
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.RUNNING,
        attempts=attempts,
        rows_done=1,
        heartbeat_at=timezone.now() - dt.timedelta(seconds=ago),
    )


@pytest.mark.django_db
def test_a_job_whose_worker_died_is_started_over_by_the_sweep_within_minutes(
    client, company, low_threshold, django_capture_on_commit_callbacks, settings
):
    invoices = [issue_invoice(company) for _ in range(3)]
    client.force_login(client_user(company))
    job = start_job(client, django_capture_on_commit_callbacks, run=False)
    lose_worker(job, attempts=1, ago=settings.EXPORT_JOB_LEASE_SECONDS + 1)

    with django_capture_on_commit_callbacks(execute=True):
        assert export_jobs_sweep()["restarted"] == 1

    job.refresh_from_db()
    assert (job.status, job.attempts) == (ExportJob.Status.DONE, 2)
    sheet = read_xlsx(streamed(client.get(reverse("exports:download", args=[job.pk]))))
    assert len(data_rows(sheet)) == len(invoices)


@pytest.mark.django_db
def test_a_job_that_renews_its_lease_is_left_running(
    client, company, low_threshold, django_capture_on_commit_callbacks, settings
):
    for _ in range(3):
        issue_invoice(company)
    client.force_login(client_user(company))
    job = start_job(client, django_capture_on_commit_callbacks, run=False)
    lose_worker(job, attempts=1, ago=settings.EXPORT_JOB_LEASE_SECONDS - 5)

    assert export_jobs_sweep() == {"restarted": 0, "failed": 0, "requeued": 0}

    job.refresh_from_db()
    assert (job.status, job.attempts) == (ExportJob.Status.RUNNING, 1)


@pytest.mark.django_db
def test_a_job_that_keeps_losing_its_worker_fails_with_a_message_and_a_retry_button(
    client, company, low_threshold, django_capture_on_commit_callbacks, settings
):
    for _ in range(3):
        issue_invoice(company)
    client.force_login(client_user(company))
    job = start_job(client, django_capture_on_commit_callbacks, run=False)
    lose_worker(job, attempts=settings.EXPORT_JOB_MAX_ATTEMPTS, ago=600)

    assert export_jobs_sweep()["failed"] == 1

    job.refresh_from_db()
    assert (job.status, job.failure) == (ExportJob.Status.FAILED, ExportJob.Failure.WORKER_LOST)
    html = client.get(reverse("exports:job", args=[job.pk])).content.decode()
    assert "Nie udało się przygotować raportu." in html
    assert "przestał odpowiadać" in html
    assert f'action="{reverse("exports:retry", args=[job.pk])}"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "Spróbuj ponownie" in html
    assert "hx-trigger" not in html  # polling stopped


class _TakenOver(Exception):
    pass


def _write_then_lose_the_job(user, params, handle, on_progress) -> int:
    # Meanwhile the sweep gave the job to another run (as when this run's lease ran out).
    ExportJob.objects.filter(pk=params["job"]).update(attempts=F("attempts") + 1)
    handle.write(b"stale")
    on_progress(1)
    raise _TakenOver  # not reached: the progress report finds the job taken


TAKEN_OVER = exports.register(
    exports.file_export(
        key="test_taken_over",
        title=lambda: "Test",
        filename=lambda params: "test",
        count=lambda user, params: 1,
        write=_write_then_lose_the_job,
        allowed=lambda user: True,
        extension="bin",
        content_type="application/octet-stream",
    )
)


@pytest.mark.django_db
def test_a_run_that_lost_its_job_writes_nothing_more(company):
    owner = client_user(company)
    job = ExportJob.objects.create(owner=owner, company=company, kind=TAKEN_OVER.key)
    ExportJob.objects.filter(pk=job.pk).update(params={"job": str(job.pk)})

    assert export_job_run(job_id=str(job.pk)) is None

    job.refresh_from_db()
    # Left as the new run has it: not failed, not done, no file, no progress from the old run.
    assert (job.status, job.attempts, job.rows_done) == (ExportJob.Status.RUNNING, 2, 0)
    assert not job.file


# --- try again --------------------------------------------------------------------------------


def failed_job(owner, failure=ExportJob.Failure.WORKER_LOST) -> ExportJob:
    return ExportJob.objects.create(
        owner=owner,
        company=owner.company,
        kind="invoices",
        params={"sort": ["number"]},
        status=ExportJob.Status.FAILED,
        failure=failure,
    )


@pytest.mark.django_db
def test_try_again_starts_a_fresh_job_with_the_same_filters(
    client, company, django_capture_on_commit_callbacks
):
    invoices = [issue_invoice(company) for _ in range(2)]
    owner = client_user(company)
    old = failed_job(owner)
    client.force_login(owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("exports:retry", args=[old.pk]))

    fresh = ExportJob.objects.exclude(pk=old.pk).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("exports:job", args=[fresh.pk])
    assert (fresh.owner, fresh.kind, fresh.params) == (owner, "invoices", {"sort": ["number"]})
    assert fresh.status == ExportJob.Status.DONE
    old.refresh_from_db()
    assert old.status == ExportJob.Status.FAILED
    sheet = read_xlsx(streamed(client.get(reverse("exports:download", args=[fresh.pk]))))
    assert [row[0] for row in data_rows(sheet)] == sorted(i.number for i in invoices)


@pytest.mark.django_db
def test_try_again_is_for_the_owner_only_by_post_with_csrf(company, other_company):
    owner = client_user(company)
    job = failed_job(owner)
    url = reverse("exports:retry", args=[job.pk])

    for stranger in (client_user(company), client_user(other_company)):
        browser = Client()
        browser.force_login(stranger)
        assert browser.post(url).status_code == 404
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)
    assert browser.get(url).status_code == 405
    assert browser.post(url).status_code == 403  # no CSRF token
    assert ExportJob.objects.count() == 1


@pytest.mark.django_db
def test_a_job_that_did_not_fail_is_not_run_again(client, company):
    owner = client_user(company)
    job = failed_job(owner)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.DONE)
    client.force_login(owner)

    response = client.post(reverse("exports:retry", args=[job.pk]))

    assert response["Location"] == reverse("exports:job", args=[job.pk])
    assert ExportJob.objects.count() == 1


@pytest.mark.django_db
def test_a_job_refused_for_permissions_offers_no_retry(client, company):
    owner = client_user(company)
    job = failed_job(owner, failure=ExportJob.Failure.PERMISSION)
    client.force_login(owner)

    html = client.get(reverse("exports:job", args=[job.pk])).content.decode()

    assert "Nie masz już uprawnień" in html
    assert reverse("exports:retry", args=[job.pk]) not in html


# --- the broker is down when the job is asked for -----------------------------------------------


@pytest.mark.django_db
def test_a_job_asked_for_while_the_broker_is_down_waits_and_the_sweep_queues_it(
    client, company, low_threshold, django_capture_on_commit_callbacks, caplog
):
    invoices = [issue_invoice(company) for _ in range(3)]
    client.force_login(client_user(company))

    with broker_at(CLOSED_PORT_BROKER), django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("invoices:xlsx"))
        page = client.get(response["Location"])

    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("exports:job", args=[job.pk])
    assert "not queued" in caplog.text  # logged for operators, not shown as an error
    assert page.status_code == 200
    assert "Plik czeka w kolejce" in page.content.decode()
    assert job.status == ExportJob.Status.PENDING
    # Past the grace, the page says why it waits.
    ExportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=5),
        queued_at=timezone.now() - dt.timedelta(minutes=5),
    )
    html = client.get(reverse("exports:status", args=[job.pk])).content.decode()
    assert "zacznie się przygotowywać sam" in html

    # The broker is back (tasks run in-process in these tests): the sweep sends the job again.
    with django_capture_on_commit_callbacks(execute=True):
        assert export_jobs_sweep()["requeued"] == 1

    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    assert job.rows_done == len(invoices)
    assert export_jobs_sweep() == {"restarted": 0, "failed": 0, "requeued": 0}


@pytest.mark.django_db
def test_a_pending_job_is_sent_again_at_most_once_per_grace(
    client, company, low_threshold, django_capture_on_commit_callbacks
):
    for _ in range(3):
        issue_invoice(company)
    client.force_login(client_user(company))
    with broker_at(CLOSED_PORT_BROKER), django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("invoices:xlsx"))
        job = ExportJob.objects.get()
        ExportJob.objects.filter(pk=job.pk).update(
            queued_at=timezone.now() - dt.timedelta(minutes=5)
        )

        assert export_jobs_sweep()["requeued"] == 1  # the broker is still down: it waits
        assert export_jobs_sweep()["requeued"] == 0

    job.refresh_from_db()
    assert job.status == ExportJob.Status.PENDING
