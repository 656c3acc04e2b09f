"""The audit log: one call, `audit_log(...)`, from any app for every state-changing operation.

Entries are append-only (model guards + a PostgreSQL trigger). Apps register readable labels
for their action codes with `register_actions({...})` and for the keys of their details with
`register_detail_labels({...})`; the code itself is what is stored.

Where an operation comes from is an `AuditContext`: a view builds it once with
`audit_context(request)`; a task, a command or an import builds its own (or passes
`BACKGROUND`). Services take the context, never the request, so any of them can call them.
"""

from __future__ import annotations

import datetime as dt
import functools
import ipaddress
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.module_loading import import_string
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ebok.forms import without_control_characters
from notifications.events import get_event

from .models import AuditEntry, Company, User
from .permissions import ADMIN_FIELD, PERMISSIONS


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
    # Company administration (company admins in the portal)
    USER_CREATED = "account.created"
    USER_UPDATED = "account.updated"
    USER_PERMISSIONS_CHANGED = "account.permissions_changed"
    USER_DEACTIVATED = "account.deactivated"
    # Self-service
    ACCESS_APPLICATION_SUBMITTED = "access_application.submitted"
    ACCESS_APPLICATION_APPROVED = "access_application.approved"
    ACCESS_APPLICATION_REJECTED = "access_application.rejected"
    ACCESS_APPLICATION_RATE_LIMITED = "access_application.rate_limited"
    PASSWORD_RESET_REQUESTED = "password.reset_requested"  # noqa: S105 (an event name)
    PASSWORD_RESET_SENT = "password.reset_link_sent"  # noqa: S105 (an event name)
    PASSWORD_RESET_CODE_SENT = "password.reset_code_sent"  # noqa: S105 (an event name)
    PASSWORD_RESET_CODE_FAILED = "password.reset_code_failed"  # noqa: S105 (an event name)
    PASSWORD_RESET_DONE = "password.reset"  # noqa: S105 (an event name)
    PASSWORD_RESET_RATE_LIMITED = "password.reset_rate_limited"  # noqa: S105 (an event name)
    CONTACT_CHANGED = "profile.contact_changed"
    CONTACT_NEW_PHONE_CODE_SENT = "profile.new_phone_code_sent"
    CONTACT_NEW_PHONE_CODE_FAILED = "profile.new_phone_code_failed"
    CONSENT_GRANTED = "consent.granted"
    CONSENT_WITHDRAWN = "consent.withdrawn"
    AUDIT_EXPORTED = "audit.exported"


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
    Action.USER_CREATED: _("dodanie użytkownika"),
    Action.USER_UPDATED: _("zmiana danych użytkownika"),
    Action.USER_PERMISSIONS_CHANGED: _("zmiana uprawnień użytkownika"),
    Action.USER_DEACTIVATED: _("dezaktywacja użytkownika"),
    Action.ACCESS_APPLICATION_SUBMITTED: _("wniosek o dostęp: złożony"),
    Action.ACCESS_APPLICATION_APPROVED: _("wniosek o dostęp: zatwierdzony"),
    Action.ACCESS_APPLICATION_REJECTED: _("wniosek o dostęp: odrzucony"),
    Action.ACCESS_APPLICATION_RATE_LIMITED: _("wniosek o dostęp: przekroczony limit z adresu IP"),
    Action.PASSWORD_RESET_REQUESTED: _("reset hasła: prośba"),
    Action.PASSWORD_RESET_SENT: _("reset hasła: wysłano link"),
    Action.PASSWORD_RESET_CODE_SENT: _("reset hasła: wysłano kod SMS"),
    Action.PASSWORD_RESET_CODE_FAILED: _("reset hasła: błędny kod SMS"),
    Action.PASSWORD_RESET_DONE: _("reset hasła: ustawiono nowe hasło"),
    Action.PASSWORD_RESET_RATE_LIMITED: _("reset hasła: przekroczony limit z adresu IP"),
    Action.CONTACT_CHANGED: _("zmiana danych kontaktowych"),
    Action.CONTACT_NEW_PHONE_CODE_SENT: _("nowy numer telefonu: wysłano kod"),
    Action.CONTACT_NEW_PHONE_CODE_FAILED: _("nowy numer telefonu: błędny kod"),
    Action.CONSENT_GRANTED: _("udzielenie zgody"),
    Action.CONSENT_WITHDRAWN: _("wycofanie zgody"),
    Action.AUDIT_EXPORTED: _("eksport dziennika zdarzeń"),
}


