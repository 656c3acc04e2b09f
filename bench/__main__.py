"""Run the benchmarks: `python -m bench` (or `make bench`). See `python -m bench --help`."""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench import feed_probe

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

HERE = Path(__file__).resolve().parent
COLD_HOME = "home:after-change"
DEFAULT_PAGES = [
    "home",
    "contracts:list",
    "contracts:detail",  # the schedule tab
    "contracts:contract_policies",
    "contracts:contract_fees",
    "invoices:contract_invoices",
    "contracts:installments",
    "contracts:policies",
    "contracts:fees",
    "invoices:list",
    "invoices:detail",
    "invoices:payments",
    "invoices:payment_detail",
    "online_payments:checkout",  # "pay the whole balance" (?scope=all, see page_url)
    "accounts:profile",
    "accounts:company_users",
    "accounts:company_audit",
    "documents:sign",
    "documents:receive_list",
    "documents:archive",
    "documents:detail",
    "accounts:inbox",
    "accounts:notification_settings",
    "requests_app:list",
    "requests_app:new",
    "requests_app:detail",  # the application with the longest thread
    # Not pages of the portal's own: the dashboard right after a change of the company's data
    # (every cached figure stale) and the download of a stored invoice PDF.
    COLD_HOME,
    "invoices:pdf",
]
# A page may take at most this many times the minimal page with the portal layout; a run where
# a page misses it (or its query count grows with the data) exits non-zero.
TARGET_PAGE_RATIO = 2.5
TARGET_EXPORT_RATIO = 1.5
# What the pages are measured against (bench/urls.py): they have no target of their own.
REFERENCE_PAGES = ("bench_minimal", "bench_bare")
# Pages with a target of their own: (what they are compared with, at most how many times it).
# The dashboard after a data change recomputes every figure; a stored PDF is a file read
# behind the sign-in, so it is compared with the bare signed-in view.
PAGE_TARGETS = {COLD_HOME: ("bench_minimal", 4.0), "invoices:pdf": ("bench_bare", 1.5)}
# The first render of an invoice PDF in a fresh worker, against bare WeasyPrint's first
# render of a one-page HTML in a fresh process (bench/pdf_probe.py).
TARGET_FIRST_PDF_RATIO = 2.0
TARGET_EXPORT_MB = 150
# The daily payment-reminder scan over the --scale company plus this many invoices.
TARGET_REMINDER_SECONDS = 10.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--scale", type=int, default=1000, help="contracts of the large company")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument(
        "--pages",
        nargs="+",
        default=DEFAULT_PAGES,
        metavar="URL_NAME",
        help="URL names to measure; one that needs an id gets the company's longest contract",
    )
    parser.add_argument("--export-rows", type=int, default=100_000)
    parser.add_argument(
        "--export-runs", type=int, default=2, help="timed runs of each side (the fastest counts)"
    )
    parser.add_argument("--skip-export", action="store_true")
    parser.add_argument("--skip-pdf", action="store_true", help="skip the first PDF render")
    parser.add_argument(
        "--pdf-runs", type=int, default=3, help="fresh processes of each side (the fastest counts)"
    )
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument("--reminder-invoices", type=int, default=50_000)
    parser.add_argument("--skip-reminders", action="store_true")
    parser.add_argument("--feed-invoices", type=int, default=25_000, help="and as many payments")
    parser.add_argument("--skip-feed", action="store_true")
    parser.add_argument("--output", type=Path, default=HERE / "results")
    return parser.parse_args(argv)


