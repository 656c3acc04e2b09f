"""The report: which figures miss their target, and the Markdown table."""

from __future__ import annotations

from bench import feed_probe
from bench.probes import reminders_within_target
from bench.targets import (
    COLD_HOME,
    REFERENCE_PAGES,
    TARGET_EXPORT_MB,
    TARGET_EXPORT_RATIO,
    TARGET_FIRST_PDF_RATIO,
    TARGET_PAGE_RATIO,
    TARGET_REMINDER_SECONDS,
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
