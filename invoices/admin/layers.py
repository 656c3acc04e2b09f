"""The company, contract, installment and fee admins of the layers below, extended with
invoicing actions and the company's balance (those apps may not import this one)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.admin import CompanyAdmin
from accounts.models import Company
from contracts.admin import AdditionalFeeAdmin, ContractAdmin, InstallmentAdmin
from contracts.models import AdditionalFee, Contract, Installment
from ebok.admin_tools import (
    changelist_link,
    run_for_each,
)
from ebok.dates import today as business_today
from ebok.money import format_money

from ..selectors import company_balance
from ..services import (
    InvoicingError,
    invoice_issue_buyout,
    invoice_issue_for_fee,
    invoice_issue_for_installment,
    invoice_issue_initial_payment,
)
from .base import InvoicingPermissionMixin, settle_companies

# --- the layers below, extended with invoicing -----------------------------------------------


admin.site.unregister(Company)


@admin.register(Company)
class CompanyFinanceAdmin(InvoicingPermissionMixin, CompanyAdmin):
    readonly_fields = [*CompanyAdmin.readonly_fields, "balance_summary"]
    fieldsets = [
        *CompanyAdmin.fieldsets,
        (gettext_lazy("Rozrachunki"), {"fields": ["balance_summary"]}),
    ]
    actions = [*CompanyAdmin.actions, "settle"]

    @admin.display(description=gettext_lazy("saldo"))
    def balance_summary(self, company: Company) -> str:
        if company.pk is None:
            return "–"
        balance = company_balance(company=company)
        rows = [
            (_("obciążenia (faktury)"), balance.charges),
            (_("wpłaty"), balance.payments),
            (_("saldo (obciążenia − wpłaty)"), balance.balance),
            (_("wymagalne"), balance.due),
            (_("w tym przeterminowane"), balance.overdue),
            (_("niewymagalne (przyszłe)"), balance.not_yet_due),
            (_("nadpłata"), balance.overpayment),
        ]
        table = format_html(
            "<table>{}</table>",
            format_html_join(
                "",
                "<tr><th>{}</th><td>{}</td></tr>",
                ((label, format_money(amount)) for label, amount in rows),
            ),
        )
        links = format_html(
            "{} · {}",
            changelist_link("invoices.invoice", _("faktury"), company__id__exact=company.pk),
            changelist_link("invoices.payment", _("wpłaty"), company__id__exact=company.pk),
        )
        return format_html("{}<p>{}</p>", table, links)

    @admin.action(description=gettext_lazy("Rozlicz nadpłaty firmy"), permissions=["settle"])
    def settle(self, request: HttpRequest, queryset: QuerySet) -> None:
        settle_companies(self, request, queryset.values_list("pk", flat=True))


admin.site.unregister(Contract)


@admin.register(Contract)
class ContractInvoicingAdmin(InvoicingPermissionMixin, ContractAdmin):
    actions = [*ContractAdmin.actions, "issue_initial_payment_invoice", "issue_buyout_invoice"]

    @admin.action(
        description=gettext_lazy("Wystaw fakturę za opłatę wstępną"),
        permissions=["issue_invoice"],
    )
    def issue_initial_payment_invoice(self, request: HttpRequest, queryset: QuerySet) -> None:
        run_for_each(
            self,
            request,
            queryset.select_related("company").order_by("number"),
            lambda contract: invoice_issue_initial_payment(
                contract=contract, issue_date=business_today()
            ),
            errors=(InvoicingError,),
            success=_("Wystawiono faktury za opłatę wstępną (umowy: %(count)d)."),
        )

    @admin.action(
        description=gettext_lazy("Wystaw fakturę za wykup"), permissions=["issue_invoice"]
    )
    def issue_buyout_invoice(self, request: HttpRequest, queryset: QuerySet) -> None:
        run_for_each(
            self,
            request,
            queryset.select_related("company").order_by("number"),
            lambda contract: invoice_issue_buyout(contract=contract, issue_date=business_today()),
            errors=(InvoicingError,),
            success=_("Wystawiono faktury za wykup (umowy: %(count)d)."),
        )


admin.site.unregister(Installment)


@admin.register(Installment)
class InstallmentInvoicingAdmin(InvoicingPermissionMixin, InstallmentAdmin):
    actions = ["issue_invoices"]

    @admin.action(
        description=gettext_lazy("Wystaw faktury za zaznaczone raty"),
        permissions=["issue_invoice"],
    )
    def issue_invoices(self, request: HttpRequest, queryset: QuerySet) -> None:
        run_for_each(
            self,
            request,
            queryset.select_related("contract__company").order_by("due_date", "contract", "number"),
            lambda installment: invoice_issue_for_installment(installment=installment),
            errors=(InvoicingError,),
            success=_("Wystawiono faktury za raty (raty: %(count)d)."),
        )


admin.site.unregister(AdditionalFee)


@admin.register(AdditionalFee)
class AdditionalFeeInvoicingAdmin(InvoicingPermissionMixin, AdditionalFeeAdmin):
    actions = ["issue_invoices"]

    @admin.action(description=gettext_lazy("Wystaw fakturę"), permissions=["issue_invoice"])
    def issue_invoices(self, request: HttpRequest, queryset: QuerySet) -> None:
        run_for_each(
            self,
            request,
            queryset.select_related("contract__company").order_by("charged_on", "id"),
            lambda fee: invoice_issue_for_fee(fee=fee),
            errors=(InvoicingError,),
            success=_("Wystawiono faktury za opłaty (opłaty: %(count)d)."),
        )
