"""Self-registrations in the back office: every attempt, its check, and revoking a pending one."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ebok.admin_tools import run_for_each

from ..audit import audit_context, mismatch_text
from ..models import Registration
from ..public.registration import RegistrationError, registration_revoke


class PendingFilter(admin.SimpleListFilter):
    title = _("link")
    parameter_name = "link"

    def lookups(self, request, model_admin):
        return [("live", _("działa (oczekuje na aktywację)")), ("expired", _("wygasł"))]

    def queryset(self, request, queryset):
        pending = queryset.filter(status=Registration.Status.PENDING)
        if self.value() == "live":
            return pending.filter(expires_at__gt=timezone.now())
        if self.value() == "expired":
            return pending.filter(expires_at__lte=timezone.now())
        return queryset


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    """Staff see every self-registration attempt and what its check found; a pending one
    (link sent, not yet activated) can be revoked, and its link stops working."""

    list_display = [
        "created_at",
        "status",
        "client_number",
        "company",
        "email",
        "mismatch_list",
        "expires_at",
        "user",
        "ip",
    ]
    list_filter = [PendingFilter, "status", "created_at"]
    list_select_related = ["company", "user"]
    search_fields = ["client_number", "nip", "email", "invoice_number", "company__name"]
    search_help_text = _(
        "Szukaj po numerze klienta, NIP, e-mailu, numerze faktury lub nazwie firmy."
    )
    date_hierarchy = "created_at"
    actions = ["revoke"]
    fieldsets = [
        (None, {"fields": ["status", "company", "mismatch_list", "checked_at"]}),
        (
            _("Podane dane"),
            {
                "fields": [
                    "client_number",
                    "nip",
                    "invoice_number",
                    "invoice_gross",
                    "email",
                    "phone",
                ]
            },
        ),
        (_("Zgody"), {"fields": ["terms_version", "privacy_version"]}),
        (_("Złożenie"), {"fields": ["created_at", "ip", "user_agent", "language"]}),
        (
            _("Aktywacja"),
            {"fields": ["expires_at", "user", "activated_at", "revoked_at", "revoked_by"]},
        ),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        return [f for _name, options in self.fieldsets for f in options["fields"]]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("niezgodne dane"))
    def mismatch_list(self, registration: Registration) -> str:
        if registration.status == Registration.Status.CHECKING:
            return "…"
        return mismatch_text(registration.mismatches)

    @admin.action(
        description=_("Unieważnij rejestrację (link aktywacyjny przestanie działać)"),
        permissions=["change"],
    )
    def revoke(self, request: HttpRequest, queryset: QuerySet[Registration]) -> None:
        audit = audit_context(request)
        run_for_each(
            self,
            request,
            queryset,
            lambda registration: registration_revoke(
                registration=registration, by=request.user, audit=audit
            ),
            errors=(RegistrationError,),
            success=_("Unieważniono rejestracje: %(count)d."),
        )
