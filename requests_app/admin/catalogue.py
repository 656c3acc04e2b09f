"""The back office's catalogue: the fee table, request types and their fields."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from contracts.models import Contract

from ..models import Fee, RequestField, RequestType


@admin.register(Fee)
class FeeAdmin(admin.ModelAdmin):
    list_display = ["name_pl", "name_en", "net", "vat_rate", "gross", "code"]
    search_fields = ["name_pl", "name_en", "code"]

    @admin.display(description=_("brutto"))
    def gross(self, fee: Fee):
        return fee.gross


class RequestFieldInline(admin.StackedInline):
    model = RequestField
    extra = 0
    fields = [
        ("key", "field_type", "required", "order"),
        ("label_pl", "label_en"),
        ("help_pl", "help_en"),
        "choices",
    ]


class RequestTypeForm(forms.ModelForm):
    contract_statuses = forms.MultipleChoiceField(
        label=_("Dozwolone statusy umowy"),
        choices=Contract.Status.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Nic nie zaznaczone: każdy status."),
    )
    contract_kinds = forms.MultipleChoiceField(
        label=_("Dozwolone rodzaje umowy"),
        choices=Contract.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Nic nie zaznaczone: każdy rodzaj."),
    )

    class Meta:
        model = RequestType
        fields = [
            "code",
            "name_pl",
            "name_en",
            "description_pl",
            "description_en",
            "contract_rule",
            "contract_statuses",
            "contract_kinds",
            "fee",
            "handling_days",
            "is_critical",
            "extra_attachments",
            "active",
            "order",
        ]


@admin.register(RequestType)
class RequestTypeAdmin(admin.ModelAdmin):
    form = RequestTypeForm
    inlines = [RequestFieldInline]
    list_display = [
        "name_pl",
        "code",
        "contract_rule",
        "fee",
        "handling_days",
        "is_critical",
        "active",
        "order",
    ]
    list_filter = ["active", "is_critical", "contract_rule"]
    list_editable = ["active", "order"]
    search_fields = ["name_pl", "name_en", "code"]
    fieldsets = [
        (None, {"fields": ["code", ("name_pl", "name_en"), ("description_pl", "description_en")]}),
        (_("Umowa"), {"fields": ["contract_rule", "contract_statuses", "contract_kinds"]}),
        (
            _("Obsługa"),
            {
                "fields": [
                    "fee",
                    "handling_days",
                    "is_critical",
                    "extra_attachments",
                    "active",
                    "order",
                ]
            },
        ),
    ]

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # A type with applications stays (PROTECT): switch it off with "dostępny dla klientów".
        return obj is None or not obj.applications.exists()
