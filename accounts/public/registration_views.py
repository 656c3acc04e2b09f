"""Self-registration pages: the form, the neutral answer, and the activation from the link.

The form's POST is answered with a redirect to one fixed page whatever the data named (the
check runs later, in a worker: accounts.public.registration). Limits: per client IP and per
client number (django-ratelimit, in the cache shared by all web processes).

The e-mailed link is checked, its token kept in the session and moved out of the address bar;
then the person chooses a login and a password and confirms the phone with an SMS code.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..audit import audit_context
from ..codes import Check, masked_phone
from ..password_policy import password_policy_help
from ..ratelimit import over_limit
from ..signin.forms import SmsCodeForm
from ..view_helpers import check_message, flash_issue_messages
from . import registration as services
from .forms import RegistrationCredentialsForm, RegistrationForm
from .registration import RegistrationAction

REGISTRATION_SESSION = "ebok_registration"


def _too_many(request: HttpRequest, *, per_client_number: bool = False) -> HttpResponse:
    context = {"per_client_number": per_client_number}
    return render(request, "accounts/selfservice/ratelimited.html", context, status=429)


def _activation_limited(request: HttpRequest) -> bool:
    # The steps after the link: a person may retype a password or a code a few times, and
    # the link and the SMS lockout guard them already; the sign-in pages' limit fits.
    return over_limit(
        request,
        group="accounts.registration.activation",
        rate=settings.SIGNIN_RATE_LIMIT,
        action=RegistrationAction.RATE_LIMITED,
    )


def _limited(request: HttpRequest, client_number: str | None = None) -> bool:
    if client_number is None:
        return over_limit(
            request,
            group="accounts.registration",
            rate=settings.REGISTRATION_RATE_LIMIT,
            action=RegistrationAction.RATE_LIMITED,
        )
    return over_limit(
        request,
        group="accounts.registration.client_number",
        rate=settings.REGISTRATION_CLIENT_RATE_LIMIT,
        action=RegistrationAction.RATE_LIMITED,
        key=client_number,
        details={"client_number": client_number},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def registration(request: HttpRequest) -> HttpResponse:
    if _limited(request):
        return _too_many(request)
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _limited(request, form.cleaned_data["client_number"]):
            return _too_many(request, per_client_number=True)
        services.registration_submit(
            **form.submitted(),
            language=translation.get_language() or "",
            audit=audit_context(request),
        )
        return redirect("accounts:registration_sent")
    context = {"form": form, "invoice_days": settings.REGISTRATION_INVOICE_DAYS}
    return render(request, "accounts/selfservice/registration.html", context)


@require_GET
def registration_sent(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/selfservice/registration_sent.html",
        {"valid_hours": settings.REGISTRATION_LINK_VALID_HOURS},
    )


@require_GET
def privacy_notice(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/selfservice/privacy_notice.html",
        {"version": settings.PRIVACY_NOTICE_VERSION},
    )


# --- Activation ---------------------------------------------------------------------------------


@never_cache
@require_GET
def registration_link(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mailed link: keep the token in the session, out of the URL (history, Referer)."""
    if services.registration_by_token(token) is None:
        return _invalid_link(request)
    request.session[REGISTRATION_SESSION] = token
    return redirect("accounts:registration_activate")


def _invalid_link(request: HttpRequest, status: int = 400) -> HttpResponse:
    request.session.pop(REGISTRATION_SESSION, None)
    return render(request, "accounts/selfservice/registration_invalid.html", status=status)


def _current(request: HttpRequest):
    """The registration whose link was opened in this session, while the link works."""
    return services.registration_by_token(request.session.get(REGISTRATION_SESSION, ""))


@never_cache
@require_http_methods(["GET", "POST"])
def registration_activate(request: HttpRequest) -> HttpResponse:
    if _activation_limited(request):
        return _too_many(request)
    registration = _current(request)
    if registration is None:
        return _invalid_link(request)
    initial = {}
    if registration.user is not None:
        user = registration.user
        initial = {"login": user.login, "first_name": user.first_name, "last_name": user.last_name}
    form = RegistrationCredentialsForm(
        request.POST or None, registration=registration, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        audit = audit_context(request)
        services.registration_set_credentials(
            registration=registration,
            login=form.cleaned_data["login"],
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            password=form.cleaned_data["new_password1"],
            audit=audit,
        )
        issue = services.registration_send_code(registration=registration, audit=audit)
        if not issue.sent:  # the next page says where a sent code went
            flash_issue_messages(request, issue, masked_phone(registration.user))
        return redirect("accounts:registration_phone")
    context = {"form": form, "registration": registration, "policy": password_policy_help()}
    return render(request, "accounts/selfservice/registration_activate.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def registration_phone(request: HttpRequest) -> HttpResponse:
    if _activation_limited(request):
        return _too_many(request)
    registration = _current(request)
    if registration is None or registration.user is None:
        return _invalid_link(request)
    form = SmsCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.registration_activate(
                registration=registration,
                code=form.cleaned_data["code"],
                audit=audit_context(request),
            )
        except services.RegistrationError as error:
            request.session.pop(REGISTRATION_SESSION, None)
            messages.error(request, str(error))
            return redirect("accounts:signin")
        if result is Check.OK:
            return _activated(request, registration)
        if result is Check.LOCKED:
            return _invalid_link(request, status=403)
        form.add_error("code", check_message(result))
    context = {"form": form, "phone": masked_phone(registration.user)}
    return render(request, "accounts/selfservice/registration_phone.html", context)


def _activated(request: HttpRequest, registration) -> HttpResponse:
    request.session.pop(REGISTRATION_SESSION, None)
    messages.success(
        request,
        _(
            "Konto jest aktywne – jesteś administratorem eBOK swojej firmy. Zaloguj się: "
            "numer klienta %(client_number)s, login %(login)s."
        )
        % {"client_number": registration.company.client_number, "login": registration.user.login},
    )
    return redirect("accounts:signin")


@never_cache
@require_POST
def registration_code(request: HttpRequest) -> HttpResponse:
    if _activation_limited(request):
        return _too_many(request)
    registration = _current(request)
    if registration is None or registration.user is None:
        return _invalid_link(request)
    issue = services.registration_send_code(registration=registration, audit=audit_context(request))
    flash_issue_messages(request, issue, masked_phone(registration.user))
    return redirect("accounts:registration_phone")
