"""Client sign-in (three steps + first password), sign-out, session expiry, password change.

The sign-in's progress lives in the (anonymous) session under FLOW until `login()` replaces
the session key; only then is the user signed in.
"""

from __future__ import annotations

import time
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from ..audit import Action, audit_context, audit_log
from ..codes import Check, masked_phone, sms_device
from ..models import User
from ..password_policy import password_policy_help
from ..permissions import client_required
from ..ratelimit import over_limit
from ..services import user_password_set
from ..stepup import stepup_begin, stepup_verify
from ..view_helpers import check_message, flash_issue_messages
from .forms import (
    IdentifyForm,
    MaskedPasswordForm,
    NewPasswordForm,
    PasswordChangeForm,
    SmsCodeForm,
)
from .services import (
    signin_challenge,
    signin_check_password,
    signin_completed,
    signin_identified,
    signin_send_code,
    signin_verify_code,
)

FLOW = "ebok_signin"
PASSWORD_CHANGE = "password_change"  # noqa: S105 (a step-up operation name)


def _generic_error() -> str:
    return _("Nieprawidłowe dane logowania. Sprawdź numer klienta, login i znaki hasła.")


def _flow(request: HttpRequest, stage: str) -> dict | None:
    flow = request.session.get(FLOW)
    if not flow or flow.get("stage") != stage:
        return None
    if time.time() - flow["at"] > settings.SIGNIN_FLOW_TIMEOUT:
        del request.session[FLOW]
        messages.warning(request, _("Czas na zalogowanie minął. Zacznij od początku."))
        return None
    return flow


def _flow_user(request: HttpRequest, stage: str) -> tuple[dict | None, User | None]:
    """The flow at `stage` and the user its password step identified, while they may still
    sign in; (flow or None, None) otherwise."""
    flow = _flow(request, stage)
    if flow is None:
        return None, None
    user = (
        User.objects.select_related("company")
        .filter(pk=flow.get("uid"), is_active=True, company__is_active=True)
        .first()
    )
    if user is None:
        request.session.pop(FLOW, None)
    return flow, user


def _advance(request: HttpRequest, flow: dict, stage: str, **data) -> None:
    request.session[FLOW] = {**flow, **data, "stage": stage, "at": time.time()}


