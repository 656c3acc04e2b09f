"""The back office's queue of clients' requests and cases.

Staff filter the queue (type, status, age, assignee), take or assign requests and reject them
in bulk; one request is worked on its "Obsługa" page: answer, ask the client for more,
complete with an answer and files, reject with a reason. Every step goes through
`requests_app.services`: status history, audit log and the client's notification included.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.audit import audit_context
from ebok.admin_tools import action_form_response, action_form_submitted, run_for_each
from ebok.uploads import FilesField, check_files

from .. import selectors, services
from ..models import Application, Attachment


class AgeFilter(admin.SimpleListFilter):
    title = _("wiek")
    parameter_name = "age"

    def lookups(self, request, model_admin):
        return [
            ("1", _("do 1 dnia")),
            ("3", _("1–3 dni")),
            ("7", _("3–7 dni")),
            ("older", _("ponad 7 dni")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        bounds = {"1": (0, 1), "3": (1, 3), "7": (3, 7)}
        if self.value() in bounds:
            low, high = bounds[self.value()]
            return queryset.filter(
                submitted_at__gt=now - dt.timedelta(days=high),
                submitted_at__lte=now - dt.timedelta(days=low),
            )
        if self.value() == "older":
            return queryset.filter(submitted_at__lte=now - dt.timedelta(days=7))
        return queryset


class AssigneeFilter(admin.SimpleListFilter):
    title = _("prowadzi")
    parameter_name = "assignee"

    def lookups(self, request, model_admin):
        staff = get_user_model().objects.filter(is_staff=True, company__isnull=True)
        return [
            ("me", _("ja")),
            ("none", _("nikt (do wzięcia)")),
            *[(str(u.pk), u.get_full_name() or u.username) for u in staff.order_by("username")],
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "me":
            return queryset.filter(assignee=request.user)
        if value == "none":
            return queryset.filter(assignee__isnull=True)
        if value and value.isdigit():
            return queryset.filter(assignee_id=int(value))
        return queryset


class OpenFilter(admin.SimpleListFilter):
    title = _("otwarte")
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("yes", _("otwarte")), ("reply", _("z nową odpowiedzią klienta"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(status__in=Application.OPEN_STATUSES)
        if self.value() == "reply":
            return queryset.filter(staff_unread__gt=0)
        return queryset


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Pracownik"),
        queryset=get_user_model().objects.none(),
        error_messages={"required": _("Wybierz pracownika.")},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = get_user_model().objects.filter(
            is_staff=True, is_active=True, company__isnull=True
        )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Powód odrzucenia (zobaczy go klient)"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        max_length=4000,
        error_messages={"required": _("Podaj powód odrzucenia.")},
    )


class ProcessForm(forms.Form):
    """One step of the lessor's work on a request, with an optional answer and files."""

    REPLY, ASK, COMPLETE, REJECT = "reply", "ask", "complete", "reject"
    step = forms.ChoiceField(
        label=_("Co robisz"),
        widget=forms.RadioSelect,
        choices=[
            (REPLY, _("odpowiedz (bez zmiany statusu)")),
            (ASK, _("poproś klienta o uzupełnienie (status: oczekuje na klienta)")),
            (COMPLETE, _("zrealizuj z odpowiedzią (status: zrealizowany)")),
            (REJECT, _("odrzuć z podaniem powodu (status: odrzucony)")),
        ],
    )
    text = forms.CharField(
        label=_("Treść dla klienta"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"] = FilesField(
            multiple=True, required=False, label=_("Załączniki")
        )

    def clean(self):
        cleaned = super().clean()
        step = cleaned.get("step")
        if step in (self.REPLY, self.ASK, self.REJECT) and not cleaned.get("text", "").strip():
            self.add_error("text", _("Ten krok wymaga treści dla klienta."))
        if step == self.REJECT and cleaned.get("attachments"):
            self.add_error("attachments", _("Odrzucenie nie ma załączników."))
        try:
            cleaned["checked"] = check_files(cleaned.get("attachments") or [])
        except ValidationError as error:
            self.add_error("attachments", error)
        return cleaned


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "kind",
        "what",
        "company",
        "contract",
        "status",
        "submitted_at",
        "age",
        "assignee",
        "staff_unread",
    ]
    list_display_links = ["number"]
    list_filter = [OpenFilter, "status", "kind", "request_type", AgeFilter, AssigneeFilter]
    list_select_related = ["request_type", "company", "contract", "assignee"]
    search_fields = [
        "number",
        "subject",
        "company__name",
        "company__client_number",
        "contract__number",
    ]
    search_help_text = _("Szukaj po numerze, tytule, firmie, numerze klienta lub umowy.")
    date_hierarchy = "submitted_at"
    ordering = ["-staff_unread", "submitted_at"]
    actions = ["take", "assign", "reject"]
    readonly_fields = [
        "number",
        "kind",
        "request_type",
        "topic",
        "company",
        "contract",
        "submitted_by",
        "subject",
        "body",
        "answers",
        "fee_net",
        "fee_gross",
        "handling_days",
        "status",
        "assignee",
        "submitted_at",
        "updated_at",
        "closed_at",
        "work",
    ]
    fieldsets = [
        (None, {"fields": ["work", "number", "status", "assignee"]}),
        (
            _("Wniosek"),
            {
                "fields": [
                    "kind",
                    "request_type",
                    "topic",
                    "company",
                    "contract",
                    "submitted_by",
                    "subject",
                    "body",
                    "answers",
                    ("fee_net", "fee_gross", "handling_days"),
                ]
            },
        ),
        (_("Daty"), {"fields": ["submitted_at", "updated_at", "closed_at"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Application]:
        return super().get_queryset(request).exclude(status=Application.Status.DRAFT)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # read-only page; the work happens through actions and "Obsługa"

    @admin.display(description=_("rodzaj wniosku / temat"))
    def what(self, application: Application) -> str:
        return application.type_name

    @admin.display(description=_("wiek"))
    def age(self, application: Application) -> str:
        if not application.submitted_at:
            return "–"
        end = application.closed_at or timezone.now()
        days = (end - application.submitted_at).days
        return _("%(days)d dni") % {"days": days}

    @admin.display(description=_("odpowiedzi klienta"))
    def answers(self, application: Application) -> str:
        return render_to_string(
            "admin/requests_app/answers.html",
            {"rows": _answer_rows(application)},
        )

    @admin.display(description=_("obsługa"))
    def work(self, application: Application) -> str:
        return render_to_string(
            "admin/requests_app/work.html",
            {
                "application": application,
                "process_url": reverse(
                    "admin:requests_app_application_process", args=[application.pk]
                ),
                "files": selectors.application_files(application),
                "history": selectors.application_history(application),
                "thread": selectors.application_thread(application),
            },
        )

    def get_urls(self):
        own = [
            path(
                "<int:pk>/obsluga/",
                self.admin_site.admin_view(self.process_view),
                name="requests_app_application_process",
            ),
            path(
                "zalacznik/<int:pk>/",
                self.admin_site.admin_view(self.attachment_view),
                name="requests_app_attachment_download",
            ),
        ]
        return own + super().get_urls()

    def process_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_view_permission(request):
            raise Http404
        application = get_object_or_404(self.get_queryset(request), pk=pk)
        form = ProcessForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                _run_step(
                    application, form.cleaned_data, by=request.user, audit=audit_context(request)
                )
            except services.ApplicationError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("Zapisano. Klient dostał powiadomienie."))
                url = reverse("admin:requests_app_application_change", args=[pk])
                return HttpResponseRedirect(url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Obsługa: %(application)s") % {"application": application},
            "application": application,
            "form": form,
            "thread": selectors.application_thread(application),
        }
        return TemplateResponse(request, "admin/requests_app/process.html", context)

    def attachment_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_view_permission(request):
            raise Http404
        attachment = get_object_or_404(Attachment, pk=pk)
        return FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.name,
            content_type=attachment.content_type,
        )

    @admin.action(description=_("Weź do realizacji (przypisz do mnie, status: w toku)"))
    def take(self, request: HttpRequest, queryset: QuerySet[Application]) -> None:
        audit = audit_context(request)
        run_for_each(
            self,
            request,
            queryset,
            lambda application: services.application_take(
                application=application, by=request.user, audit=audit
            ),
            errors=(services.ApplicationError,),
            success=_("Wzięte do realizacji: %(count)d."),
        )

    @admin.action(description=_("Przypisz pracownikowi"))
    def assign(self, request: HttpRequest, queryset: QuerySet[Application]):
        form = AssignForm(request.POST if action_form_submitted(request) else None)
        if action_form_submitted(request) and form.is_valid():
            audit = audit_context(request)
            assignee = form.cleaned_data["assignee"]
            run_for_each(
                self,
                request,
                queryset,
                lambda application: services.application_assign(
                    application=application, assignee=assignee, by=request.user, audit=audit
                ),
                errors=(services.ApplicationError,),
                success=_("Przypisano: %(count)d."),
            )
            return None
        return action_form_response(
            self,
            request,
            queryset,
            form,
            title=_("Przypisanie wniosków"),
            action="assign",
            submit_label=_("Przypisz"),
        )

    @admin.action(description=_("Odrzuć z podaniem powodu"))
    def reject(self, request: HttpRequest, queryset: QuerySet[Application]):
        form = RejectForm(request.POST if action_form_submitted(request) else None)
        if action_form_submitted(request) and form.is_valid():
            audit = audit_context(request)
            reason = form.cleaned_data["reason"]
            run_for_each(
                self,
                request,
                queryset,
                lambda application: services.application_reject(
                    application=application, by=request.user, reason=reason, audit=audit
                ),
                errors=(services.ApplicationError,),
                success=_("Odrzucono: %(count)d. Klienci dostali powiadomienie."),
            )
            return None
        return action_form_response(
            self,
            request,
            queryset,
            form,
            title=_("Odrzucenie wniosków"),
            action="reject",
            submit_label=_("Odrzuć"),
        )


def _answer_rows(application: Application) -> list[tuple[str, str]]:
    from .. import fieldtypes

    return [(fieldtypes.entry_label(e), fieldtypes.display(e)) for e in application.values]


def _run_step(application: Application, cleaned: dict, *, by, audit) -> None:
    step, text, files = cleaned["step"], cleaned.get("text", ""), cleaned.get("checked") or []
    if step == ProcessForm.REPLY:
        services.application_staff_reply(
            application=application, by=by, body=text, files=files, audit=audit
        )
    elif step == ProcessForm.ASK:
        services.application_ask_client(
            application=application, by=by, question=text, files=files, audit=audit
        )
    elif step == ProcessForm.COMPLETE:
        services.application_complete(
            application=application, by=by, answer=text, files=files, audit=audit
        )
    else:
        services.application_reject(application=application, by=by, reason=text, audit=audit)
