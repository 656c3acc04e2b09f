"""Company administration in the portal: the users of the admin's own company, and its log.

Every view is `client_required(Perm.ADMIN)`; users are looked up within the admin's company
(anyone else's: 404) and every change goes through `accounts.company.services`, which checks
the rules again. Adding a user, granting admin and changing a phone number are confirmed with the
admin's SMS code bound to exactly that change (`accounts.stepup.StepUp`).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ebok.export_views import export_response
from ebok.exports import export_params
from ebok.http import htmx_redirect
from ebok.lists import paginate, render_list

from .. import selectors
from ..audit import Action, audit_context, audit_log
from ..notices.views import preferences_page
from ..permissions import Perm, client_required
from ..view_helpers import StepUp
from . import exports
from . import services as company_services
from .forms import AuditFilterForm, CompanyUserFilterForm, CompanyUserForm
from .services import CompanyUserError

CANCEL_FIELD = "stepup_cancel"


def _form_page(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    # An HTMX post replaces only the form (with its step-up part); a plain post gets the page.
    if getattr(request, "htmx", False):
        template = f"{template}#user-form"
    return render(request, template, context)


def _stepup(request: HttpRequest, form: CompanyUserForm, operation: str, summary: str):
    """The step-up for a valid form, or None when the admin went back to edit the data."""
    if CANCEL_FIELD in request.POST:
        return None
    payload = {"company": request.user.company_id, **form.cleaned_data}
    if form.user is not None:
        payload["user"] = form.user.pk
    return StepUp(request, operation=operation, payload=payload, summary=summary)


@require_GET
@client_required(Perm.ADMIN)
def user_list(request: HttpRequest) -> HttpResponse:
    form = CompanyUserFilterForm(request.GET)
    users = selectors.company_users(company=request.user.company, filters=form.filters())
    context = {"form": form, "page_obj": paginate(users, form.page_number), "section": "users"}
    return render_list(request, "accounts/company/users.html", context, partial="results")


@never_cache
@require_http_methods(["GET", "POST"])
@client_required(Perm.ADMIN)
def user_add(request: HttpRequest) -> HttpResponse:
    form = CompanyUserForm(request.POST or None, company=request.user.company)
    stepup = None
    if request.method == "POST" and form.is_valid():
        summary = _("dodanie użytkownika %(login)s") % {"login": form.cleaned_data["login"]}
        stepup = _stepup(request, form, "company_user_add", summary)
        if stepup is not None and stepup.confirmed():
            try:
                user = company_services.company_user_create(
                    actor=request.user,
                    login=form.cleaned_data["login"],
                    **form.person(),
                    permissions=form.permissions(),
                    audit=audit_context(request),
                )
            except CompanyUserError as error:
                form.add_error(None, str(error))
                stepup = None
            else:
                messages.success(
                    request,
                    _(
                        "Dodano użytkownika %(name)s. Hasło jednorazowe do pierwszego logowania "
                        "wysłaliśmy SMS-em, a login e-mailem."
                    )
                    % {"name": user.get_full_name()},
                )
                return htmx_redirect(request, reverse("accounts:company_user", args=[user.pk]))
    context = {"form": form, "stepup": stepup, "section": "users"}
    return _form_page(request, "accounts/company/user_add.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@client_required(Perm.ADMIN)
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The user's state, actions and the form of their data and permissions."""
    company = request.user.company
    target = selectors.get_company_user(company=company, pk=pk)
    form = CompanyUserForm(request.POST or None, company=company, user=target)
    stepup = None
    if request.method == "POST" and form.is_valid():
        reasons = company_services.stepup_reasons(
            user=target, phone=form.cleaned_data["phone"], permissions=form.permissions()
        )
        confirmed = True
        if reasons and target.pk != request.user.pk:
            summary = _("zmiana danych użytkownika %(login)s") % {"login": target.login}
            stepup = _stepup(request, form, "company_user_update", summary)
            confirmed = stepup is not None and stepup.confirmed()
        if confirmed:
            saved = _user_update(request, form, target)
            if saved is not None:
                return saved
            stepup = None
    context = {
        "form": form,
        "stepup": stepup,
        "target": target,
        "is_self": target.pk == request.user.pk,
        "section": "users",
    }
    return _form_page(request, "accounts/company/user_detail.html", context)


