"""Back office for invoices, payments and their settlement.

Money moves only through `invoices.services`: invoices are issued by actions (on contracts,
installments and fees), corrected by a correction action, and payments are booked through
`payment_record`, which allocates them. Totals, amounts paid and credit are never hand-edited.

This module also extends the company, contract, installment and fee admins of the layers
below with their invoicing actions and the company's balance, since those apps may not import
this one.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.admin import CompanyAdmin
from accounts.models import Company
from contracts.admin import AdditionalFeeAdmin, ContractAdmin, InstallmentAdmin
from contracts.models import AdditionalFee, Contract, Installment
from ebok.admin_tools import (
    ReadOnlyAdmin,
    ReadOnlyInline,
    action_form_response,
    action_form_submitted,
    admin_link,
    changelist_link,
    run_for_each,
)
from ebok.dates import today as business_today
from ebok.money import format_money

from .models import (
    FeeVatRule,
    Invoice,
    InvoiceLine,
    InvoiceNumberSequence,
    Payment,
    PaymentAllocation,
)
from .selectors import company_balance
from .services import (
    InvoicingError,
    LineSpec,
    company_settle,
    invoice_correct,
    invoice_issue_buyout,
    invoice_issue_for_fee,
    invoice_issue_for_installment,
    invoice_issue_initial_payment,
    payment_record,
)


class InvoicingPermissionMixin:
    """Issuing invoices and booking money need the right to add invoices / payments."""

    def has_issue_invoice_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("invoices.add_invoice")

    def has_settle_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("invoices.add_paymentallocation") or request.user.has_perm(
            "invoices.add_payment"
        )


def _settle_companies(modeladmin, request: HttpRequest, company_ids) -> None:
    companies = Company.objects.filter(pk__in=set(company_ids)).order_by("name")
    for company in companies:
        made = company_settle(company=company)
        modeladmin.message_user(
            request,
            _("%(company)s: rozliczono nadpłaty (nowe rozliczenia: %(count)d).")
            % {"company": company, "count": made},
            messages.SUCCESS if made else messages.INFO,
        )


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
        _settle_companies(self, request, queryset.values_list("pk", flat=True))


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
        _settle_companies(self, request, queryset.values_list("company_id", flat=True))


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
        _settle_companies(self, request, queryset.values_list("company_id", flat=True))


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
