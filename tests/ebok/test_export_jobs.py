"""Large Excel reports become export jobs: a task writes the file, the page shows progress."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from ebok.models import ExportJob
from ebok.services import export_jobs_purge
from tests.downloads import client_user, issue_invoice, read_xlsx, streamed


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
    numbers = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
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
