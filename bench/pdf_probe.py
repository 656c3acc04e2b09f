"""One first PDF render in a fresh process.

    python -m bench.pdf_probe ours|cold|bare --invoice <id>


ours: Django set up and the PDF engine warmed up as a worker does at start
      (`ebok.pdf.warm_up`, run by gunicorn's `post_worker_init` and Celery's
      `worker_process_init`), then the invoice's PDF rendered: what the first served render
      costs (its database reads included; the connection is open, as in a worker or a
      request that has passed the sign-in).
cold: the same without the warm-up: what the first render would cost without it.
bare: WeasyPrint imported, then its first render of a one-page HTML: the reference.
Prints one JSON line with the render's milliseconds.
"""

from __future__ import annotations

import argparse
import json
import os
import time

ONE_PAGE = (
    '<!doctype html><html lang="pl"><head><meta charset="utf-8"></head><body>'
    "<h1>Faktura VAT</h1><p>Zażółć gęślą jaźń: 1 234,56 zł</p></body></html>"
)


def main(mode: str, invoice_id: int) -> float:
    if mode == "bare":
        from weasyprint import HTML

        started = time.perf_counter()
        HTML(string=ONE_PAGE).write_pdf()
        return (time.perf_counter() - started) * 1000

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.db import connection

    from ebok.pdf import warm_up
    from invoices.models import Invoice
    from invoices.pdf import render_invoice_pdf

    if mode == "ours":
        warm_up()
    # A served render never opens the database connection: the worker that renders an issued
    # invoice, like a request past the sign-in, already holds one (CONN_MAX_AGE keeps it).
    connection.ensure_connection()
    started = time.perf_counter()
    invoice = Invoice.objects.select_related("contract", "corrected_invoice").get(pk=invoice_id)
    render_invoice_pdf(invoice)
    return (time.perf_counter() - started) * 1000


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["ours", "cold", "bare"])
    parser.add_argument("--invoice", type=int, required=True)
    args = parser.parse_args()
    print(json.dumps({"mode": args.mode, "ms": main(args.mode, args.invoice)}))