def _user_update(request: HttpRequest, form: CompanyUserForm, target) -> HttpResponse | None:
    """Save the confirmed form: the redirect to the user's page, or None (the error is on the
    form) when a rule of company administration refused the change."""
    try:
        changed = company_services.company_user_update(
            actor=request.user,
            user=target,
            **form.person(),
            permissions=form.permissions(),
            audit=audit_context(request),
        )
    except CompanyUserError as error:
        form.add_error(None, str(error))
        return None
    if "email_pending" in changed:
        messages.info(
            request,
            _(
                "Na nowy adres e-mail wysłaliśmy link potwierdzający. Adres zmieni "
                "się, gdy użytkownik otworzy ten link."
            ),
        )
    if changed:
        messages.success(request, _("Zapisano zmiany."))
    else:
        messages.info(request, _("Nic się nie zmieniło."))
    return htmx_redirect(request, reverse("accounts:company_user", args=[target.pk]))


def _user_action(request: HttpRequest, pk: int, service, success: str) -> HttpResponse:
    target = selectors.get_company_user(company=request.user.company, pk=pk)
    try:
        service(actor=request.user, user=target, audit=audit_context(request))
    except CompanyUserError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success % {"name": target.get_full_name() or target.login})
    return htmx_redirect(request, reverse("accounts:company_user", args=[target.pk]))


@require_POST
@client_required(Perm.ADMIN)
def user_lock(request: HttpRequest, pk: int) -> HttpResponse:
    return _user_action(
        request,
        pk,
        company_services.company_user_lock,
        _("Zablokowano dostęp użytkownika %(name)s."),
    )


@require_POST
@client_required(Perm.ADMIN)
def user_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    return _user_action(
        request,
        pk,
        company_services.company_user_unlock,
        _("Odblokowano dostęp użytkownika %(name)s."),
    )


@require_POST
@client_required(Perm.ADMIN)
def user_reinvite(request: HttpRequest, pk: int) -> HttpResponse:
    return _user_action(
        request,
        pk,
        company_services.company_user_reinvite,
        _(
            "Wysłaliśmy nowe hasło jednorazowe użytkownikowi %(name)s. Przy logowaniu ustawi "
            "własne hasło."
        ),
    )


@never_cache
@require_http_methods(["GET", "POST"])
@client_required(Perm.ADMIN)
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    target = selectors.get_company_user(company=request.user.company, pk=pk)
    error = ""
    if request.method == "POST":
        try:
            company_services.company_user_deactivate(
                actor=request.user, user=target, audit=audit_context(request)
            )
        except CompanyUserError as exc:
            error = str(exc)
        else:
            messages.success(
                request,
                _("Konto użytkownika %(name)s jest nieaktywne.")
                % {"name": target.get_full_name() or target.login},
            )
            return htmx_redirect(request, reverse("accounts:company_users"))
    context = {"target": target, "error": error, "section": "users"}
    return render(request, "accounts/company/user_deactivate.html", context)


@require_GET
@client_required(Perm.ADMIN)
def audit_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET, company=request.user.company)
    entries = selectors.company_audit_list(company=request.user.company, filters=form.filters())
    context = {"form": form, "page_obj": paginate(entries, form.page_number), "section": "audit"}
    return render_list(request, "accounts/company/audit.html", context, partial="results")


@require_GET
@client_required(Perm.ADMIN)
def audit_xlsx(request: HttpRequest) -> HttpResponse:
    params = export_params(AuditFilterForm(request.GET, company=request.user.company))
    # Reading the whole log out of the portal is itself worth a line in the log: with the
    # filters as applied (cleaned and bounded), never the raw query string.
    applied = {name: values for name, values in params.items() if any(values)}
    audit_log(
        audit=audit_context(request), action=Action.AUDIT_EXPORTED, details={"filters": applied}
    )
    return export_response(request, kind=exports.COMPANY_AUDIT, params=params)


@never_cache
@require_http_methods(["GET", "POST"])
@client_required(Perm.ADMIN)
def user_notifications(request: HttpRequest, pk: int) -> HttpResponse:
    """A company user's notification preferences, seen and set by their administrator."""
    target = selectors.get_company_user(company=request.user.company, pk=pk)
    return preferences_page(
        request,
        target=target,
        template="accounts/company/user_notifications.html",
        extra={"section": "users"},
    )
