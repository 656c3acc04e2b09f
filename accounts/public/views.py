"""Public self-service pages: the access application and the password reset.

Both answer a submitted form with a redirect to one fixed page, whatever the data named: an
unknown company, contract or account cannot be told from a real one. Both are rate-limited
per client IP (django-ratelimit, in the cache shared by all web processes).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..audit import Action, audit_context
from ..codes import Check, masked_phone
from ..password_policy import password_policy_help
from ..ratelimit import over_limit
from ..view_helpers import check_message, flash_issue_messages
from . import services
from .forms import AccessApplicationForm, PasswordResetForm, PasswordResetRequestForm

RESET_SESSION = "ebok_password_reset"


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/selfservice/ratelimited.html", status=429)


# --- Access application -------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def access_application(request: HttpRequest) -> HttpResponse:
    if over_limit(
        request,
        group="accounts.access_application",
        rate=settings.ACCESS_APPLICATION_RATE_LIMIT,
        action=Action.ACCESS_APPLICATION_RATE_LIMITED,
    ):
        return _too_many(request)
    form = AccessApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.access_application_submit(
            **form.cleaned_data_for_submit(), audit=audit_context(request)
        )
        return redirect("accounts:access_application_sent")
    return render(request, "accounts/selfservice/access_application.html", {"form": form})


@require_GET
def access_application_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/selfservice/access_application_sent.html")


@require_GET
def terms(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/selfservice/terms.html", {"version": settings.TERMS_VERSION})


# --- Password reset -----------------------------------------------------------------------------


def _reset_limited(request: HttpRequest) -> bool:
    return over_limit(
        request,
        group="accounts.password_reset",
        rate=settings.PASSWORD_RESET_RATE_LIMIT,
        action=Action.PASSWORD_RESET_RATE_LIMITED,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    if _reset_limited(request):
        return _too_many(request)
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.password_reset_request(
            client_number=form.cleaned_data["client_number"],
            login=form.cleaned_data["login"],
            audit=audit_context(request),
        )
        return redirect("accounts:password_reset_sent")
    return render(request, "accounts/selfservice/password_reset.html", {"form": form})


@require_GET
def password_reset_sent(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/selfservice/password_reset_sent.html",
        {"valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600},
    )


@never_cache
@require_GET
def password_reset_link(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The e-mailed link: check it, keep the token in the session and move it out of the URL
    (so it does not linger in the history or leak in a Referer header)."""
    user = services.password_reset_user(uidb64=uidb64, token=token)
    if user is None:
        return _invalid_link(request)
    request.session[RESET_SESSION] = {"uid": user.pk, "token": token}
    return redirect("accounts:password_reset_confirm", uidb64=uidb64)


def _invalid_link(request: HttpRequest) -> HttpResponse:
    request.session.pop(RESET_SESSION, None)
    return render(request, "accounts/selfservice/password_reset_invalid.html", status=400)


def _reset_state(request: HttpRequest, uidb64: str):
    """(user, token) of the link opened in this session, while it is still valid."""
    state = request.session.get(RESET_SESSION) or {}
    token = state.get("token", "")
    user = services.password_reset_user(uidb64=uidb64, token=token) if token else None
    if user is None or user.pk != state.get("uid"):
        return None, ""
    return user, token


@never_cache
@require_http_methods(["GET", "POST"])
def password_reset_confirm(request: HttpRequest, uidb64: str) -> HttpResponse:
    if _reset_limited(request):
        return _too_many(request)
    user, token = _reset_state(request, uidb64)
    if user is None:
        return _invalid_link(request)
    form = PasswordResetForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        result = services.password_reset_complete(
            user=user,
            token=token,
            code=form.cleaned_data["code"],
            password=form.cleaned_data["new_password1"],
            audit=audit_context(request),
        )
        if result is Check.OK:
            request.session.pop(RESET_SESSION, None)
            messages.success(request, _("Nowe hasło jest ustawione. Zaloguj się nim."))
            return redirect("accounts:signin")
        if result is Check.LOCKED:
            request.session.pop(RESET_SESSION, None)
            return render(request, "accounts/signin_locked.html", status=403)
        form.add_error("code", check_message(result))
    context = {
        "form": form,
        "uidb64": uidb64,
        "phone": masked_phone(user),
        "policy": password_policy_help(),
        "target": user,
    }
    return render(request, "accounts/selfservice/password_reset_confirm.html", context)


@never_cache
@require_POST
def password_reset_code(request: HttpRequest, uidb64: str) -> HttpResponse:
    if _reset_limited(request):
        return _too_many(request)
    user, token = _reset_state(request, uidb64)
    if user is None:
        return _invalid_link(request)
    issue = services.password_reset_send_code(user=user, token=token, audit=audit_context(request))
    flash_issue_messages(request, issue, masked_phone(user))
    return redirect("accounts:password_reset_confirm", uidb64=uidb64)
