"""The audit log in the back office: read-only for everyone."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ebok.admin_tools import ReadOnlyAdmin

from ..audit import action_choices, action_label
from ..models import AuditEntry


class AuditActionFilter(admin.SimpleListFilter):
    title = _("zdarzenie")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return action_choices()

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """The audit log: staff browse and filter it; nobody adds, edits or deletes entries."""

    list_display = ["created_at", "event", "actor", "company", "object_repr", "ip"]
    list_filter = [AuditActionFilter, "created_at"]
    search_fields = [
        "actor",
        "action",
        "object_repr",
        "object_id",
        "ip",
        "company__client_number",
        "company__name",
        "user__last_name",
    ]
    search_help_text = _("Szukaj po użytkowniku, zdarzeniu, obiekcie, adresie IP lub firmie.")
    date_hierarchy = "created_at"
    list_select_related = ["company", "user"]
    readonly_fields = [
        "created_at",
        "event",
        "action",
        "user",
        "company",
        "actor",
        "object_type",
        "object_id",
        "object_repr",
        "ip",
        "user_agent",
        "details",
    ]
    fields = readonly_fields
    show_full_result_count = False

    @admin.display(description=_("zdarzenie"), ordering="action")
    def event(self, entry: AuditEntry) -> str:
        return action_label(entry.action)

    def get_actions(self, request: HttpRequest):
        return {}
