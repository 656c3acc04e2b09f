"""The nightly batch: a generated JSON Lines file with a broken line in the middle."""

from __future__ import annotations

import contextlib
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from accounts.models import Company
from contracts.models import Contract
from feed.models import ImportBatch, ReconciliationLine
from feed.tasks import import_nightly_batches
from invoices.models import Invoice, Payment
from tests.feed import builders as b

pytestmark = pytest.mark.django_db

COMPANIES = 25
INVOICES = 38  # and as many payments: 3 + 2 * 38 + 1 = 80 lines a company, 2 000 in all
BROKEN_COMPANY = 13
WRONG_BALANCE_COMPANY = 7


def company_lines(n: int) -> list[str]:
    records = [b.company(n), b.contract(n), b.schedule(n)]
    for i in range(INVOICES):
        records.append(b.invoice(n, f"I{i}", net="100.00"))
        records.append(b.payment(n, f"P{i}", "100.00"))
    expected = Decimal("23.00") * INVOICES
    if n == WRONG_BALANCE_COMPANY:
        expected += Decimal("0.01")
    records.append(b.balance(n, str(expected)))
    return [json.dumps(record) for record in records]


@pytest.fixture
def inbox(settings, tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "feed_inbox": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }
    return folder


@pytest.fixture
def batch_file(inbox):
    lines = []
    for n in range(1, COMPANIES + 1):
        group = company_lines(n)
        if n == BROKEN_COMPANY:
            group[40] = '{"kind": "invoice", "company": "C13", "external_id": '  # cut short
        lines += group
    (inbox / "2026-03-01.jsonl").write_text("\n".join(lines) + "\n")
    return "2026-03-01.jsonl", len(lines)


def run(*args) -> str:
    out = io.StringIO()
    with contextlib.suppress(SystemExit):  # the command exits 1 when a file was rejected
        call_command("feed_import", *args, stdout=out)
    return out.getvalue()


def test_the_nightly_import_applies_every_company_but_the_broken_one(batch_file):
    name, line_count = batch_file

    output = run()

    batch = ImportBatch.objects.get(file_name=name)
    per_company = 3 + 2 * INVOICES + 1
    assert batch.status == "partial"
    assert batch.records == line_count
    assert batch.rejected == per_company
    assert batch.created == (COMPANIES - 1) * (per_company - 1)
    assert batch.companies_applied == COMPANIES - 1 and batch.companies_rejected == 1
    (error,) = batch.errors
    assert error["record"] == (BROKEN_COMPANY - 1) * per_company + 41  # the line number
    assert error["company"] == "C13" and "JSON" in error["message"]
    # Nothing of the broken company, everything of the others.
    assert not Company.objects.filter(external_id="C13").exists()
    assert not Contract.objects.filter(external_id="C13-K1").exists()
    assert Invoice.objects.count() == (COMPANIES - 1) * INVOICES
    assert Payment.objects.filter(unallocated=0).count() == (COMPANIES - 1) * INVOICES
    # The report: per company, the portal's balance next to the core system's.
    lines = ReconciliationLine.objects.filter(batch=batch)
    assert lines.count() == COMPANIES - 1
    (mismatch,) = lines.filter(mismatch=True)
    assert mismatch.company.external_id == f"C{WRONG_BALANCE_COMPANY}"
    assert mismatch.difference == Decimal("-0.01")
    assert "partial" in output and f"line {error['record']}" in output and "MISMATCH" in output


def test_a_file_is_imported_once_and_a_rerun_changes_nothing(inbox):
    name, lines = "small.jsonl", company_lines(1) + company_lines(2)
    (inbox / name).write_text("\n".join(lines))
    run()
    invoices = list(Invoice.objects.order_by("pk").values_list("pk", "amount_paid"))

    assert "No batch files waiting" in run()
    run(name)  # imported again by hand: every record is already there

    again = ImportBatch.objects.filter(file_name=name).latest("started_at")
    assert again.created == again.updated == 0
    assert again.unchanged == len(lines) and again.status == "applied"
    assert list(Invoice.objects.order_by("pk").values_list("pk", "amount_paid")) == invoices


def test_the_celery_task_imports_waiting_files(inbox):
    (inbox / "a.jsonl").write_text("\n".join(company_lines(1)))
    (inbox / "notes.txt").write_text("not a batch")

    batch_ids = import_nightly_batches.delay().get()

    (batch,) = ImportBatch.objects.filter(pk__in=batch_ids)
    assert batch.file_name == "a.jsonl" and batch.status == "applied"


def test_a_missing_file_is_reported(inbox):
    output = run("missing.jsonl")
    batch = ImportBatch.objects.get()
    assert batch.status == "failed" and "missing.jsonl" in batch.message
    assert "failed" in output


def test_a_mismatch_is_flagged_to_staff_in_admin(inbox, otp_admin_client):
    lines = company_lines(1) + company_lines(WRONG_BALANCE_COMPANY)
    (inbox / "2026-03-01.jsonl").write_text("\n".join(lines))
    run()

    response = otp_admin_client.get("/admin/feed/reconciliationline/?mismatch__exact=1")
    page = response.content.decode()
    assert response.status_code == 200
    assert f"Firma z rdzenia {WRONG_BALANCE_COMPANY} " in page and "do wyjaśnienia" in page
    batches = otp_admin_client.get("/admin/feed/importbatch/?mismatch=yes").content.decode()
    assert "2026-03-01.jsonl" in batches and "⚠ 1" in batches


def test_a_full_import_overwrites_what_admin_changed_in_fed_rows(inbox):
    (inbox / "a.jsonl").write_text("\n".join(company_lines(1)))
    run("a.jsonl")
    Contract.objects.filter(external_id="C1-K1").update(margin=Decimal("9.0000"))

    assert "updated 0, unchanged 80" in run("a.jsonl")  # unchanged records are skipped
    assert Contract.objects.get(external_id="C1-K1").margin == Decimal("9.0000")

    assert "updated 1, unchanged 79" in run("--full", "a.jsonl")
    assert Contract.objects.get(external_id="C1-K1").margin == Decimal("2.0000")