def register_actions(labels: dict[str, Any]) -> None:
    """Readable labels for an app's action codes (call from AppConfig.ready())."""
    _LABELS.update(labels)
    _action_choices.cache_clear()


def action_label(action: str) -> str:
    return str(_LABELS.get(action, action))


def action_choices() -> list[tuple[str, str]]:
    """Every action with its label, sorted by the label (the audit log's event filter)."""
    return list(_action_choices(get_language(), len(_LABELS)))


@functools.lru_cache(maxsize=8)
def _action_choices(language: str | None, _count: int) -> tuple[tuple[str, str], ...]:
    # Cached per language (and per number of registered actions): ~150 lazy labels translated
    # and sorted twice a request were 2 ms, a seventh of the audit page (make bench).
    return tuple(sorted(((code, action_label(code)) for code in _LABELS), key=lambda c: c[1]))


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


@dataclass(frozen=True)
class AuditContext:
    """Where an operation comes from: who acts (None: nobody signed in, or the system), for
    which company, from which address and browser. `base_url` is the portal's address as the
    caller reached it: e-mailed links use it when PUBLIC_BASE_URL is not set."""

    actor: User | None = None
    company: Company | None = None
    ip: str | None = None
    user_agent: str = ""
    base_url: str = ""

    def absolute_url(self, path: str) -> str:
        base = settings.PUBLIC_BASE_URL.rstrip("/") or self.base_url.rstrip("/")
        return f"{base}{path}"


# A task or a command with nobody in particular acting: no address, no browser.
BACKGROUND = AuditContext()


def audit_context(request: HttpRequest) -> AuditContext:
    """The context of a view's request: its signed-in user (if any), their company, the client
    address (read as the rate limits read it) and the browser."""
    user = getattr(request, "user", None)
    actor = user if user is not None and user.is_authenticated else None
    return AuditContext(
        actor=actor,
        company=actor.company if actor is not None and actor.company_id else None,
        ip=client_ip(request),
        user_agent=_bounded(request.headers.get("User-Agent", ""), 300),
        base_url=request.build_absolute_uri("/"),
    )