def ensure_database() -> None:
    """Create the benchmark database if it is missing (it is kept between runs)."""
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    with psycopg.connect(
        dbname="postgres",
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"],
        port=db["PORT"] or 5432,
        autocommit=True,
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
        if exists.fetchone() is None:
            conn.execute(f'CREATE DATABASE "{db["NAME"]}"')


def analyze() -> None:
    """Fresh planner statistics after bulk loads, as autovacuum would have in production."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- pages ---------------------------------------------------------------------------------------


def page_object(name: str, company):
    """What a page that needs an id shows: the company's longest contract, its latest invoice
    (with its PDF stored), the payment that settled the most invoices."""
    from django.db.models import Count

    from invoices.services import invoice_pdf_ensure

    if name.startswith("documents:"):  # the process with the longest history
        from documents.models import DocumentProcess

        processes = DocumentProcess.objects.filter(company=company, kind="sign")
        return processes.annotate(n=Count("events")).order_by("-n", "pk").first()
    if name.startswith("requests_app:"):  # the application with the longest thread
        from requests_app.models import Application

        applications = Application.objects.filter(company=company).exclude(status="draft")
        return applications.annotate(n=Count("messages")).order_by("-n", "pk").first()
    contract = company.contracts.order_by("-installment_count", "pk").first()
    if name == "invoices:payment_detail":
        return company.payments.annotate(n=Count("allocations")).order_by("-n", "pk").first()
    if name in ("invoices:detail", "invoices:pdf"):
        invoice = contract.invoices.order_by("-issue_date", "-pk").first()
        return invoice_pdf_ensure(invoice=invoice) if name == "invoices:pdf" else invoice
    return contract


def page_url(name: str, company) -> str:
    from django.urls import NoReverseMatch, reverse

    url_name = "home" if name == COLD_HOME else name
    if name == "online_payments:checkout":
        return reverse(name) + "?scope=all"
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return reverse(url_name, args=[page_object(name, company).pk])


def page_offered(name: str, company) -> bool:
    """Whether a user of `company` reaches the page at all: "pay the whole balance" is offered
    only with something to pay (without, the checkout sends the user back to the invoice
    list), so a company with nothing to pay has no query count for it."""
    if name != "online_payments:checkout":
        return True
    from bench.data import bench_user
    from ebok.dates import today
    from invoices.online.selectors import payable_invoices

    return bool(payable_invoices(user=bench_user(company), today=today(), scope="all"))


def before_request(name: str, company) -> None:
    """Untimed: what happens before each request of the page."""
    if name == COLD_HOME:
        from ebok.datacache import company_data_changed

        company_data_changed(company.pk)


def fetch(client, url: str) -> int:
    """GET the URL and read the whole response (a file download streams)."""
    response = client.get(url)
    if response.streaming:
        b"".join(response.streaming_content)
        response.close()
    return response.status_code


def signed_in_client(company):
    from django.test import Client

    from bench.data import bench_user

    client = Client()
    client.force_login(bench_user(company))
    return client


def query_count(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        status = fetch(client, url)
    assert status == 200, (url, status)
    return len(queries)


def measure_pages(pages: list[str], requests: int, log) -> dict:
    from accounts.models import Company
    from bench.data import SCALE_COMPANY, SMALL_COMPANIES

    large = Company.objects.get(client_number=SCALE_COMPANY)
    smaller = list(Company.objects.filter(client_number__in=SMALL_COMPANIES))
    references = list(REFERENCE_PAGES)
    urls = {name: page_url(name, large) for name in [*references, *pages]}

    # Query counts for every demo company: the large one must not need more than the most a
    # small one needs (a constant extra query for, say, a tile that only shows with data is
    # fine; a count that follows the number of rows is not).
    results: dict[str, dict] = {name: {"url": urls[name], "times_ms": []} for name in urls}
    for company in [*smaller, large]:
        client = signed_in_client(company)
        for name in urls:
            if not page_offered(name, company):
                continue
            url = page_url(name, company)
            before_request(name, company)
            count = query_count(client, url)
            results[name].setdefault("queries", {})[company.client_number] = count
    for row in results.values():
        row["queries_large"] = row["queries"][large.client_number]
        counts = row["queries"]
        counted = [counts[c.client_number] for c in smaller if c.client_number in counts]
        row["queries_small"] = max(counted, default=row["queries_large"])

    # Round robin, so a slow moment of the machine hits every page alike.
    client = signed_in_client(large)
    for _ in range(3):  # warm-up: caches, connections, template loading
        for name in results:
            fetch(client, urls[name])  # (the dashboard after a change: warm, like `home`)
    # The dashboard after a change makes every cached figure of the company stale, so it is
    # timed in a round of its own (with its own references): in the main round it would make
    # every other page's cached figures cold too.
    rounds = [[name for name in results if name != COLD_HOME]]
    if COLD_HOME in results:
        rounds.append([*REFERENCE_PAGES, COLD_HOME])
    medians: dict[str, float] = {}
    for pages_of_round in rounds:
        times: dict[str, list[float]] = {name: [] for name in pages_of_round}
        for _ in range(requests):
            for name in pages_of_round:
                before_request(name, large)
                started = time.perf_counter()
                status = fetch(client, urls[name])
                times[name].append((time.perf_counter() - started) * 1000)
                assert status == 200, (name, status)
        round_medians = {name: statistics.median(t) for name, t in times.items()}
        for name in pages_of_round:
            results[name]["times_ms"] = times[name]
            if name not in REFERENCE_PAGES or name not in medians:
                medians[name] = round_medians[name]
        if COLD_HOME in pages_of_round:  # its ratio: to the references of its own round
            cold_reference = {name: round_medians[name] for name in REFERENCE_PAGES}
    for name, row in results.items():
        reference, target = PAGE_TARGETS.get(name, ("bench_minimal", TARGET_PAGE_RATIO))
        row["median_ms"] = medians[name]
        row["reference"], row["target"] = reference, target
        of = cold_reference if name == COLD_HOME else medians
        row["ratio"] = row["median_ms"] / of[reference]
        row["queries_flat"] = row["queries_large"] <= row["queries_small"]
        del row["times_ms"]
        log(
            f"  {name:<26} {row['median_ms']:8.1f} ms  x{row['ratio']:.2f} of {reference}  "
            f"queries {row['queries_small']} (small, at most) / {row['queries_large']} (large)"
        )
    return {
        "large_company": {
            "contracts": large.contracts.count(),
            "invoices": large.invoices.count(),
        },
        "small_companies": {
            "contracts": sorted(c.contracts.count() for c in smaller),
            "invoices": sorted(c.invoices.count() for c in smaller),
        },
        "requests": requests,
        "reference": "bench_minimal",
        "pages": results,
    }


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


# --- report --------------------------------------------------------------------------------------


def page_within_target(row: dict) -> bool:
    return row["ratio"] <= row.get("target", TARGET_PAGE_RATIO) and row["queries_flat"]


def misses(results: dict) -> list[str]:
    """What missed its target: the pages, the export's time and its memory."""
    missed = [
        name
        for name, row in results.get("pages", {}).get("pages", {}).items()
        if name not in REFERENCE_PAGES and not page_within_target(row)
    ]
    first_pdf = results.get("first_pdf")
    if first_pdf and first_pdf["ratio"] > TARGET_FIRST_PDF_RATIO:
        missed.append("first PDF render")
    reminders = results.get("reminders")
    if reminders and not reminders_within_target(reminders):
        missed.append("reminder scan")
    feed = results.get("feed")
    if feed and not feed_probe.feed_within_target(feed):
        missed.append("feed re-import")
    export = results.get("export")
    if export and export["ratio"] > TARGET_EXPORT_RATIO:
        missed.append("export time")
    if export and export["peak_rss_mb"] >= TARGET_EXPORT_MB:
        missed.append("export memory")
    return missed


def markdown(results: dict) -> str:
    lines = [f"# eBOK benchmark ({results['when']})", ""]
    pages = results.get("pages")
    if pages:
        large, small = pages["large_company"], pages["small_companies"]
        lines += [
            f"Large company: {large['contracts']} contracts, {large['invoices']} invoices; "
            f"small demo companies: {small['contracts']} contracts, {small['invoices']} invoices. "
            f"Median of {pages['requests']} requests (Django test client, signed in), as a ratio "
            f"to `bench_minimal` (the portal layout with no content; the PDF download: to "
            f"`bench_bare`, a signed-in view with no template). Target ≤ {TARGET_PAGE_RATIO}× "
            f"unless the row says otherwise; queries must not grow with the data. "
            f"`{COLD_HOME}`: the dashboard with the company's data version bumped before each "
            "request (every cached figure stale).",
            "",
            "| page | URL | queries (small at most / large) | median ms | ratio | target "
            "| within target |",
            "|---|---|---|---|---|---|---|",
        ]
        for name, row in pages["pages"].items():
            ok = page_within_target(row)
            reference = row.get("reference", "bench_minimal")
            of = "" if reference == "bench_minimal" else f" of {reference}"
            target = "" if name in REFERENCE_PAGES else f"≤ {row.get('target', 2.5)}×{of}"
            lines.append(
                f"| {name} | `{row['url']}` | {row['queries_small']} / {row['queries_large']} | "
                f"{row['median_ms']:.1f} | {row['ratio']:.2f}×{of} | {target} | "
                f"{'yes' if ok else 'NO'} |"
            )
        lines.append("")
    first_pdf = results.get("first_pdf")
    if first_pdf:
        ok = first_pdf["ratio"] <= TARGET_FIRST_PDF_RATIO
        lines += [
            "First render of an invoice PDF in a fresh process (a worker warmed up at start, as "
            "gunicorn and Celery workers are), against bare WeasyPrint's first render of a "
            "one-page HTML in a fresh process; fastest of the runs:",
            "",
            "| measure | value | target | within target |",
            "|---|---|---|---|",
            f"| invoice PDF, first served render | {first_pdf['ours_ms']:.0f} ms | | |",
            f"| invoice PDF, first render without the warm-up | {first_pdf['cold_ms']:.0f} ms "
            "| | |",
            f"| bare WeasyPrint, first render | {first_pdf['bare_ms']:.0f} ms | | |",
            f"| ratio | {first_pdf['ratio']:.2f}× | ≤ {TARGET_FIRST_PDF_RATIO}× | "
            f"{'yes' if ok else 'NO'} |",
            "",
        ]
    export = results.get("export")
    if export:
        ok_time = export["ratio"] <= TARGET_EXPORT_RATIO
        ok_mem = export["peak_rss_mb"] < TARGET_EXPORT_MB
        lines += [
            f"Invoice Excel export of {export['rows']} rows (ExportJob run end to end, database "
            "reads included) against bare openpyxl write-only writing the same rows (prepared "
            "beforehand, not timed); fastest of the runs, each in a fresh process:",
            "",
            "| measure | value | target | within target |",
            "|---|---|---|---|",
            f"| ours | {export['ours_seconds']:.2f} s | | |",
            f"| bare openpyxl | {export['bare_openpyxl_seconds']:.2f} s | | |",
            f"| ratio | {export['ratio']:.2f}× | ≤ {TARGET_EXPORT_RATIO}× | "
            f"{'yes' if ok_time else 'NO'} |",
            f"| peak RSS of the process | {export['peak_rss_mb']:.0f} MB | < {TARGET_EXPORT_MB} MB "
            f"| {'yes' if ok_mem else 'NO'} |",
            f"| of which Django + app at start | {export['process_baseline_rss_mb']:.0f} MB | | |",
            f"| tracemalloc peak (Python heap) | {export['tracemalloc_peak_mb']:.1f} MB | | |",
            f"| file size | {export['file_mb']:.1f} MB | | |",
            "",
        ]
    reminders = results.get("reminders")
    if reminders:
        ok = reminders_within_target(reminders)
        lines += [
            f"Daily payment-reminder scan over the `--scale` company plus {reminders['invoices']} "
            "invoices (each user's lead time; a fresh process; deliveries only queued):",
            "",
            "| measure | value | target | within target |",
            "|---|---|---|---|",
            f"| time | {reminders['seconds']:.2f} s | < {TARGET_REMINDER_SECONDS:.0f} s | "
            f"{'yes' if reminders['seconds'] < TARGET_REMINDER_SECONDS else 'NO'} |",
            f"| queries (a tenth of the invoices / all) | {reminders['queries_tenth']} / "
            f"{reminders['queries']} | not growing | "
            f"{'yes' if reminders['queries'] <= reminders['queries_tenth'] else 'NO'} |",
            f"| messages created | {reminders['created']} | | |",
            f"| messages created by a second run | {reminders['created_again']} | 0 | "
            f"{'yes' if reminders['created_again'] == 0 else 'NO'} |",
            f"| overall | | | {'yes' if ok else 'NO'} |",
            "",
        ]
    if results.get("feed"):
        lines += feed_probe.feed_markdown(results["feed"])
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    import django
    from django.conf import settings

    ensure_database()
    django.setup()
    from django.core.management import call_command

    from bench.data import ensure_seeded

    log = print
    log(f"database {settings.DATABASES['default']['NAME']}: migrating...")
    call_command("migrate", verbosity=0)
    results: dict = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "python": platform.python_version(),
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
    }
    if not args.skip_pages:
        ensure_seeded(args.scale, log=log)
        analyze()
        log(f"pages ({args.requests} requests each):")
        results["pages"] = measure_pages(args.pages, args.requests, log)
    if not args.skip_pdf:
        ensure_seeded(args.scale, log=log)
        log(f"first invoice PDF render ({args.pdf_runs} fresh processes each side):")
        results["first_pdf"] = measure_first_pdf(args.pdf_runs, log)
    if not args.skip_reminders:
        ensure_seeded(args.scale, log=log)
        log(f"payment-reminder scan, --scale company + {args.reminder_invoices} invoices:")
        results["reminders"] = measure_reminders(args.reminder_invoices, log)
    if not args.skip_feed:
        log(f"core-system feed, {args.scale} contracts, {args.feed_invoices} invoices + payments:")
        results["feed"] = feed_probe.measure_feed(
            run_probe, contracts=args.scale, invoices=args.feed_invoices, log=log
        )
    if not args.skip_export:
        log(f"invoice export, {args.export_rows} rows:")
        results["export"] = measure_export(args.export_rows, args.export_runs, log)

    report = markdown(results)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.with_suffix(".json").write_text(json.dumps(results, indent=2, default=str))
    args.output.with_suffix(".md").write_text(report)
    print()
    print(report)
    print(f"written: {args.output.with_suffix('.json')}, {args.output.with_suffix('.md')}")
    missed = misses(results)
    if missed:
        print(f"MISSED THE TARGET: {', '.join(missed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
