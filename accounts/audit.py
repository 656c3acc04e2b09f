"""The audit log: one call, `audit_log(...)`, from any app for every state-changing operation.

Entries are append-only (model guards + a PostgreSQL trigger). Apps register readable labels
for their action codes with `register_actions({...})`; the code itself is what is stored.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry, Company, User


class Action:
    """Action codes of accounts; other apps use their own "<app>.<event>" strings."""

    SIGNIN_IDENTIFIED = "signin.identified"
    SIGNIN_PASSWORD_OK = "signin.password_ok"  # noqa: S105 (an event name)
    SIGNIN_PASSWORD_FAILED = "signin.password_failed"  # noqa: S105 (an event name)
    SIGNIN_CODE_SENT = "signin.code_sent"
    SIGNIN_CODE_FAILED = "signin.code_failed"
    SIGNIN_CODE_REFUSED = "signin.code_refused"
    SIGNIN_SUCCEEDED = "signin.succeeded"
    SIGNIN_RATE_LIMITED = "signin.rate_limited"
    SIGNOUT = "signout"
    SESSION_EXPIRED = "session.expired"
    ACCOUNT_LOCKED = "account.locked"
    ACCOUNT_UNLOCKED = "account.unlocked"
    ACCOUNT_INVITED = "account.invited"
    PASSWORD_SET = "password.first_set"  # noqa: S105 (an event name)
    PASSWORD_CHANGED = "password.changed"  # noqa: S105 (an event name)
    STEPUP_CODE_SENT = "stepup.code_sent"
    STEPUP_CONFIRMED = "stepup.confirmed"
    STEPUP_FAILED = "stepup.failed"


_LABELS: dict[str, Any] = {
    Action.SIGNIN_IDENTIFIED: _("logowanie: podano numer klienta i login"),
    Action.SIGNIN_PASSWORD_OK: _("logowanie: poprawne hasło"),
    Action.SIGNIN_PASSWORD_FAILED: _("logowanie: błędne hasło"),
    Action.SIGNIN_CODE_SENT: _("logowanie: wysłano kod SMS"),
    Action.SIGNIN_CODE_FAILED: _("logowanie: błędny kod SMS"),
    Action.SIGNIN_CODE_REFUSED: _("logowanie: kod SMS niewysłany (limit)"),
    Action.SIGNIN_SUCCEEDED: _("logowanie udane"),
    Action.SIGNIN_RATE_LIMITED: _("logowanie: przekroczony limit prób z adresu IP"),
    Action.SIGNOUT: _("wylogowanie"),
    Action.SESSION_EXPIRED: _("sesja wygasła"),
    Action.ACCOUNT_LOCKED: _("zablokowanie dostępu"),
    Action.ACCOUNT_UNLOCKED: _("odblokowanie dostępu"),
    Action.ACCOUNT_INVITED: _("wysłano hasło jednorazowe"),
    Action.PASSWORD_SET: _("ustawienie własnego hasła"),
    Action.PASSWORD_CHANGED: _("zmiana hasła"),
    Action.STEPUP_CODE_SENT: _("autoryzacja SMS: wysłano kod"),
    Action.STEPUP_CONFIRMED: _("autoryzacja SMS: potwierdzono"),
    Action.STEPUP_FAILED: _("autoryzacja SMS: błędny kod"),
}


def register_actions(labels: dict[str, Any]) -> None:
    """Readable labels for an app's action codes (call from AppConfig.ready())."""
    _LABELS.update(labels)


def action_label(action: str) -> str:
    return str(_LABELS.get(action, action))


def action_choices() -> list[tuple[str, str]]:
    return sorted(((code, action_label(code)) for code in _LABELS), key=lambda c: c[1])


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address, read where the rate limits read it (RATELIMIT_IP_META_KEY)."""
    if request is None:
        return None
    source = settings.RATELIMIT_IP_META_KEY
    if source and "." in source:
        value = import_string(source)(request)
    else:
        value = request.META.get(source or "REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(str(value).strip()))
    except ValueError:
        return None


def audit_log(
    *,
    request: HttpRequest | None = None,
    user: User | None = None,
    company: Company | None = None,
    action: str,
    obj: models.Model | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Record one event. `user` defaults to the request's signed-in user; `company` to theirs.

    `details` must never hold secrets (passwords, codes); it is shown to staff and admins.
    """
    if user is None and request is not None and getattr(request, "user", None) is not None:
        user = request.user if request.user.is_authenticated else None
    if company is None and user is not None and user.company_id:
        company = user.company
    if company is None and obj is not None and getattr(obj, "company_id", None):
        company = obj.company
    return AuditEntry.objects.create(
        user=user,
        company=company,
        actor=(user.username if user is not None else "")[:200],
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        ip=client_ip(request),
        user_agent=(request.headers.get("User-Agent", "") if request is not None else "")[:300],
        details=details or {},
    )