def audit_log(
    *,
    audit: AuditContext = BACKGROUND,
    user: User | None = None,
    company: Company | None = None,
    action: str,
    obj: models.Model | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Record one event. `user` defaults to the context's actor; `company` to the user's, then
    to the context's, then to the object's.

    `details` must never hold secrets (passwords, codes); it is shown to staff and admins.
    """
    if user is None:
        user = audit.actor
    if company is None and user is not None and user.company_id:
        company = user.company
    if company is None:
        company = audit.company
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
        ip=audit.ip,
        user_agent=_bounded(audit.user_agent, 300),
        details=_bounded(details or {}, DETAIL_MAX_LENGTH),
    )


# A string in an entry's details is cut to this length (an entry is a record, not storage).
DETAIL_MAX_LENGTH = 500


def _bounded(value: Any, limit: int) -> Any:
    """`value` with every string freed of control characters (NUL cannot even be stored in
    PostgreSQL text) and cut to `limit`; dicts and lists are walked."""
    if isinstance(value, str):
        return without_control_characters(value[: limit * 2])[:limit]
    if isinstance(value, dict):
        return {_bounded(str(k), limit): _bounded(v, limit) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_bounded(item, limit) for item in value]
    return value


def actor_label(entry: AuditEntry) -> str:
    """Who acted, as a company admin may see it: their users by name, the lessor's staff as
    "obsługa klienta" (staff usernames are internal), nobody for anonymous attempts."""
    user = entry.user
    if user is None:
        return "—"
    if not user.company_id:
        return str(_("obsługa klienta"))
    name = user.get_full_name()
    return f"{name} ({user.login})" if name else user.login


# Every key the apps write into an entry's details, as a reader names it. An app with keys of
# its own adds them with `register_detail_labels`; a key nobody labelled is shown in words
# ("occurred_on" -> "occurred on"), never as code.
_DETAIL_LABELS: dict[str, Any] = {
    "access_application": _("wniosek"),
    "after": _("po zmianie"),
    "amount": _("kwota"),
    "assignee": _("przydzielono"),
    "before": _("przed zmianą"),
    "by_admin": _("przez administratora"),
    "by_staff": _("przez pracownika leasingodawcy"),
    "changed": _("zmiany"),
    "claim": _("szkoda"),
    "client_number": _("numer klienta"),
    "company_admin": _("administrator"),
    "confirmed_by_link": _("potwierdzone linkiem"),
    "contract": _("umowa"),
    "created": _("utworzone"),
    "events": _("zdarzenia"),
    "email": _("e-mail"),
    "failed_attempts": _("nieudane próby"),
    "first_name": _("imię"),
    "fields": _("pola"),
    "files": _("pliki"),
    "filters": _("filtry"),
    "invoices": _("faktury"),
    "kind": _("zgoda"),
    "ksef_number": _("numer KSeF"),
    "language": _("język wiadomości"),
    "last_name": _("nazwisko"),
    "locked": _("zablokowany"),
    "login": _("login"),
    "login_hint": _("login (początek)"),
    "mismatches": _("niezgodne dane"),
    "name": _("nazwa"),
    "new_email": _("nowy e-mail"),
    "note": _("uwaga"),
    "number": _("numer"),
    "occurred_on": _("data zdarzenia"),
    "old_email": _("poprzedni e-mail"),
    "one_time_password_expired": _("hasło jednorazowe wygasło"),
    "operation": _("operacja"),
    "password_correct": _("poprawne hasło"),
    "payment": _("płatność"),
    "payment_due_days": _("przypomnienie o płatności (dni)"),
    "pepper_version_unavailable": _("niedostępna wersja klucza haseł"),
    "permissions": _("uprawnienia"),
    "phone": _("telefon"),
    "photos": _("zdjęcia"),
    "quiet_from": _("cisza SMS od"),
    "quiet_to": _("cisza SMS do"),
    "reason": _("powód"),
    "records": _("rekordy"),
    "refused": _("odmowa"),
    "rejected": _("odrzucone"),
    "result": _("wynik"),
    "scope": _("zakres"),
    "sha256": _("skrót pliku (SHA-256)"),
    "signer": _("podpisujący"),
    "signs_version": _("podpisana wersja"),
    "status": _("status"),
    "trust": _("zaufanie do podpisu"),
    "type": _("rodzaj"),
    "unchanged": _("bez zmian"),
    "updated": _("zaktualizowane"),
    "valid_until": _("ważne do"),
    "vehicle": _("pojazd"),
    "version": _("wersja"),
    "was_locked": _("był zablokowany"),
}


def register_detail_labels(labels: dict[str, Any]) -> None:
    """Readable labels for the detail keys an app writes (call from AppConfig.ready())."""
    _DETAIL_LABELS.update(labels)


def detail_label(key: str) -> str:
    label = _DETAIL_LABELS.get(key)
    return str(label) if label is not None else key.replace("_", " ").strip() or "—"


# Noise for a reader: a digest identifies a step-up in the back office; "known" says whether
# typed identifiers matched an account (the entry's user already says so).
_HIDDEN_DETAILS = {"digest", "known"}
_PERMISSION_WORDS = {p.field: p.badge for p in PERMISSIONS}


_OPERATION_LABELS = {
    "company_user_add": _("dodanie użytkownika"),
    "company_user_update": _("zmiana danych użytkownika"),
    "contact_change": _("zmiana danych kontaktowych"),
    "password_change": _("zmiana hasła"),
}


# Enumerated values written by the services (accounts.codes Sent / Check, LockReason).
_VALUE_LABELS = {
    "wrong": _("błędny kod"),
    "throttled": _("zbyt wiele prób w krótkim czasie"),
    "locked": _("blokada konta"),
    "cooldown": _("za wcześnie na kolejny kod"),
    "daily_limit": _("dzienny limit kodów"),
    "no_phone": _("brak numeru telefonu"),
    "password": _("błędne hasło"),
    "sms_code": _("błędne kody SMS"),
    "admin": _("przez administratora"),
}


# What a self-registration named that did not match the company's data.
MISMATCH_LABELS = {
    "client_number": _("numer klienta"),
    "nip": _("NIP"),
    "invoice_number": _("numer faktury"),
    "invoice_gross": _("kwota faktury"),
    "email": _("e-mail"),
    "phone": _("telefon"),
}


def mismatch_text(codes: list) -> str:
    return ", ".join(str(MISMATCH_LABELS.get(code, code)) for code in codes) or "–"


def _detail_value(key: str, value: Any) -> str:
    if key == "mismatches" and isinstance(value, list):
        return mismatch_text(value)
    if key == "operation" and value in _OPERATION_LABELS:
        return str(_OPERATION_LABELS[value])
    if key in ("result", "reason", "refused") and value in _VALUE_LABELS:
        return str(_VALUE_LABELS[value])
    if isinstance(value, bool):
        return str(_("tak") if value else _("nie"))
    if isinstance(value, dict) and ADMIN_FIELD in value:  # a permission set
        words = [str(w) for flag, w in _PERMISSION_WORDS.items() if value.get(flag)]
        text = ", ".join(words) or str(_("brak"))
        if value.get("contracts_restricted"):
            text += " · " + str(_("tylko umowy: %(numbers)s")) % {
                "numbers": ", ".join(value.get("contracts", []))
            }
        return text
    if key == "changed" and isinstance(value, dict):
        return "; ".join(
            f"{detail_label(field)}: {old or '—'} → {new or '—'}"
            for field, (old, new) in value.items()
        )
    if isinstance(value, str) and (moment := _parse_moment(value)):
        return timezone.localtime(moment).strftime("%d.%m.%Y %H:%M")
    if key == "events" and isinstance(value, list):
        return ", ".join(_event_label(code) for code in value) or "—"
    if key == "language" and isinstance(value, str):
        return str(dict(settings.LANGUAGES).get(value, value))
    if isinstance(value, list):
        return ", ".join(_detail_value(key, item) for item in value) or "—"
    if isinstance(value, dict):  # e.g. a payment gateway's fields: labelled, never JSON
        return ", ".join(f"{detail_label(k)}: {_detail_value(k, v)}" for k, v in value.items())
    if value is None or value == "":
        return "—"
    return str(value)


def _event_label(code: Any) -> str:
    try:
        return str(get_event(str(code)).label)
    except LookupError:
        return str(code)


def _parse_moment(value: str) -> dt.datetime | None:
    if len(value) < 19 or value[4] != "-" or "T" not in value:
        return None
    try:
        moment = parse_datetime(value)
    except ValueError:
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


def details_text(entry: AuditEntry, limit: int = 400) -> str:
    """The entry's details as one readable line ("ważne do: 24.11.2026 09:38; ...")."""
    if not entry.details:
        return ""
    parts = []
    for key, value in entry.details.items():
        if key in _HIDDEN_DETAILS:
            continue
        parts.append(f"{detail_label(key)}: {_detail_value(key, value)}")
    text = "; ".join(parts)
    return text if len(text) <= limit else text[: limit - 1] + "…"
