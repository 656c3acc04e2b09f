"""Client pages of applications and cases: the list, submitting ("Złóż nowy wniosek", "Kontakt"),
the SMS confirmation of critical requests, the detail with its thread, and file downloads.

Every view needs Perm.REQUESTS and reads through `requests_app.selectors`, scoped to the
user's company and visible contracts (another company's application or file: 404).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.audit import audit_context
from accounts.permissions import Perm, client_required
from accounts.view_helpers import StepUp
from contracts.selectors import visible_contract_numbers
from ebok.export_views import export_response
from ebok.exports import export_params
from ebok.lists import paginate, pk_url, render_list
from ebok.uploads import limited_uploads

from . import exports, fieldtypes, selectors, services
from .forms import ApplicationFilterForm, ApplicationForm, ContactForm, ReplyForm, new_token
from .models import Application

STEPUP_OPERATION = "application_submit"


@require_GET
@client_required(Perm.REQUESTS)
def application_list(request: HttpRequest) -> HttpResponse:
    form = ApplicationFilterForm(request.GET)
    applications = selectors.application_list(user=request.user, filters=form.filters())
    page = paginate(applications, form.page_number)
    detail_url = pk_url("requests_app:detail")
    for application in page:
        application.url = detail_url(application.pk)
    context = {
        "form": form,
        "page_obj": page,
        "contract_numbers": visible_contract_numbers(user=request.user),
    }
    return render_list(request, "requests_app/list.html", context, partial="results")


def _initial(query) -> dict:
    initial = {key: query.get(key) for key in query if not key.startswith("csrf")}
    initial.setdefault("token", new_token())
    return initial


def _form_page(request: HttpRequest, template: str, form) -> HttpResponse:
    if getattr(request, "htmx", False) and request.method == "GET":
        template += "#submit-form"
    return render(request, template, {"form": form})


@limited_uploads
@require_http_methods(["GET", "POST"])
@client_required(Perm.REQUESTS)
def application_new(request: HttpRequest) -> HttpResponse:
    """Złóż nowy wniosek: the form follows the chosen type and contract (HTMX or reload)."""
    if request.method == "POST":
        form = ApplicationForm(
            request.POST, request.FILES, user=request.user, refused=request.refused_uploads
        )
        if form.is_valid():
            return _submit(request, form)
    else:
        form = ApplicationForm(user=request.user, initial=_initial(request.GET))
    return _form_page(request, "requests_app/new.html", form)


@limited_uploads
@require_http_methods(["GET", "POST"])
@client_required(Perm.REQUESTS)
def contact_new(request: HttpRequest) -> HttpResponse:
    """Kontakt: a message to the lessor on a topic, with attachments."""
    if request.method == "POST":
        form = ContactForm(
            request.POST, request.FILES, user=request.user, refused=request.refused_uploads
        )
        if form.is_valid():
            return _submit(request, form)
    else:
        form = ContactForm(user=request.user, initial=_initial(request.GET))
    return _form_page(request, "requests_app/contact.html", form)


def _submit(request: HttpRequest, form) -> HttpResponse:
    application, _created = services.application_submit(
        user=request.user,
        submission=form.submission(),
        token=form.cleaned_data["token"],
        audit=audit_context(request),
    )
    if application.is_draft:
        stepup = _stepup(request, application)
        stepup.confirmed()  # no code in this POST: the code is sent
        return _confirm_page(request, application, stepup)
    messages.success(request, _sent_message(application))
    return redirect("requests_app:detail", pk=application.pk)


def _sent_message(application: Application) -> str:
    return _("Wysłaliśmy Twój wniosek. Numer: %(number)s.") % {"number": application.number}


def _stepup(request: HttpRequest, application: Application) -> StepUp:
    return StepUp(
        request,
        operation=STEPUP_OPERATION,
        payload=services.application_content_digest(application),
        summary=_("wniosek: %(type)s") % {"type": application.type_name},
    )


def _confirm_page(request: HttpRequest, application: Application, stepup) -> HttpResponse:
    context = {"application": application, "stepup": stepup, "entries": _entries(application)}
    return render(request, "requests_app/confirm.html", context)


@require_http_methods(["GET", "POST"])
@client_required(Perm.REQUESTS)
def application_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """The SMS code of a critical request (only its author confirms it)."""
    application = selectors.get_application_for_user(user=request.user, pk=pk)
    if not application.is_draft or application.submitted_by_id != request.user.pk:
        return redirect("requests_app:detail", pk=application.pk)
    stepup = None
    if request.method == "POST":
        stepup = _stepup(request, application)
        if stepup.confirmed():
            services.application_confirm(
                application=application, user=request.user, audit=audit_context(request)
            )
            application.refresh_from_db()
            messages.success(request, _sent_message(application))
            return redirect("requests_app:detail", pk=application.pk)
    return _confirm_page(request, application, stepup)


def _entries(application: Application) -> list[tuple[str, str]]:
    return [(fieldtypes.entry_label(e), fieldtypes.display(e)) for e in application.values]


def _detail_page(request: HttpRequest, application: Application, reply_form) -> HttpResponse:
    context = {
        "application": application,
        "entries": _entries(application),
        "files": selectors.application_files(application),
        "history": selectors.application_history(application),
        "thread": selectors.application_thread(application),
        "reply_form": reply_form,
    }
    return render(request, "requests_app/detail.html", context)


@require_GET
@client_required(Perm.REQUESTS)
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.get_application_for_user(user=request.user, pk=pk)
    if application.is_draft:
        return redirect("requests_app:confirm", pk=application.pk)
    services.application_mark_read(application=application)
    return _detail_page(request, application, ReplyForm())


@limited_uploads
@require_POST
@client_required(Perm.REQUESTS)
def application_reply(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.get_application_for_user(user=request.user, pk=pk)
    form = ReplyForm(request.POST, request.FILES, refused=request.refused_uploads)
    if form.is_valid():
        try:
            services.application_reply(
                application=application,
                user=request.user,
                body=form.cleaned_data["body"],
                files=[checked for _key, checked in form.checked_files()],
                audit=audit_context(request),
            )
        except services.ApplicationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Wysłaliśmy Twoją odpowiedź."))
        return redirect("requests_app:detail", pk=application.pk)
    return _detail_page(request, application, form)


@require_GET
@client_required(Perm.REQUESTS)
def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    """One file, whole (Content-Length from the stored file), as a download; reads only."""
    attachment = selectors.get_attachment_for_user(user=request.user, pk=pk)
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )


@require_GET
@client_required(Perm.REQUESTS)
def applications_xlsx(request: HttpRequest) -> HttpResponse:
    return export_response(
        request, kind=exports.APPLICATIONS, params=export_params(ApplicationFilterForm(request.GET))
    )
