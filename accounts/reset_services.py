"""Self-service password reset: client number + login -> e-mailed link (72 h) + SMS code.

The link carries a signed token bound to the user's current password state: setting any
password (this reset included), a lock, a sign-in or a changed e-mail or phone number makes it
invalid, so it works once. The SMS code is bound to the link's token. A reset does NOT lift a
lock: a lock means someone was guessing, and only the company admin or staff lift it (bank
practice). A locked user gets no link; the public answer never says so.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.cache import cache
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.formats import date_format
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from notifications.models import Message
from notifications.services import notify

from .audit import Action, audit_log
from .codes import Check, CodeIssue, code_send, code_verify
from .models import MaskedPassword, User
from .selectors import client_user_by_identifiers
from .services import user_password_set


class ResetTokenGenerator(PasswordResetTokenGenerator):
    """Django's signed, expiring token (PASSWORD_RESET_TIMEOUT) over our password state."""

    key_salt = "accounts.reset_services.ResetTokenGenerator"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        record = (
            MaskedPassword.objects.filter(user=user)
            .values_list("secret_hash", "created_at")
            .first()
        )
        signed_in = user.last_login.replace(microsecond=0, tzinfo=None) if user.last_login else ""
        return (
            f"{user.pk}|{user.password}|{record}|{signed_in}|{user.locked_at}|{user.is_active}|"
            f"{user.email}|{user.phone}|{timestamp}"
        )


reset_tokens = ResetTokenGenerator()


def absolute_url(request: HttpRequest, path: str) -> str:
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    return f"{base}{path}" if base else request.build_absolute_uri(path)


def reset_allowed(user: User | None) -> bool:
    return bool(
        user is not None
        and user.is_active
        and user.company_id
        and user.company.is_active
        and not user.is_locked
        and user.email
        and user.phone
    )


def password_reset_request(*, client_number: str, login: str, request: HttpRequest) -> None:
    """E-mail a reset link if the account exists and may reset; otherwise do nothing.

    The caller answers the same either way. At most one e-mail per account per
    PASSWORD_RESET_EMAIL_INTERVAL, so the form cannot be used to flood someone's inbox.
    """
    user = client_user_by_identifiers(client_number=client_number, login=login)
    known = user is not None
    audit_log(
        request=request,
        user=user,
        company=user.company if known else None,
        action=Action.PASSWORD_RESET_REQUESTED,
        details={"client_number": client_number, "known": known}
        if known
        else {"client_number": client_number, "login_hint": login[:3] + "…", "known": False},
    )
    if not reset_allowed(user):
        return
    if not cache.add(f"password-reset-sent:{user.pk}", 1, settings.PASSWORD_RESET_EMAIL_INTERVAL):
        return
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    url = absolute_url(
        request, reverse("accounts:password_reset_link", args=[uid, reset_tokens.make_token(user)])
    )
    valid_to = timezone.localtime() + dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    notify(
        channel=Message.Channel.EMAIL,
        recipient=user.email,
        subject=_("eBOK: ustawienie nowego hasła"),
        body=_(
            "Dzień dobry,\n\nktoś (prawdopodobnie Ty) poprosił o ustawienie nowego hasła do eBOK "
            "dla loginu %(login)s (numer klienta %(client_number)s).\n\n"
            "Aby ustawić nowe hasło, otwórz link:\n%(url)s\n\n"
            "Link działa jeden raz, do %(valid_to)s. Nowe hasło potwierdzisz kodem SMS wysłanym "
            "na Twój numer telefonu.\n\nJeśli to nie Ty, zignoruj tę wiadomość – Twoje hasło się "
            "nie zmieni.\n"
        )
        % {
            "login": user.login,
            "client_number": user.company.client_number,
            "url": url,
            "valid_to": date_format(valid_to, "SHORT_DATETIME_FORMAT"),
        },
        user=user,
        sensitive=True,
    )
    audit_log(request=request, user=user, action=Action.PASSWORD_RESET_SENT)


def password_reset_user(*, uidb64: str, token: str) -> User | None:
    """The user a reset link belongs to, while the link is valid; None otherwise."""
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, TypeError, UnicodeDecodeError):
        return None
    user = User.objects.select_related("company").filter(pk=pk, company__isnull=False).first()
    if not reset_allowed(user) or not reset_tokens.check_token(user, token):
        return None
    return user


def _purpose(token: str) -> str:
    return "password_reset:" + hashlib.sha256(token.encode()).hexdigest()[:40]


def password_reset_send_code(*, user: User, token: str, request: HttpRequest) -> CodeIssue:
    issue = code_send(
        user=user,
        purpose=_purpose(token),
        text=_(
            "eBOK: kod {code} do ustawienia nowego hasla. Wazny %(minutes)d min. Nie podawaj "
            "go nikomu."
        )
        % {"minutes": settings.SMS_CODE_VALIDITY // 60},
    )
    audit_log(
        request=request,
        user=user,
        action=Action.PASSWORD_RESET_CODE_SENT,
        details={} if issue.sent else {"refused": issue.result.value},
    )
    return issue


def password_reset_complete(
    *, user: User, token: str, code: str, password: str, request: HttpRequest
) -> Check:
    """Set the new password if the SMS code (sent for this link) is right.

    The password has been checked against the policy by the form. Wrong codes count toward
    the lockout like any other. Setting the password ends every session of the user and
    invalidates the link.
    """
    result = code_verify(
        user=user,
        purpose=_purpose(token),
        code=code,
        request=request,
        failure_action=Action.PASSWORD_RESET_CODE_FAILED,
    )
    if result is not Check.OK:
        return result
    user_password_set(user=user, password=password, request=request)
    audit_log(request=request, user=user, action=Action.PASSWORD_RESET_DONE)
    return Check.OK
