"""Run the benchmarks: `python -m bench` (or `make bench`). See `python -m bench --help`."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

from bench import feed_probe

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

from bench.database import analyze, ensure_database
from bench.pages import measure_pages
from bench.probes import (
    measure_export,
    measure_first_pdf,
    measure_reminders,
    run_probe,
)
from bench.report import markdown, misses
from bench.targets import DEFAULT_PAGES

HERE = Path(__file__).resolve().parent


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
