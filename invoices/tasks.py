from __future__ import annotations

from celery import shared_task

from accounts.models import Company

from . import services


@shared_task(bind=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def settle_company(self, company_id: int) -> int:
    """Apply the company's credit to its outstanding invoices (after an import, say)."""
    company = Company.objects.get(pk=company_id)
    return services.company_settle(company=company)
