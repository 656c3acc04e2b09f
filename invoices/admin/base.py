"""What every invoicing admin shares: who may move money, settling companies."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext as _

from accounts.models import Company

from ..services import (
    company_settle,
)


class InvoicingPermissionMixin:
    """Issuing invoices and booking money need the right to add invoices / payments."""

    def has_issue_invoice_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("invoices.add_invoice")

    def has_settle_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("invoices.add_paymentallocation") or request.user.has_perm(
            "invoices.add_payment"
        )


def settle_companies(modeladmin, request: HttpRequest, company_ids) -> None:
    companies = Company.objects.filter(pk__in=set(company_ids)).order_by("name")
    for company in companies:
        made = company_settle(company=company)
        modeladmin.message_user(
            request,
            _("%(company)s: rozliczono nadpłaty (nowe rozliczenia: %(count)d).")
            % {"company": company, "count": made},
            messages.SUCCESS if made else messages.INFO,
        )
