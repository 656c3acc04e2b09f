"""The back office of the feed: API clients (key shown once, revoke), the batch log and the
balance reconciliation (mismatches flagged)."""

from __future__ import annotations

import json

from django.contrib import admin
from django.db.models import Count, Q
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.audit import audit_context
from ebok.admin_tools import ReadOnlyAdmin, ReadOnlyInline, run_for_each

from . import services
from .models import ApiClient, ImportBatch, ReconciliationLine


class RevokedFilter(admin.SimpleListFilter):
    title = _("stan klucza")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("active", _("aktywne")), ("revoked", _("unieważnione"))]

    def queryset(self, request, queryset):
        if self.value() in ("active", "revoked"):
            return queryset.filter(revoked_at__isnull=self.value() == "active")
        return queryset


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "scope",
        "key_prefix",
        "allowed_ips",
        "rate_limit_per_minute",
        "last_used_at",
        "revoked",
    ]
    list_filter = ["scope", RevokedFilter]
    search_fields = ["name", "key_prefix"]
    fields = ["name", "scope", "allowed_ips", "rate_limit_per_minute"]
    readonly_fields = ["key_prefix", "created_at", "created_by", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        return self.fields + (self.readonly_fields if obj is not None else [])

    @admin.display(description=_("unieważniony"), boolean=True)
    def revoked(self, client: ApiClient) -> bool:
        return client.is_revoked

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # revoke instead: the batch log keeps naming the client

    def save_model(self, request, obj, form, change) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        client, key = services.api_client_create(
            name=obj.name,
            scope=obj.scope,
            allowed_ips=obj.allowed_ips,
            rate_limit_per_minute=obj.rate_limit_per_minute,
            audit=audit_context(request),
        )
        obj.pk = client.pk
        obj._new_key = key  # shown once by response_add, never stored

    def response_add(self, request, obj, post_url_continue=None):
        context = {
            **self.admin_site.each_context(request),
            "title": _("Klucz API"),
            "client": obj,
            "key": obj._new_key,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "feed/admin/api_client_key.html", context)

    @admin.action(description=_("Unieważnij wybrane klucze"))
    def revoke(self, request, queryset) -> None:
        audit = audit_context(request)
        run_for_each(
            self,
            request,
            queryset,
            lambda client: services.api_client_revoke(client=client, audit=audit),
            errors=(),
            success=str(_("Unieważniono kluczy: %(count)d.")),
        )


class ReconciliationInline(ReadOnlyInline):
    model = ReconciliationLine
    fields = ["company", "as_of", "core_balance", "portal_balance", "difference", "mismatch"]
    readonly_fields = fields
    show_change_link = False


class MismatchFilter(admin.SimpleListFilter):
    title = _("niezgodność sald")
    parameter_name = "mismatch"

    def lookups(self, request, model_admin):
        return [("yes", _("tak"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(reconciliation__mismatch=True).distinct()
        return queryset


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = [
        "started_at",
        "source",
        "origin",
        "status",
        "records",
        "created",
        "updated",
        "unchanged",
        "rejected",
        "duration",
        "mismatches_flag",
    ]
    list_filter = ["source", "status", MismatchFilter]
    date_hierarchy = "started_at"
    inlines = [ReconciliationInline]
    fields = [
        "source",
        "client",
        "file_name",
        "ip",
        "status",
        "started_at",
        "finished_at",
        "records",
        "created",
        "updated",
        "unchanged",
        "rejected",
        "companies_applied",
        "companies_rejected",
        "counts_pretty",
        "errors_pretty",
        "message",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("client")
            .annotate(mismatches=Count("reconciliation", filter=Q(reconciliation__mismatch=True)))
        )

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_staff and super().has_view_permission(request, obj)

    @admin.display(description=_("skąd"))
    def origin(self, batch: ImportBatch) -> str:
        return batch.file_name or (str(batch.client) if batch.client_id else "–")

    @admin.display(description=_("niezgodne salda"))
    def mismatches_flag(self, batch: ImportBatch) -> str:
        if not batch.mismatches:
            return "–"
        return format_html('<strong class="errornote">⚠ {}</strong>', batch.mismatches)

    @admin.display(description=_("liczby według rodzaju"))
    def counts_pretty(self, batch: ImportBatch) -> str:
        return format_html("<pre>{}</pre>", json.dumps(batch.counts, indent=2))

    @admin.display(description=_("błędy"))
    def errors_pretty(self, batch: ImportBatch) -> str:
        return format_html("<pre>{}</pre>", json.dumps(batch.errors, indent=2, ensure_ascii=False))


@admin.register(ReconciliationLine)
class ReconciliationLineAdmin(ReadOnlyAdmin):
    list_display = [
        "as_of",
        "company",
        "core_balance",
        "portal_balance",
        "difference",
        "flag",
        "resolved_at",
        "batch",
    ]
    list_filter = ["mismatch", ("resolved_at", admin.EmptyFieldListFilter), "as_of"]
    search_fields = ["company__name", "company__client_number"]
    list_select_related = ["company", "batch"]
    actions = ["mark_resolved"]

    @admin.display(description=_("niezgodność"))
    def flag(self, line: ReconciliationLine) -> str:
        if line.is_open:
            return format_html('<strong class="errornote">⚠ {}</strong>', _("do wyjaśnienia"))
        return _("wyjaśniona") if line.mismatch else _("zgodne")

    @admin.action(description=_("Oznacz niezgodność jako wyjaśnioną"))
    def mark_resolved(self, request, queryset) -> None:
        count = queryset.filter(mismatch=True, resolved_at__isnull=True).update(
            resolved_at=timezone.now()
        )
        self.message_user(request, _("Oznaczono jako wyjaśnione: %(count)d.") % {"count": count})
