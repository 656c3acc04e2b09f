"""The core-system feed at the --scale company's size, measured in a fresh process.

    python -m bench.feed_probe run --contracts 1000 --installments 48 --invoices 25000

Writes a JSON Lines batch for one new company (contracts with assets and schedules, invoices
and as many payments), imports it through the nightly path (streamed from the file, applied
by the same services as the API), then imports the same file again (every record unchanged).
Everything runs in one transaction that is rolled back at the end, so the benchmark database
does not grow and no PDF is rendered. Prints one JSON line: seconds, queries and peak RSS of
each import.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_batch(path: Path, *, contracts: int, installments: int, invoices: int) -> int:
    from bench.data import _valid_nip
    from contracts.schedule import build_rows, due_dates

    start = dt.date(2024, 1, 10)
    rows = build_rows(
        capital=Decimal("100000.00"),
        buyout=Decimal("10000.00"),
        annual_rate_percent=Decimal("7.5"),
        dates=due_dates(start, installments),
        vat_rate_percent=23,
    )
    schedule = [
        {
            "number": r.number,
            "due_date": r.due_date.isoformat(),
            "capital": str(r.capital),
            "interest": str(r.interest),
            "vat": str(r.vat),
        }
        for r in rows
    ]
    stamp = f"{time.time_ns():x}"
    key = f"BENCH-{stamp}"
    lines = 0
    with path.open("w") as out:

        def put(record: dict) -> None:
            nonlocal lines
            out.write(json.dumps(record) + "\n")
            lines += 1

        put(
            {
                "kind": "company",
                "external_id": key,
                "client_number": f"{38000000 + time.time_ns() % 999999:08d}",
                "name": "Zasilanie Benchmark Sp. z o.o.",
                "nip": _valid_nip(time.time_ns() % 10**8),
                "street": "ul. Rdzeniowa 1",
                "postal_code": "00-950",
                "city": "Warszawa",
            }
        )
        for c in range(contracts):
            put(
                {
                    "kind": "contract",
                    "company": key,
                    "external_id": f"{key}-K{c}",
                    "number": f"BF/{stamp}/{c}",
                    "lease_kind": "operating",
                    "status": "active",
                    "signed_on": "2024-01-02",
                    "start_date": start.isoformat(),
                    "end_date": rows[-1].due_date.isoformat(),
                    "net_value": "120000.00",
                    "initial_payment": "20000.00",
                    "buyout_value": "10000.00",
                    "installment_count": installments,
                    "reference_rate": "WIBOR1M",
                    "reference_rate_value": "5.5000",
                    "margin": "2.0000",
                    "assets": [
                        {
                            "external_id": f"{key}-K{c}-A",
                            "kind": "van",
                            "make": "Ford",
                            "model": "Transit",
                            "serial_number": f"WF0{c:014d}",
                        }
                    ],
                }
            )
            put(
                {
                    "kind": "schedule",
                    "company": key,
                    "external_id": f"{key}-K{c}-S",
                    "contract": f"{key}-K{c}",
                    "installments": schedule,
                }
            )
        for i in range(invoices):
            issue = start + dt.timedelta(days=i % 700)
            put(
                {
                    "kind": "invoice",
                    "company": key,
                    "external_id": f"{key}-I{i}",
                    "number": f"BF/{stamp}/I{i}",
                    "invoice_kind": "installment",
                    "contract": f"{key}-K{i % contracts}",
                    "issue_date": issue.isoformat(),
                    "due_date": (issue + dt.timedelta(days=14)).isoformat(),
                    "lines": [{"description": f"Rata {i}", "net": "2100.00", "vat_rate": "23"}],
                }
            )
            put(
                {
                    "kind": "payment",
                    "company": key,
                    "external_id": f"{key}-P{i}",
                    "amount": "2583.00",
                    "received_on": (issue + dt.timedelta(days=10)).isoformat(),
                }
            )
    return lines


def _import(path: Path) -> dict:
    from django.db import connection

    from accounts.audit import BACKGROUND
    from feed.importer.jsonl import read_lines
    from feed.importer.runner import run_batch
    from feed.models import ImportBatch

    queries = 0

    def count(execute, sql, params, many, context):  # counts without keeping the SQL text
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    began = time.perf_counter()
    with connection.execute_wrapper(count), path.open("rb") as handle:
        batch, _run = run_batch(
            batch=ImportBatch.objects.create(source="file", file_name=path.name),
            items=read_lines(handle),
            audit=BACKGROUND,
        )
    return {
        "seconds": time.perf_counter() - began,
        "queries": queries,
        "status": batch.status,
        "created": batch.created,
        "unchanged": batch.unchanged,
        "rejected": batch.rejected,
        "peak_rss_mb": _rss_mb(),
    }


def run(contracts: int, installments: int, invoices: int) -> dict:
    import django

    django.setup()
    from django.db import transaction

    baseline = _rss_mb()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.jsonl"
        lines = write_batch(path, contracts=contracts, installments=installments, invoices=invoices)
        with transaction.atomic():
            first = _import(path)
            again = _import(path)
            transaction.set_rollback(True)
        size_mb = path.stat().st_size / 1e6
    return {
        "lines": lines,
        "file_mb": size_mb,
        "baseline_rss_mb": baseline,
        "first": first,
        "again": again,
        "speedup": first["seconds"] / again["seconds"],
    }


# A re-import of the unchanged batch must be at least this many times faster than the first.
TARGET_REIMPORT_SPEEDUP = 5.0


def measure_feed(run_probe, *, contracts: int, invoices: int, log) -> dict:
    """bench/__main__.py: the probe in a fresh process (`run_probe` starts it)."""
    result = run_probe(
        "feed_probe", "run", "--contracts", str(contracts), "--invoices", str(invoices)
    )
    for name in ("first", "again"):
        r = result[name]
        log(
            f"  {name:<5} {r['seconds']:.1f} s, {r['queries']} queries, "
            f"peak RSS {r['peak_rss_mb']:.0f} MB, {r['created']} created, "
            f"{r['unchanged']} unchanged"
        )
    return result


def feed_within_target(feed: dict) -> bool:
    return (
        feed["speedup"] >= TARGET_REIMPORT_SPEEDUP
        and feed["first"]["status"] == feed["again"]["status"] == "applied"
        and feed["again"]["created"] == 0
    )


def feed_markdown(feed: dict) -> list[str]:
    first, again = feed["first"], feed["again"]
    ok = feed_within_target(feed)
    return [
        f"Core-system feed: a JSON Lines batch of {feed['lines']} lines ({feed['file_mb']:.1f} MB: "
        "one company, its contracts with schedules, invoices and payments) imported through the "
        "nightly path, then the same file again (every record unchanged); a fresh process, "
        "rolled back afterwards:",
        "",
        "| measure | first import | re-import | target | within target |",
        "|---|---|---|---|---|",
        f"| time | {first['seconds']:.1f} s | {again['seconds']:.1f} s | re-import "
        f"≥ {TARGET_REIMPORT_SPEEDUP:.0f}× faster | {'yes' if ok else 'NO'} |",
        f"| queries | {first['queries']} | {again['queries']} | | |",
        f"| peak RSS | {first['peak_rss_mb']:.0f} MB | {again['peak_rss_mb']:.0f} MB "
        f"(process at start {feed['baseline_rss_mb']:.0f} MB) | | |",
        "",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.feed_probe")
    parser.add_argument("mode", choices=["run"])
    parser.add_argument("--contracts", type=int, default=1000)
    parser.add_argument("--installments", type=int, default=48)
    parser.add_argument("--invoices", type=int, default=25_000)
    args = parser.parse_args(argv)
    print(json.dumps(run(args.contracts, args.installments, args.invoices)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
