"""Back office for contracts, their assets, schedules, insurance policies and fees.

Schedules change only through `contracts.services` (the actions below). The invoicing actions
on contracts, installments and fees live in `invoices.admin`, which extends these classes:
the contracts app does not import the invoices app above it.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ebok.admin_tools import (
    ReadOnlyInline,
    action_form_response,
    action_form_submitted,
    changelist_link,
    run_for_each,
)
from ebok.dates import today as business_today
from ebok.money import vat_of

from ..models import (
    AdditionalFee,
    Contract,
    Installment,
    InsurancePolicy,
    LeasedAsset,
    RateChange,
)
from ..services import ScheduleError, schedule_apply_rate_change, schedule_generate

# Terms the schedule is computed from: frozen once anything has been invoiced.
FINANCIAL_TERMS = [
    "kind",
    "start_date",
    "currency",
    "net_value",
    "initial_payment",
    "buyout_value",
    "installment_count",
    "reference_rate",
    "reference_rate_value",
    "margin",
]


# --- inlines ---------------------------------------------------------------------------------


class LeasedAssetInline(admin.TabularInline):
    model = LeasedAsset
    extra = 0
    fields = [
        "kind",
        "make",
        "model",
        "registration_number",
        "serial_number",
        "production_year",
        "net_value",
    ]
    show_change_link = True


class InstallmentInline(ReadOnlyInline):
    model = Installment
    fields = [
        "number",
        "due_date",
        "capital",
        "interest",
        "net",
        "vat",
        "gross",
        "remaining_capital",
        "invoice",
    ]
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("harmonogram rat (zmiany tylko przez akcje)")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("invoice", "contract")


class InsurancePolicyInline(admin.TabularInline):
    model = InsurancePolicy
    extra = 0
    fields = [
        "type",
        "insurer",
        "number",
        "variant",
        "asset",
        "valid_from",
        "valid_to",
        "policy_status",
        "sum_insured",
        "premium",
        "arranged_by",
    ]
    readonly_fields = ["policy_status"]
    show_change_link = True

    @admin.display(description=gettext_lazy("status"))
    def policy_status(self, policy: InsurancePolicy) -> str:
        return policy.get_status_display() if policy.pk else "–"

    def get_formset(self, request: HttpRequest, obj: Contract | None = None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # A policy covers one of this contract's assets, not any asset in the system.
        field = formset.form.base_fields["asset"]
        field.queryset = obj.assets.all() if obj else LeasedAsset.objects.none()
        return formset


class AdditionalFeeForm(forms.ModelForm):
    """Staff enter net and VAT; gross is their sum. An invoiced fee is no longer editable."""

    vat = forms.DecimalField(
        label=gettext_lazy("VAT"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=gettext_lazy("Puste = stawka podstawowa od kwoty netto; 0 dla opłat poza VAT."),
    )

    class Meta:
        model = AdditionalFee
        fields = ["contract", "kind", "description", "charged_on", "net", "vat"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.invoice_id:
            for field in self.fields.values():
                field.disabled = True

    def clean(self):
        cleaned = super().clean()
        net = cleaned.get("net")
        if net is not None:
            if cleaned.get("vat") is None:
                cleaned["vat"] = vat_of(net, settings.VAT_RATE)
            self.instance.gross = net + cleaned["vat"]
        return cleaned


class AdditionalFeeFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        for form in self.deleted_forms:
            if form.instance.invoice_id:
                raise forms.ValidationError(
                    _("Opłaty %(fee)s nie można usunąć: ma już fakturę.") % {"fee": form.instance}
                )


class AdditionalFeeInline(admin.TabularInline):
    model = AdditionalFee
    form = AdditionalFeeForm
    formset = AdditionalFeeFormSet
    extra = 0
    fields = ["kind", "description", "charged_on", "net", "vat", "gross", "invoice"]
    readonly_fields = ["gross", "invoice"]
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("invoice")


class RateChangeInline(ReadOnlyInline):
    model = RateChange
    fields = ["effective_from", "old_rate", "new_rate", "installments_recomputed", "created_at"]
    readonly_fields = fields
    show_change_link = False


# --- contracts -------------------------------------------------------------------------------


class RateChangeForm(forms.Form):
    new_reference_rate = forms.DecimalField(
        label=gettext_lazy("Nowa wartość stopy referencyjnej (%)"),
        max_digits=7,
        decimal_places=4,
        min_value=0,
    )
    effective_from = forms.DateField(
        label=gettext_lazy("Obowiązuje od"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy(
            "Przeliczone zostaną niezafakturowane raty z terminem płatności od tego dnia."
        ),
    )


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "company",
        "kind",
        "status",
        "signed_on",
        "start_date",
        "end_date",
        "net_value",
        "installment_count",
        "rate",
    ]
    list_display_links = ["number"]
    list_filter = ["status", "kind", "reference_rate", "currency"]
    list_select_related = ["company"]
    search_fields = [
        "number",
        "company__client_number",
        "company__name",
        "company__nip",
        "assets__registration_number",
        "assets__serial_number",
    ]
    search_help_text = gettext_lazy(
        "Szukaj po numerze umowy, firmie (numer klienta, nazwa, NIP), "
        "numerze rejestracyjnym lub VIN."
    )
    date_hierarchy = "start_date"
    autocomplete_fields = ["company"]
    readonly_fields = ["created_at", "related_links"]
    fieldsets = [
        (None, {"fields": ["company", "number", "kind", "status", "related_links"]}),
        (gettext_lazy("Daty"), {"fields": ["signed_on", "start_date", "end_date", "created_at"]}),
        (
            gettext_lazy("Warunki finansowe"),
            {
                "fields": [
                    "currency",
                    "net_value",
                    "initial_payment",
                    "buyout_value",
                    "installment_count",
                    "reference_rate",
                    "reference_rate_value",
                    "margin",
                ]
            },
        ),
    ]
    inlines = [
        LeasedAssetInline,
        InsurancePolicyInline,
        AdditionalFeeInline,
        InstallmentInline,
        RateChangeInline,
    ]
    actions = ["generate_schedule", "apply_rate_change"]

    @admin.display(description=gettext_lazy("oprocentowanie"), ordering="reference_rate_value")
    def rate(self, contract: Contract) -> str:
        return (
            f"{contract.get_reference_rate_display()} {contract.reference_rate_value:.2f}% "
            f"+ {contract.margin:.2f}%"
        )

    @admin.display(description=gettext_lazy("zobacz"))
    def related_links(self, contract: Contract) -> str:
        if contract.pk is None:
            return "–"
        return format_html(
            "{} · {}",
            changelist_link(
                "contracts.installment", _("harmonogram"), contract__id__exact=contract.pk
            ),
            changelist_link("invoices.invoice", _("faktury"), contract__id__exact=contract.pk),
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Contract | None = None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is None or obj.pk is None:
            return readonly
        if obj.invoices.exists() or obj.installments.filter(invoice__isnull=False).exists():
            readonly += [f for f in FINANCIAL_TERMS if f not in readonly]
        elif obj.installments.exists():
            readonly.append("reference_rate_value")  # changed by the rate-change action
        return readonly

    @admin.action(description=gettext_lazy("Generuj harmonogram"), permissions=["change"])
    def generate_schedule(self, request: HttpRequest, queryset: QuerySet) -> None:
        run_for_each(
            self,
            request,
            queryset.order_by("number"),
            lambda contract: schedule_generate(contract=contract),
            errors=(ScheduleError, ValueError),
            success=_("Wygenerowano harmonogram rat (umowy: %(count)d)."),
        )

    @admin.action(
        description=gettext_lazy("Zastosuj zmianę stopy referencyjnej"), permissions=["change"]
    )
    def apply_rate_change(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        contracts = list(queryset.order_by("number"))
        form = RateChangeForm(
            request.POST if action_form_submitted(request) else None,
            initial={"effective_from": business_today()},
        )
        rates = {c.reference_rate for c in contracts}
        if form.is_bound and len(rates) > 1:
            form.add_error(
                None,
                _("Zaznaczone umowy mają różne stopy referencyjne; zmieniaj jedną stopę naraz."),
            )
        if form.is_bound and form.is_valid():
            new_rate = form.cleaned_data["new_reference_rate"]
            effective_from: dt.date = form.cleaned_data["effective_from"]
            run_for_each(
                self,
                request,
                contracts,
                lambda contract: schedule_apply_rate_change(
                    contract=contract,
                    new_reference_rate=new_rate,
                    effective_from=effective_from,
                ),
                errors=(ScheduleError, ValueError),
                success=_("Zmieniono stopę i przeliczono raty (umowy: %(count)d)."),
            )
            return None
        return action_form_response(
            self,
            request,
            queryset,
            form,
            title=_("Zmiana stopy referencyjnej"),
            action="apply_rate_change",
            submit_label=_("Przelicz raty"),
            intro=_(
                "Raty już zafakturowane zostają bez zmian; pozostałe są przeliczane od kapitału "
                "pozostałego, z tą samą liczbą rat i wartością wykupu."
            ),
        )
