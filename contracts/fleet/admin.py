"""The back office for fleet data: service visits, fuel transactions, mileage readings, and the
damages with their claims.

The damage list is the staff's claims queue (filter "zgłoszone w portalu, otwarte"). Staff
edit a claim's status, number, handler and costs on its page; every change goes through
`contracts.fleet.claims.services`: a status change adds to the history, is audited and tells
the client ("fleet.claim_status_changed"); other edits are audited with the changed fields.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from accounts.audit import audit_context
from ebok.admin_tools import (
    ReadOnlyInline,
    action_form_response,
    action_form_submitted,
    run_for_each,
)

from .claims import services
from .models import (
    Damage,
    DamagePhoto,
    DamageStatusChange,
    FuelTransaction,
    MileageReading,
    ServiceVisit,
)

COMPANY_SEARCH = ["company__name", "company__client_number", "contract__number"]


class FleetRecordAdmin(admin.ModelAdmin):
    """What every fleet changelist shares: the vehicle by autocomplete, company and contract
    shown, searched by registration number."""

    autocomplete_fields = ["asset"]
    readonly_fields = ["contract", "company"]
    list_select_related = ["asset", "contract", "company"]
    search_fields = ["asset__registration_number", "asset__serial_number", *COMPANY_SEARCH]
    search_help_text = _(
        "Szukaj po numerze rejestracyjnym, VIN, firmie, numerze klienta lub umowy."
    )
    list_per_page = 50

    @admin.display(description=_("nr rej."), ordering="asset__registration_number")
    def registration(self, record) -> str:
        return record.asset.registration_number or "–"


@admin.register(ServiceVisit)
class ServiceVisitAdmin(FleetRecordAdmin):
    list_display = ["date", "registration", "scope", "workshop", "mileage_km", "gross", "company"]
    list_filter = ["scope"]
    date_hierarchy = "date"
    search_fields = [*FleetRecordAdmin.search_fields, "workshop", "invoice_number"]
    raw_id_fields = ["invoice"]


@admin.register(FuelTransaction)
class FuelTransactionAdmin(FleetRecordAdmin):
    list_display = [
        "occurred_at",
        "registration",
        "product",
        "station",
        "litres",
        "gross",
        "mileage_km",
        "company",
    ]
    list_filter = ["product"]
    date_hierarchy = "occurred_at"
    search_fields = [*FleetRecordAdmin.search_fields, "station", "card_number"]


@admin.register(MileageReading)
class MileageReadingAdmin(FleetRecordAdmin):
    list_display = ["read_on", "registration", "mileage_km", "source", "company"]
    list_filter = ["source"]
    date_hierarchy = "read_on"


# --- damages and claims ----------------------------------------------------------------------


class QueueFilter(admin.SimpleListFilter):
    title = _("kolejka")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [
            ("new", _("nowe zgłoszenia z portalu")),
            ("portal_open", _("z portalu, otwarte")),
            ("open", _("wszystkie otwarte")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "new":
            return queryset.filter(source=Damage.Source.PORTAL, status=Damage.Status.REPORTED)
        if self.value() == "portal_open":
            return queryset.filter(source=Damage.Source.PORTAL, status__in=Damage.OPEN_STATUSES)
        if self.value() == "open":
            return queryset.filter(status__in=Damage.OPEN_STATUSES)
        return queryset


class DamagePhotoInline(ReadOnlyInline):
    model = DamagePhoto
    fields = ["download", "content_type", "size", "uploaded_at"]
    readonly_fields = fields
    show_change_link = False

    @admin.display(description=_("plik"))
    def download(self, photo: DamagePhoto) -> str:
        url = reverse("admin:fleet_damage_photo", args=[photo.pk])
        return format_html('<a href="{}">{}</a>', url, photo.name)


class StatusHistoryInline(ReadOnlyInline):
    model = DamageStatusChange
    fields = ["at", "from_status", "to_status", "by", "note"]
    readonly_fields = fields
    show_change_link = False
    verbose_name_plural = _("historia statusów")


class DamageForm(forms.ModelForm):
    status_note = forms.CharField(
        label=_("Wiadomość do klienta o zmianie statusu"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Dołączona do powiadomienia, gdy zmieniasz status; widoczna w historii."),
    )

    class Meta:
        model = Damage
        fields = [
            "asset",
            "occurred_on",
            "place",
            "description",
            "status",
            "insurer",
            "policy",
            "claim_number",
            "handler_name",
            "handler_phone",
            "handler_email",
            "repair_cost",
            "covered_amount",
        ]

    def clean(self):
        cleaned = super().clean()
        repair, covered = cleaned.get("repair_cost"), cleaned.get("covered_amount")
        if repair is not None and covered is not None and covered > repair:
            self.add_error(
                "covered_amount",
                _("Kwota pokryta przez ubezpieczyciela nie może przekraczać kosztu naprawy."),
            )
        return cleaned


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Nowy status"), choices=Damage.Status.choices)
    note = forms.CharField(
        label=_("Wiadomość do klienta (opcjonalnie)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )


@admin.register(Damage)
class DamageAdmin(FleetRecordAdmin):
    form = DamageForm
    list_display = [
        "occurred_on",
        "registration",
        "status",
        "source",
        "portal_number",
        "claim_number",
        "insurer",
        "handler_name",
        "repair_cost",
        "company",
        "reported_at",
    ]
    list_filter = [QueueFilter, "status", "source", "insurer"]
    date_hierarchy = "occurred_on"
    search_fields = [*FleetRecordAdmin.search_fields, "claim_number", "place", "handler_name"]
    search_help_text = _(
        "Szukaj po numerze rejestracyjnym, numerze szkody, miejscu, prowadzącym, firmie lub umowie."
    )
    ordering = ["-reported_at"]
    raw_id_fields = ["policy", "reported_by"]
    readonly_fields = [
        "contract",
        "company",
        "source",
        "portal_number",
        "reported_by",
        "reported_at",
        "status_changed_at",
        "claims_contact",
    ]
    inlines = [DamagePhotoInline, StatusHistoryInline]

    @admin.display(description=_("nr zgłoszenia w portalu"), ordering="pk")
    def portal_number(self, damage: Damage) -> str:
        """What the core system sends back as `portal_claim` when it registers this report
        (the feed then joins its record to this claim instead of opening a second one)."""
        return str(damage.pk) if damage.pk and damage.source == Damage.Source.PORTAL else "—"

    actions = ["change_status"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "asset",
                    "contract",
                    "company",
                    ("source", "portal_number"),
                    "reported_by",
                    "reported_at",
                ]
            },
        ),
        (_("Zdarzenie"), {"fields": ["occurred_on", "place", "description"]}),
        (
            _("Likwidacja"),
            {
                "fields": [
                    ("status", "status_changed_at"),
                    "status_note",
                    "insurer",
                    "policy",
                    "claims_contact",
                    "claim_number",
                    ("handler_name", "handler_phone", "handler_email"),
                    ("repair_cost", "covered_amount"),
                ]
            },
        ),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields.append("asset")  # a claim stays with its vehicle
        return fields

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # a claim is closed, never deleted (its history and audit stay)

    @admin.display(description=_("kontakt do likwidacji (z polisy)"))
    def claims_contact(self, damage: Damage) -> str:
        policy = damage.policy
        if policy is None:
            return "–"
        parts = [p for p in (policy.claims_phone, policy.claims_email, policy.claims_url) if p]
        return format_html_join(" · ", "{}", ((p,) for p in parts)) if parts else "–"

    def save_model(self, request: HttpRequest, obj: Damage, form, change: bool) -> None:
        audit = audit_context(request)
        note = form.cleaned_data.get("status_note", "")
        if not change:
            services.damage_register(damage=obj, by=request.user, audit=audit)
            return
        stored = Damage.objects.get(pk=obj.pk)
        changes = {
            name: getattr(obj, name) for name in services.EDITABLE if name in form.changed_data
        }
        services.damage_update(damage=stored, changes=changes, by=request.user, audit=audit)
        if obj.status != stored.status:
            services.damage_change_status(
                damage=stored, to=obj.status, by=request.user, note=note, audit=audit
            )
        obj.refresh_from_db()

    @admin.action(description=_("Zmień status (klient dostanie powiadomienie)"))
    def change_status(self, request: HttpRequest, queryset: QuerySet[Damage]):
        form = StatusForm(request.POST if action_form_submitted(request) else None)
        if action_form_submitted(request) and form.is_valid():
            audit = audit_context(request)
            to, note = form.cleaned_data["status"], form.cleaned_data["note"]
            run_for_each(
                self,
                request,
                queryset,
                lambda damage: services.damage_change_status(
                    damage=damage, to=to, by=request.user, note=note, audit=audit
                ),
                errors=(services.ClaimError,),
                success=_("Zmieniono status: %(count)d."),
            )
            return None
        return action_form_response(
            self,
            request,
            queryset,
            form,
            title=_("Zmiana statusu szkód"),
            action="change_status",
            submit_label=_("Zmień status"),
        )

    def get_urls(self):
        own = [
            path(
                "zdjecie/<int:pk>/",
                self.admin_site.admin_view(self.photo_view),
                name="fleet_damage_photo",
            ),
        ]
        return own + super().get_urls()

    def photo_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_view_permission(request):
            raise Http404
        photo = get_object_or_404(DamagePhoto, pk=pk)
        return FileResponse(
            photo.file.open("rb"),
            as_attachment=True,
            filename=photo.name,
            content_type=photo.content_type,
        )
