from __future__ import annotations

from celery import shared_task

from accounts.models import Company

from . import services
from .models import Invoice


@shared_task(bind=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def settle_company(self, company_id: int) -> int:
    """Apply the company's credit to its outstanding invoices (after an import, say)."""
    company = Company.objects.get(pk=company_id)
    return services.company_settle(company=company)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=(ConnectionError,),
    retry_backoff=True,
    max_retries=5,
)
def render_invoice_pdf(invoice_id: int) -> bool:
    """Store the PDF of an invoice just issued (nothing if it is stored already or gone)."""
    invoice = Invoice.objects.filter(pk=invoice_id).first()
    if invoice is None:
        return False
    services.invoice_pdf_ensure(invoice=invoice)
    return True