def signin_rate_limit(view):
    """Per client IP, every POST to the sign-in steps counts; over the limit: a 429 page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if over_limit(
            request,
            group="accounts.signin",
            rate=settings.SIGNIN_RATE_LIMIT,
            action=Action.SIGNIN_RATE_LIMITED,
        ):
            return render(request, "accounts/ratelimited.html", status=429)
        return view(request, *args, **kwargs)

    return wrapper


def _safe_next(request: HttpRequest, value: str) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return ""


@never_cache
@require_http_methods(["GET", "POST"])
@signin_rate_limit
def signin(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.user.company_id:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = IdentifyForm(request.POST or None)
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    if request.method == "POST" and form.is_valid():
        client_number, login_ = form.cleaned_data["client_number"], form.cleaned_data["login"]
        signin_identified(audit=audit_context(request), client_number=client_number, login=login_)
        _advance(request, {"cn": client_number, "login": login_, "next": next_url}, "password")
        return redirect("accounts:signin_password")
    return render(request, "accounts/signin_identify.html", {"form": form, "next": next_url})


@never_cache
@require_http_methods(["GET", "POST"])
@signin_rate_limit
def signin_password(request: HttpRequest) -> HttpResponse:
    flow = _flow(request, "password")
    if flow is None:
        return redirect("accounts:signin")
    challenge = signin_challenge(client_number=flow["cn"], login=flow["login"])
    form = MaskedPasswordForm(
        request.POST or None, positions=challenge.positions, boxes=challenge.boxes
    )
    error = ""
    if request.method == "POST":
        if form.is_valid():
            user = signin_check_password(
                audit=audit_context(request),
                client_number=flow["cn"],
                login=flow["login"],
                answers=form.answers(),
            )
            if user is not None:
                issue = signin_send_code(audit=audit_context(request), user=user)
                _advance(request, flow, "code", uid=user.pk, sent=issue.result.value)
                return redirect("accounts:signin_code")
            error = _generic_error()
        else:
            error = _("Wpisz wszystkie wskazane znaki hasła – po jednym w każdym polu.")
        form = MaskedPasswordForm(positions=challenge.positions, boxes=challenge.boxes)
    return render(
        request, "accounts/signin_password.html", {"form": form, "flow": flow, "error": error}
    )


@never_cache
@require_http_methods(["GET", "POST"])
@signin_rate_limit
def signin_code(request: HttpRequest) -> HttpResponse:
    flow, user = _flow_user(request, "code")
    if user is None:
        return redirect("accounts:signin")
    form = SmsCodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        result = signin_verify_code(
            audit=audit_context(request), user=user, code=form.cleaned_data["code"]
        )
        if result is Check.OK:
            if user.must_change_password:
                _advance(request, flow, "new_password")
                return redirect("accounts:signin_new_password")
            return _complete(request, user, flow)
        if result is Check.LOCKED:
            del request.session[FLOW]
            return render(request, "accounts/signin_locked.html", status=403)
        error = check_message(result)
        form = SmsCodeForm()
    device = sms_device(user)
    resend_at = (
        device.last_generated_timestamp.timestamp() + settings.SMS_CODE_RESEND_COOLDOWN
        if device.last_generated_timestamp
        else 0
    )
    context = {
        "form": form,
        "flow": flow,
        "error": error,
        "phone": masked_phone(user),
        "sent": flow.get("sent"),
        "resend_wait": max(0, int(resend_at - time.time()) + 1) if resend_at else 0,
        "dev_outbox": settings.DEV_OUTBOX_PAGE and settings.SMS_BACKEND == "outbox",
        "valid_minutes": settings.SMS_CODE_VALIDITY // 60,
    }
    return render(request, "accounts/signin_code.html", context)


@never_cache
@require_POST
@signin_rate_limit
def signin_code_resend(request: HttpRequest) -> HttpResponse:
    flow, user = _flow_user(request, "code")
    if user is None:
        return redirect("accounts:signin")
    issue = signin_send_code(audit=audit_context(request), user=user)
    if issue.sent:
        _advance(request, flow, "code", sent=issue.result.value)
    flash_issue_messages(request, issue, masked_phone(user))
    return redirect("accounts:signin_code")


@never_cache
@require_http_methods(["GET", "POST"])
@signin_rate_limit
def signin_new_password(request: HttpRequest) -> HttpResponse:
    flow, user = _flow_user(request, "new_password")
    if user is None:
        return redirect("accounts:signin")
    form = NewPasswordForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        user_password_set(
            user=user,
            password=form.cleaned_data["new_password1"],
            audit=audit_context(request),
            first=True,
        )
        messages.success(request, _("Hasło zostało ustawione. Witamy w eBOK!"))
        return _complete(request, user, flow)
    return render(
        request,
        "accounts/signin_new_password.html",
        {"form": form, "policy": password_policy_help()},
    )


def _complete(request: HttpRequest, user: User, flow: dict) -> HttpResponse:
    signin_completed(audit=audit_context(request), user=user)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")  # new session key
    otp_login(request, sms_device(user))
    request.session.pop(FLOW, None)
    return redirect(flow.get("next") or settings.LOGIN_REDIRECT_URL)


@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit_log(audit=audit_context(request), action=Action.SIGNOUT)
    logout(request)
    messages.success(request, _("Wylogowano. Do zobaczenia!"))
    return redirect("accounts:signin")


@never_cache
def session_expired(request: HttpRequest) -> HttpResponse:
    reason = request.GET.get("powod", "idle")
    return render(
        request,
        "accounts/session_expired.html",
        {"reason": reason if reason in ("idle", "absolute", "blocked") else "idle"},
    )


@never_cache
@client_required()
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = PasswordChangeForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        audit = audit_context(request)
        result = stepup_verify(
            user=user,
            operation=PASSWORD_CHANGE,
            payload={"user": user.pk},
            code=form.cleaned_data["code"],
            audit=audit,
        )
        if result is Check.OK:
            user_password_set(user=user, password=form.cleaned_data["new_password1"], audit=audit)
            update_session_auth_hash(request, user)  # this session stays, the others end
            messages.success(request, _("Hasło zostało zmienione."))
            return redirect(settings.LOGIN_REDIRECT_URL)
        form.add_error("code", check_message(result))
    return render(
        request,
        "accounts/password_change.html",
        {"form": form, "policy": password_policy_help(), "phone": masked_phone(user)},
    )


@client_required()
@require_POST
def password_change_code(request: HttpRequest) -> HttpResponse:
    challenge = stepup_begin(
        user=request.user,
        operation=PASSWORD_CHANGE,
        payload={"user": request.user.pk},
        summary=_("zmiana hasła"),
        audit=audit_context(request),
    )
    flash_issue_messages(request, challenge.issue, challenge.phone)
    return redirect("accounts:password_change")
