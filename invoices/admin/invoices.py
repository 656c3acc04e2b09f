"""Invoices, their lines, VAT rules for fees and number sequences."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ebok.admin_tools import (
    ReadOnlyAdmin,
    ReadOnlyInline,
    action_form_response,
    action_form_submitted,
    admin_link,
)
from ebok.dates import today as business_today
from ebok.money import format_money

from ..models import (
    FeeVatRule,
    Invoice,
    InvoiceLine,
    InvoiceNumberSequence,
    PaymentAllocation,
)
from ..services import (
    InvoicingError,
    LineSpec,
    invoice_correct,
)
from .base import InvoicingPermissionMixin, settle_companies

# --- invoices --------------------------------------------------------------------------------


class InvoiceLineInline(ReadOnlyInline):
    model = InvoiceLine
    fields = ["position", "description", "quantity", "unit", "unit_net", "net", "vat_rate", "vat"]
    fields += ["gross", "exemption_basis"]
    readonly_fields = fields
    show_change_link = False


class InvoiceAllocationInline(ReadOnlyInline):
    model = PaymentAllocation
    fields = ["payment", "amount", "created_at"]
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("rozliczone wpłaty")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("payment")


class CorrectionInline(ReadOnlyInline):
    model = Invoice
    fk_name = "corrected_invoice"
    fields = ["number", "issue_date", "net", "vat", "gross", "correction_reason"]
    readonly_fields = fields
    verbose_name = gettext_lazy("korekta")
    verbose_name_plural = gettext_lazy("korekty tej faktury")


class InvoiceStatusFilter(admin.SimpleListFilter):
    title = gettext_lazy("status płatności")
    parameter_name = "payment_status"

    def lookups(self, request, model_admin):
        return Invoice.Status.choices

    def queryset(self, request, queryset):
        if self.value() in Invoice.Status.values:
            return queryset.with_status(self.value(), business_today())
        return queryset


class InvoiceCorrectionForm(forms.Form):
    net_delta = forms.DecimalField(
        label=gettext_lazy("Zmiana kwoty netto"),
        max_digits=14,
        decimal_places=2,
        help_text=gettext_lazy("Ujemna obniża kwotę faktury, dodatnia ją podwyższa."),
    )
    vat_rate = forms.ChoiceField(
        label=gettext_lazy("Stawka VAT"),
        choices=InvoiceLine.VatRate.choices,
        initial=InvoiceLine.VatRate.STANDARD,
        help_text=gettext_lazy("Jedna ze stawek, które ma korygowana faktura."),
    )
    reason = forms.CharField(label=gettext_lazy("Przyczyna korekty"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Opis pozycji"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("Puste = „Korekta faktury <numer>: <przyczyna>”."),
    )

    def clean_net_delta(self) -> Decimal:
        value = self.cleaned_data["net_delta"]
        if value == 0:
            raise forms.ValidationError(_("Korekta musi zmieniać kwotę."))
        return value


@admin.register(Invoice)
class InvoiceAdmin(InvoicingPermissionMixin, admin.ModelAdmin):
    list_display = [
        "number",
        "kind",
        "company",
        "contract",
        "issue_date",
        "due_date",
        "gross",
        "amount_payable",
        "amount_paid",
        "payment_status",
        "overdue",
    ]
    list_filter = [InvoiceStatusFilter, "kind"]
    list_select_related = ["company", "contract"]
    search_fields = [
        "number",
        "company__client_number",
        "company__name",
        "company__nip",
        "contract__number",
        "buyer_nip",
    ]
    search_help_text = gettext_lazy(
        "Szukaj po numerze faktury, numerze umowy, firmie (numer klienta, nazwa, NIP)."
    )
    date_hierarchy = "issue_date"
    show_full_result_count = False
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "number",
                    "kind",
                    "company",
                    "contract",
                    "corrected_invoice",
                    "correction_reason",
                ]
            },
        ),
        (gettext_lazy("Daty"), {"fields": ["issue_date", "sale_date", "due_date"]}),
        (
            gettext_lazy("Kwoty"),
            {
                "fields": [
                    "net",
                    "vat",
                    "gross",
                    "settled_by_schedule",
                    "released_to_credit",
                    "amount_payable",
                    "amount_paid",
                    "amount_due",
                    "payment_status",
                    "overdue",
                ]
            },
        ),
        (
            gettext_lazy("Nabywca (stan z dnia wystawienia)"),
            {"fields": ["buyer_name", "buyer_nip", "buyer_address", "pdf", "created_at"]},
        ),
    ]
    readonly_fields = [
        "number",
        "kind",
        "company",
        "contract",
        "corrected_invoice",
        "correction_reason",
        "issue_date",
        "sale_date",
        "due_date",
        "net",
        "vat",
        "gross",
        "settled_by_schedule",
        "released_to_credit",
        "amount_payable",
        "amount_paid",
        "amount_due",
        "payment_status",
        "overdue",
        "buyer_name",
        "buyer_nip",
        "buyer_address",
        "pdf",
        "created_at",
    ]
    inlines = [InvoiceLineInline, InvoiceAllocationInline, CorrectionInline]
    actions = ["correct", "settle"]

    @admin.display(description=gettext_lazy("status"))
    def payment_status(self, invoice: Invoice) -> str:
        return invoice.get_status_display()

    @admin.display(description=gettext_lazy("po terminie"), boolean=True)
    def overdue(self, invoice: Invoice) -> bool:
        return invoice.is_overdue_on(business_today())

    @admin.display(description=gettext_lazy("do zapłaty"))
    def amount_due(self, invoice: Invoice):
        return invoice.amount_due

    # Invoices are legal documents: issued and corrected by services, never edited or deleted.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.action(description=gettext_lazy("Wystaw korektę"), permissions=["issue_invoice"])
    def correct(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        invoices = list(queryset.select_related("company")[:2])
        if len(invoices) != 1:
            self.message_user(
                request, _("Korektę wystawia się do jednej faktury; zaznacz jedną."), messages.ERROR
            )
            return None
        invoice = invoices[0]
        form = InvoiceCorrectionForm(request.POST if action_form_submitted(request) else None)
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            description = data["description"] or _("Korekta faktury %(number)s: %(reason)s") % {
                "number": invoice.number,
                "reason": data["reason"],
            }
            line = LineSpec(
                description=description, net=data["net_delta"], vat_rate=data["vat_rate"]
            )
            try:
                correction = invoice_correct(invoice=invoice, lines=[line], reason=data["reason"])
            except InvoicingError as exc:
                self.message_user(request, f"{invoice}: {exc}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    format_html(
                        _("Wystawiono korektę {} do faktury {} ({} brutto)."),
                        admin_link(correction),
                        invoice.number,
                        format_money(correction.gross),
                    ),
                    messages.SUCCESS,
                )
            return None
        return action_form_response(
            self,
            request,
            queryset,
            form,
            title=_("Korekta faktury %(number)s") % {"number": invoice.number},
            action="correct",
            submit_label=_("Wystaw korektę"),
            intro=_(
                "Korekta zmienia kwotę należną z faktury. Jeśli spadnie poniżej tego, co "
                "już zapłacono, nadwyżka wraca jako nadpłata i rozlicza kolejne faktury."
            ),
        )

    @admin.action(description=gettext_lazy("Rozlicz nadpłaty firmy"), permissions=["settle"])
    def settle(self, request: HttpRequest, queryset: QuerySet) -> None:
        settle_companies(self, request, queryset.values_list("company_id", flat=True))


@admin.register(InvoiceLine)
class InvoiceLineAdmin(ReadOnlyAdmin):
    list_display = ["invoice", "position", "description", "net", "vat_rate", "vat", "gross"]
    list_select_related = ["invoice"]
    search_fields = ["invoice__number", "description"]
    list_filter = ["vat_rate"]
    show_full_result_count = False


@admin.register(FeeVatRule)
class FeeVatRuleAdmin(admin.ModelAdmin):
    """How fees charged without VAT are invoiced, per fee kind (exempt with a legal basis, or
    outside VAT). Changes apply to invoices issued afterwards; issued ones keep their basis."""

    list_display = ["fee_kind", "rate", "exemption_basis"]
    list_editable = ["rate", "exemption_basis"]
    fields = ["fee_kind", "rate", "exemption_basis"]

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        return ["fee_kind"] if obj is not None else []


@admin.register(InvoiceNumberSequence)
class InvoiceNumberSequenceAdmin(ReadOnlyAdmin):
    list_display = ["prefix", "last_value"]
    search_fields = ["prefix"]
