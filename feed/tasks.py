from __future__ import annotations

from celery import shared_task

from . import nightly


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def import_nightly_batches() -> list[int]:
    """Import every batch file waiting in the feed inbox (scheduled nightly)."""
    return [batch.pk for batch in nightly.import_pending()]


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=(ConnectionError,),
    retry_backoff=True,
    max_retries=5,
)
def render_invoice_pdfs(invoice_ids: list[int]) -> int:
    """Store the PDFs of invoices the feed just issued (each once: a stored one is kept)."""
    from invoices.models import Invoice
    from invoices.services import invoice_pdf_ensure

    rendered = 0
    for invoice in Invoice.objects.filter(pk__in=invoice_ids).order_by("pk").iterator():
        invoice_pdf_ensure(invoice=invoice)
        rendered += 1
    return rendered
