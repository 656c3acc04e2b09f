"""The measurements made in fresh processes or on bulk data: the first PDF render, the Excel
export, the reminder scan (and the feed import, bench/feed_probe.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bench.database import analyze
from bench.pages import page_object
from bench.targets import TARGET_REMINDER_SECONDS

HERE = Path(__file__).resolve().parent

# --- first PDF render ----------------------------------------------------------------------------


def measure_first_pdf(runs: int, log) -> dict:
    """Each side in a fresh process (bench/pdf_probe.py), so the first render is a first."""
    from accounts.models import Company
    from bench.data import SCALE_COMPANY

    large = Company.objects.get(client_number=SCALE_COMPANY)
    invoice = page_object("invoices:detail", large)
    ours, cold, bare = [], [], []
    for run in range(runs):
        bare.append(pdf_probe("bare", invoice.pk))
        ours.append(pdf_probe("ours", invoice.pk))
        cold.append(pdf_probe("cold", invoice.pk))
        log(
            f"  run {run + 1}: ours {ours[-1]:.0f} ms (without warm-up {cold[-1]:.0f} ms), "
            f"bare WeasyPrint {bare[-1]:.0f} ms"
        )
    return {
        "invoice": invoice.number,
        "ours_ms": min(ours),
        "cold_ms": min(cold),
        "bare_ms": min(bare),
        "ratio": min(ours) / min(bare),
        "runs": {"ours": ours, "cold": cold, "bare": bare},
    }


def run_probe(module: str, mode: str, *args: str) -> dict:
    """Run `python -m bench.<module> <mode> <args>` in a fresh process; its last line is JSON."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    completed = subprocess.run(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", f"bench.{module}", mode, *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=HERE.parent,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{module} {mode} failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def pdf_probe(mode: str, invoice_id: int) -> float:
    return run_probe("pdf_probe", mode, "--invoice", str(invoice_id))["ms"]


# --- export --------------------------------------------------------------------------------------


def probe(mode: str, company_id: int) -> dict:
    return run_probe("export_probe", mode, "--company", str(company_id))


def measure_export(rows: int, runs: int, log) -> dict:
    from bench.data import ensure_export_company

    company = ensure_export_company(rows, log=log)
    analyze()
    ours, bare = [], []
    for run in range(runs):
        bare.append(probe("bare", company.pk))
        ours.append(probe("ours", company.pk))
        log(
            f"  run {run + 1}: ours {ours[-1]['seconds']:.2f} s ({ours[-1]['maxrss_mb']:.0f} MB "
            f"max RSS), bare openpyxl {bare[-1]['seconds']:.2f} s"
        )
        assert ours[-1]["status"] == "done", ours[-1]
    traced = probe("trace", company.pk)
    # The fastest run of each side: the least disturbed by whatever else the machine does.
    ours_s = min(r["seconds"] for r in ours)
    bare_s = min(r["seconds"] for r in bare)
    return {
        "rows": ours[0]["rows"],
        "ours_seconds": ours_s,
        "bare_openpyxl_seconds": bare_s,
        "ratio": ours_s / bare_s,
        "peak_rss_mb": max(r["maxrss_mb"] for r in ours),
        "process_baseline_rss_mb": ours[0]["baseline_maxrss_mb"],
        "tracemalloc_peak_mb": traced["tracemalloc_peak_mb"],
        "file_mb": ours[0]["file_mb"],
        "runs": {"ours": ours, "bare": bare, "trace": traced},
    }


# --- reminder scan -------------------------------------------------------------------------------


def measure_reminders(invoices: int, log) -> dict:
    """The daily payment-reminder scan (bench/reminder_probe.py), each run in a fresh process:
    over a tenth of the invoices, then over all of them (the query count must not grow), then
    the same day again (nothing new). The reminders it created are removed afterwards."""
    from django.utils import timezone

    from bench.reminder_probe import ensure_reminder_company, forget_reminders

    day = timezone.localdate().isoformat()
    since = timezone.now()
    ensure_reminder_company(invoices // 10, log=log)
    analyze()
    small = run_probe("reminder_probe", "run", "--day", day)
    forget_reminders(since)
    ensure_reminder_company(invoices, log=log)
    analyze()
    first = run_probe("reminder_probe", "run", "--day", day)
    second = run_probe("reminder_probe", "run", "--day", day)
    forget_reminders(since)
    for name, run in (("a tenth", small), ("all", first), ("again", second)):
        log(
            f"  {name:<8} {run['seconds']:.2f} s, {run['queries']} queries, "
            f"{run['created']} messages"
        )
    return {
        "invoices": invoices,
        "seconds": first["seconds"],
        "queries": first["queries"],
        "queries_tenth": small["queries"],
        "created": first["created"],
        "created_again": second["created"],
        "runs": {"tenth": small, "all": first, "again": second},
    }


def reminders_within_target(reminders: dict) -> bool:
    return (
        reminders["seconds"] < TARGET_REMINDER_SECONDS
        and reminders["queries"] <= reminders["queries_tenth"]
        and reminders["created"] > 0
        and reminders["created_again"] == 0
    )
