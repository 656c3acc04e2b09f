"""`manage.py render_missing_invoice_pdfs`: store the PDF of every invoice that has none yet.

Invoices get their PDF from a worker once issued; this catches up on what that missed:
invoices from before it existed, imported in bulk, or issued while the broker was down. Run
it once after deploying and whenever a ZIP download shows that PDFs are still being prepared.
Idempotent (a stored PDF is never re-rendered) and safe beside the web and the workers (each
invoice is rendered under its row lock, like the first download of it).
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from invoices.models import Invoice
from invoices.services import invoice_pdf_ensure


class Command(BaseCommand):
    help = "Render and store the PDF of every invoice that has none (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--client-number", help="Only the invoices of this company (8-digit client number)."
        )
        parser.add_argument(
            "--limit", type=int, default=0, metavar="N", help="Stop after N invoices."
        )
        parser.add_argument(
            "--check-storage",
            action="store_true",
            help="Also re-render invoices whose recorded file is missing from storage "
            "(reads the storage once per invoice: slower).",
        )

    def handle(self, *args, client_number, limit, check_storage, **options) -> None:
        invoices = Invoice.objects.order_by("pk")
        if client_number:
            invoices = invoices.filter(company__client_number=client_number)
        if not check_storage:
            invoices = invoices.filter(pdf="")
        started = time.monotonic()
        rendered = failed = 0
        for invoice in invoices.iterator(chunk_size=500):
            if limit and rendered + failed >= limit:
                break
            if invoice.pdf and invoice.pdf.storage.exists(invoice.pdf.name):
                continue
            try:
                invoice_pdf_ensure(invoice=invoice)
            except Exception as exc:  # one bad invoice must not stop the rest
                failed += 1
                self.stderr.write(f"  {invoice.number}: {exc.__class__.__name__}: {exc}")
                continue
            rendered += 1
            if rendered % 100 == 0:
                self.stdout.write(f"  {rendered} rendered…")
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(f"{rendered} invoice PDFs rendered in {elapsed:.1f} s.")
        )
        if failed:
            raise CommandError(f"{failed} invoice PDFs could not be rendered (see above).")
