"""Payments and their allocation to invoices."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ebok.admin_tools import (
    ReadOnlyAdmin,
    ReadOnlyInline,
)
from ebok.dates import today as business_today
from ebok.money import format_money

from ..models import (
    Payment,
    PaymentAllocation,
)
from ..services import (
    payment_record,
)
from .base import InvoicingPermissionMixin, settle_companies

# --- payments --------------------------------------------------------------------------------


class PaymentAllocationInline(ReadOnlyInline):
    model = PaymentAllocation
    fields = ["invoice", "amount", "created_at"]
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("rozliczenie wpłaty na faktury")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("invoice")


class PaymentCreditFilter(admin.SimpleListFilter):
    title = gettext_lazy("rozliczenie")
    parameter_name = "settled"

    def lookups(self, request, model_admin):
        return [("credit", _("z nadpłatą (nierozliczona kwota)")), ("full", _("rozliczone"))]

    def queryset(self, request, queryset):
        if self.value() == "credit":
            return queryset.filter(unallocated__gt=0)
        if self.value() == "full":
            return queryset.filter(unallocated=0)
        return queryset


class PaymentRecordForm(forms.ModelForm):
    """A payment as the bank booked it; `payment_record` then settles it."""

    class Meta:
        model = Payment
        fields = ["company", "amount", "received_on", "title", "bank_reference", "assigned_invoice"]

    def clean_amount(self) -> Decimal:
        amount = self.cleaned_data["amount"]
        if amount <= 0:
            raise forms.ValidationError(_("Kwota wpłaty musi być dodatnia."))
        return amount

    def clean(self):
        cleaned = super().clean()
        company, invoice = cleaned.get("company"), cleaned.get("assigned_invoice")
        if company is not None and invoice is not None and invoice.company_id != company.pk:
            self.add_error("assigned_invoice", _("Wskazana faktura należy do innej firmy."))
        if cleaned.get("amount") is not None:
            self.instance.unallocated = cleaned["amount"]  # until payment_record settles it
        return cleaned


@admin.register(Payment)
class PaymentAdmin(InvoicingPermissionMixin, admin.ModelAdmin):
    form = PaymentRecordForm
    list_display = [
        "received_on",
        "company",
        "amount",
        "allocated",
        "unallocated",
        "title",
        "assigned_invoice",
        "bank_reference",
    ]
    list_filter = [PaymentCreditFilter]
    list_select_related = ["company", "assigned_invoice"]
    search_fields = [
        "company__client_number",
        "company__name",
        "company__nip",
        "title",
        "bank_reference",
        "assigned_invoice__number",
    ]
    search_help_text = gettext_lazy(
        "Szukaj po firmie (numer klienta, nazwa, NIP), tytule, referencji lub numerze faktury."
    )
    date_hierarchy = "received_on"
    show_full_result_count = False
    autocomplete_fields = ["company", "assigned_invoice"]
    inlines = [PaymentAllocationInline]
    actions = ["settle"]

    @admin.display(description=gettext_lazy("rozliczono"))
    def allocated(self, payment: Payment):
        return payment.allocated

    BOOKED_FIELDS = ["company", "amount", "received_on", "assigned_invoice"]

    def get_fields(self, request: HttpRequest, obj: Payment | None = None):
        fields = [*self.BOOKED_FIELDS, "title", "bank_reference"]
        return fields if obj is None else [*fields, "allocated", "unallocated", "created_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Payment | None = None):
        if obj is None:
            return []
        # Booked money is not re-keyed: only the descriptive fields may be fixed.
        return [*self.BOOKED_FIELDS, "allocated", "unallocated", "created_at"]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        return {"received_on": business_today(), **super().get_changeform_initial_data(request)}

    def get_inlines(self, request: HttpRequest, obj: Payment | None = None):
        return self.inlines if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Payment, form, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        payment = payment_record(
            company=obj.company,
            amount=obj.amount,
            received_on=obj.received_on,
            title=obj.title,
            bank_reference=obj.bank_reference,
            assigned_invoice=obj.assigned_invoice,
        )
        # The admin goes on with `obj` (history entry, redirect): make it the booked payment.
        obj.pk, obj.unallocated, obj.created_at = (
            payment.pk,
            payment.unallocated,
            payment.created_at,
        )
        obj._state.adding = False
        self.message_user(
            request,
            _("Wpłata %(amount)s rozliczona: na faktury %(allocated)s, nadpłata %(credit)s.")
            % {
                "amount": format_money(payment.amount),
                "allocated": format_money(payment.allocated),
                "credit": format_money(payment.unallocated),
            },
            messages.SUCCESS,
        )

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # a booked payment is reversed by the core system, not deleted here

    @admin.action(description=gettext_lazy("Rozlicz nadpłaty firmy"), permissions=["settle"])
    def settle(self, request: HttpRequest, queryset: QuerySet) -> None:
        settle_companies(self, request, queryset.values_list("company_id", flat=True))


@admin.register(PaymentAllocation)
class PaymentAllocationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "company", "payment", "invoice", "amount"]
    list_select_related = ["payment__company", "invoice"]
    search_fields = [
        "invoice__number",
        "payment__company__client_number",
        "payment__company__name",
        "payment__title",
    ]
    date_hierarchy = "created_at"
    show_full_result_count = False

    @admin.display(description=gettext_lazy("firma"), ordering="payment__company__name")
    def company(self, allocation: PaymentAllocation) -> str:
        return allocation.payment.company.name
