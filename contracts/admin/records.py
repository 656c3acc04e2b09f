"""Back office for the records of a contract: assets, installments, rate changes, insurance
policies and fees."""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ebok.admin_tools import (
    ReadOnlyAdmin,
    admin_link,
)
from ebok.dates import today as business_today

from ..models import (
    AdditionalFee,
    Installment,
    InsurancePolicy,
    LeasedAsset,
    RateChange,
)
from ..selectors import policy_status_filter
from .contracts import AdditionalFeeForm

# Terms the schedule is computed from: frozen once anything has been invoiced.


@admin.register(LeasedAsset)
class LeasedAssetAdmin(admin.ModelAdmin):
    list_display = [
        "make",
        "model",
        "kind",
        "registration_number",
        "serial_number",
        "production_year",
        "contract",
        "company",
    ]
    list_filter = ["kind"]
    list_select_related = ["contract__company"]
    search_fields = [
        "registration_number",
        "serial_number",
        "make",
        "model",
        "contract__number",
        "contract__company__name",
        "contract__company__client_number",
    ]
    autocomplete_fields = ["contract"]

    @admin.display(description=gettext_lazy("firma"), ordering="contract__company__name")
    def company(self, asset: LeasedAsset) -> str:
        return asset.contract.company.name


class InstallmentInvoicedFilter(admin.SimpleListFilter):
    title = gettext_lazy("faktura")
    parameter_name = "invoiced"

    def lookups(self, request, model_admin):
        return [
            ("no", _("do zafakturowania (wymagalne)")),
            ("future", _("przyszłe, bez faktury")),
            ("yes", _("zafakturowane")),
        ]

    def queryset(self, request, queryset):
        today = business_today()
        if self.value() == "no":
            return queryset.filter(invoice__isnull=True, due_date__lte=today)
        if self.value() == "future":
            return queryset.filter(invoice__isnull=True, due_date__gt=today)
        if self.value() == "yes":
            return queryset.filter(invoice__isnull=False)
        return queryset


@admin.register(Installment)
class InstallmentAdmin(ReadOnlyAdmin):
    """The schedule rows of all contracts: written by the schedule services only."""

    list_display = [
        "contract",
        "number",
        "company",
        "due_date",
        "capital",
        "interest",
        "net",
        "vat",
        "gross",
        "remaining_capital",
        "invoice_link",
        "payment_status",
    ]
    list_display_links = ["number"]
    list_filter = [InstallmentInvoicedFilter, "contract__kind", "contract__status"]
    list_select_related = ["contract__company", "invoice"]
    search_fields = [
        "contract__number",
        "contract__company__client_number",
        "contract__company__name",
        "invoice__number",
    ]
    date_hierarchy = "due_date"
    ordering = ["due_date", "contract__number", "number"]
    show_full_result_count = False

    @admin.display(description=gettext_lazy("firma"), ordering="contract__company__name")
    def company(self, installment: Installment) -> str:
        return installment.contract.company.name

    @admin.display(description=gettext_lazy("faktura"), ordering="invoice__number")
    def invoice_link(self, installment: Installment) -> str:
        return admin_link(installment.invoice)

    @admin.display(description=gettext_lazy("płatność"))
    def payment_status(self, installment: Installment) -> str:
        invoice = installment.invoice
        return invoice.get_status_display() if invoice is not None else "–"


@admin.register(RateChange)
class RateChangeAdmin(ReadOnlyAdmin):
    list_display = [
        "contract",
        "effective_from",
        "old_rate",
        "new_rate",
        "installments_recomputed",
        "created_at",
    ]
    list_select_related = ["contract"]
    search_fields = ["contract__number", "contract__company__name"]
    date_hierarchy = "effective_from"


class PolicyStatusFilter(admin.SimpleListFilter):
    title = gettext_lazy("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return InsurancePolicy.Status.choices

    def queryset(self, request, queryset):
        return policy_status_filter(queryset, self.value(), business_today())


@admin.register(InsurancePolicy)
class InsurancePolicyAdmin(admin.ModelAdmin):
    # The insurer's online claim form: an address typed without a scheme is https://.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = [
        "number",
        "type",
        "insurer",
        "contract",
        "asset",
        "valid_from",
        "valid_to",
        "policy_status",
        "sum_insured",
        "premium",
        "arranged_by",
    ]
    list_filter = [PolicyStatusFilter, "type", "arranged_by", "insurer"]
    list_select_related = ["contract", "asset"]
    search_fields = [
        "number",
        "insurer",
        "contract__number",
        "contract__company__name",
        "contract__company__client_number",
        "asset__registration_number",
        "asset__serial_number",
    ]
    date_hierarchy = "valid_to"
    autocomplete_fields = ["contract", "asset"]

    @admin.display(description=gettext_lazy("status"))
    def policy_status(self, policy: InsurancePolicy) -> str:
        return policy.get_status_display()


class FeeInvoicedFilter(admin.SimpleListFilter):
    title = gettext_lazy("faktura")
    parameter_name = "invoiced"

    def lookups(self, request, model_admin):
        return [("no", _("bez faktury")), ("yes", _("zafakturowane"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(invoice__isnull=self.value() == "no")
        return queryset


@admin.register(AdditionalFee)
class AdditionalFeeAdmin(admin.ModelAdmin):
    form = AdditionalFeeForm
    list_display = [
        "charged_on",
        "kind",
        "description",
        "contract",
        "company",
        "net",
        "vat",
        "gross",
        "invoice_link",
    ]
    list_filter = [FeeInvoicedFilter, "kind"]
    list_select_related = ["contract__company", "invoice"]
    search_fields = [
        "description",
        "contract__number",
        "contract__company__name",
        "contract__company__client_number",
        "invoice__number",
    ]
    date_hierarchy = "charged_on"
    autocomplete_fields = ["contract"]
    fields = ["contract", "kind", "description", "charged_on", "net", "vat", "gross", "invoice"]
    readonly_fields = ["gross", "invoice"]

    @admin.display(description=gettext_lazy("firma"), ordering="contract__company__name")
    def company(self, fee: AdditionalFee) -> str:
        return fee.contract.company.name

    @admin.display(description=gettext_lazy("faktura"), ordering="invoice__number")
    def invoice_link(self, fee: AdditionalFee) -> str:
        return admin_link(fee.invoice)

    def get_readonly_fields(self, request: HttpRequest, obj: AdditionalFee | None = None):
        if obj is not None and obj.invoice_id:
            return self.fields  # an invoiced fee is part of a legal document
        return super().get_readonly_fields(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: AdditionalFee | None = None):
        if obj is not None and obj.invoice_id:
            return False
        return super().has_delete_permission(request, obj)
