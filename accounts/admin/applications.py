"""Access applications (staff approve or reject them) and the consent history."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ebok.admin_tools import (
    ReadOnlyAdmin,
    action_form_response,
    action_form_submitted,
    run_for_each,
)

from ..audit import audit_context
from ..models import AccessApplication, Company, Consent
from ..public.services import (
    AccessApplicationError,
    access_application_approve,
    access_application_reject,
    application_company,
)


class RejectApplicationForm(forms.Form):
    reason = forms.CharField(
        label=_("Powód odrzucenia (wyślemy go wnioskodawcy e-mailem)"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        max_length=1000,
        error_messages={"required": _("Podaj powód odrzucenia.")},
    )


@admin.register(AccessApplication)
class AccessApplicationAdmin(admin.ModelAdmin):
    """Staff verify applications: the company and contract check is shown, not decided for
    them; approving creates the company's admin, rejecting e-mails the reason."""

    list_display = ["created_at", "status", "applicant", "nip", "contract_number", "matches"]
    list_filter = ["status", "created_at"]
    search_fields = ["nip", "contract_number", "last_name", "email", "phone"]
    search_help_text = _("Szukaj po NIP, numerze umowy, nazwisku, e-mailu lub telefonie.")
    date_hierarchy = "created_at"
    actions = ["approve", "reject"]
    readonly_fields = [
        "status",
        "matches",
        "nip",
        "contract_number",
        "first_name",
        "last_name",
        "email",
        "phone",
        "terms_accepted_at",
        "marketing_consent",
        "created_at",
        "ip",
        "user_agent",
        "decided_at",
        "decided_by",
        "reject_reason",
        "company",
        "created_user",
    ]
    fieldsets = [
        (None, {"fields": ["status", "matches"]}),
        (_("Firma"), {"fields": ["nip", "contract_number"]}),
        (
            _("Przyszły administrator"),
            {"fields": ["first_name", "last_name", "email", "phone"]},
        ),
        (_("Zgody"), {"fields": ["terms_accepted_at", "marketing_consent"]}),
        (_("Złożenie"), {"fields": ["created_at", "ip", "user_agent"]}),
        (
            _("Decyzja"),
            {"fields": ["decided_at", "decided_by", "reject_reason", "company", "created_user"]},
        ),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("wnioskodawca"))
    def applicant(self, application: AccessApplication) -> str:
        return f"{application.first_name} {application.last_name}"

    @admin.display(description=_("weryfikacja danych"))
    def matches(self, application: AccessApplication) -> str:
        company = application_company(application)
        if company is not None:
            icon, text = "yes", _("umowa należy do firmy %(company)s") % {"company": company}
        elif Company.objects.filter(nip=application.nip).exists():
            icon, text = "alert", _("firma istnieje, ale nie ma takiej umowy")
        else:
            icon, text = "no", _("brak firmy o tym NIP")
        src = static(f"admin/img/icon-{icon}.svg")
        return format_html('<img src="{}" alt="" width="13" height="13"> {}', src, text)

    @admin.action(description=_("Zatwierdź: utwórz administratora firmy i wyślij dostęp"))
    def approve(self, request: HttpRequest, queryset: QuerySet[AccessApplication]) -> None:
        audit = audit_context(request)
        run_for_each(
            self,
            request,
            queryset,
            lambda application: access_application_approve(
                application=application, by=request.user, audit=audit
            ),
            errors=(AccessApplicationError,),
            success=_("Zatwierdzono wnioski: %(count)d. Wysłano SMS z hasłem jednorazowym."),
        )

    @admin.action(description=_("Odrzuć z podaniem powodu (e-mail do wnioskodawcy)"))
    def reject(self, request: HttpRequest, queryset: QuerySet[AccessApplication]):
        form = RejectApplicationForm(request.POST if action_form_submitted(request) else None)
        if action_form_submitted(request) and form.is_valid():
            reason = form.cleaned_data["reason"]
            audit = audit_context(request)
            run_for_each(
                self,
                request,
                queryset,
                lambda application: access_application_reject(
                    application=application, by=request.user, reason=reason, audit=audit
                ),
                errors=(AccessApplicationError,),
                success=_("Odrzucono wnioski: %(count)d. Wnioskodawcy dostali e-mail z powodem."),
            )
            return None
        return action_form_response(
            self,
            request,
            queryset,
            form,
            title=_("Odrzucenie wniosków o nadanie dostępu"),
            action="reject",
            submit_label=_("Odrzuć i wyślij e-mail"),
        )


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    """Consent history: who gave or withdrew what and when. Rows are only ever added."""

    list_display = [
        "created_at",
        "company",
        "user",
        "kind",
        "granted",
        "version",
        "by",
        "source",
        "ip",
    ]
    list_filter = ["kind", "granted", "source"]
    search_fields = ["company__client_number", "company__name", "user__last_name", "user__login"]
    list_select_related = ["company", "user", "by"]
    date_hierarchy = "created_at"

    def get_actions(self, request: HttpRequest):
        return {}
