"""Public self-service: the access application and the password reset.

Access applications ("Wniosek o nadanie dostępu") are submitted publicly and decided by staff.
Submitting only stores the application and acknowledges it: nothing is looked up, so the
public answer (and its timing) is the same whether or not the company or the contract exists.
Staff verify it in the back office; approving creates the company's admin user and sends the
first-sign-in SMS (`user_invite`), rejecting tells the applicant why.

The password reset: client number + login -> e-mailed link (72 h) + SMS code. The link carries
a signed token bound to the user's current password state: setting any password (this reset
included), a lock, a sign-in or a changed e-mail or phone number makes it invalid, so it works
once. The SMS code is bound to the link's token. A reset does NOT lift a lock: a lock means
someone was guessing, and only the company admin or staff lift it (bank practice). A locked
user gets no link; the public answer never says so.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.formats import date_format
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from notifications.models import Message
from notifications.render import render_message
from notifications.services import notify_message

from ..audit import BACKGROUND, Action, AuditContext, audit_log
from ..codes import Check, CodeIssue, code_send, code_verify
from ..models import AccessApplication, Company, Consent, MaskedPassword, User
from ..permissions import PERMISSION_FIELDS
from ..selectors import client_user_by_identifiers
from ..services import user_invite, user_password_set

# --- Access application ---------------------------------------------------------------------


class AccessApplicationError(Exception):
    """The application cannot be approved as it is; the message is for staff."""


@transaction.atomic
def access_application_submit(
    *,
    nip: str,
    contract_number: str,
    first_name: str,
    last_name: str,
    email: str,
    phone: str,
    marketing_consent: bool,
    audit: AuditContext = BACKGROUND,
) -> AccessApplication:
    application = AccessApplication.objects.create(
        nip=nip,
        contract_number=contract_number.strip(),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip(),
        phone=phone,
        terms_accepted_at=timezone.now(),
        marketing_consent=marketing_consent,
        ip=audit.ip,
        user_agent=audit.user_agent[:300],
    )
    notify_message(
        "access_application_received",
        channel=Message.Channel.EMAIL,
        recipient=application.email,
        context={"number": application.pk},
    )
    audit_log(audit=audit, action=Action.ACCESS_APPLICATION_SUBMITTED, obj=application)
    return application


def application_company(application: AccessApplication) -> Company | None:
    """The active company the application names, if its contract number is that company's."""
    company = Company.objects.filter(nip=application.nip, is_active=True).first()
    if company is None:
        return None
    number = application.contract_number.strip()
    if not company.contracts.filter(number__iexact=number).exists():
        return None
    return company


def _fold(text: str) -> str:
    text = text.lower().replace("ł", "l")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def derive_login(company: Company, first_name: str, last_name: str) -> str:
    """ "jan.kowalski" (then "jan.kowalski2", ...): readable, unique in the company."""
    base = ".".join(p for p in (_fold(first_name), _fold(last_name)) if p)[:60] or "admin"
    if len(base) < 3:
        base = f"{base}.admin"
    taken = set(
        User.objects.filter(company=company, login__startswith=base).values_list("login", flat=True)
    )
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}{n}"
    return candidate


@transaction.atomic
def access_application_approve(
    *, application: AccessApplication, by: User, audit: AuditContext = BACKGROUND
) -> User:
    """Create the company's administrator from the application and send the first sign-in."""
    application = AccessApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != AccessApplication.Status.NEW:
        raise AccessApplicationError(_("Wniosek został już rozpatrzony."))
    company = Company.objects.filter(nip=application.nip).first()
    if company is None or not company.is_active:
        raise AccessApplicationError(
            _("Nie ma aktywnej firmy o NIP %(nip)s. Odrzuć wniosek, podając powód.")
            % {"nip": application.nip}
        )
    if application_company(application) is None:
        raise AccessApplicationError(
            _("Umowa %(number)s nie jest umową firmy %(company)s. Odrzuć wniosek, podając powód.")
            % {"number": application.contract_number, "company": company.name}
        )
    login = derive_login(company, application.first_name, application.last_name)
    user = User(
        username=User.client_username(company.client_number, login),
        company=company,
        login=login,
        first_name=application.first_name,
        last_name=application.last_name,
        email=application.email,
        phone=application.phone,
        # The company's first administrator: every permission.
        **dict.fromkeys(PERMISSION_FIELDS, True),
    )
    user.set_unusable_password()
    user.save()
    for kind, granted in (
        (Consent.Kind.TERMS, True),
        (Consent.Kind.MARKETING, application.marketing_consent),
    ):
        Consent.objects.create(
            company=company,
            user=user,
            kind=kind,
            granted=granted,
            created_at=application.terms_accepted_at,
            by=user,
            source=Consent.Source.APPLICATION,
            ip=application.ip,
        )
    application.status = AccessApplication.Status.APPROVED
    application.company = company
    application.created_user = user
    application.decided_at = timezone.now()
    application.decided_by = by
    application.save(
        update_fields=["status", "company", "created_user", "decided_at", "decided_by"]
    )
    audit_log(
        audit=audit,
        user=by,
        company=company,
        action=Action.ACCESS_APPLICATION_APPROVED,
        obj=application,
        details={"login": login},
    )
    audit_log(
        audit=audit,
        user=by,
        company=company,
        action=Action.USER_CREATED,
        obj=user,
        details={"login": login, "access_application": application.pk, "company_admin": True},
    )
    user_invite(user=user, by=by, audit=audit)
    return user


@transaction.atomic
def access_application_reject(
    *,
    application: AccessApplication,
    by: User,
    reason: str,
    audit: AuditContext = BACKGROUND,
) -> None:
    """Close the application and tell the applicant why by e-mail."""
    reason = reason.strip()
    if not reason:
        raise AccessApplicationError(_("Podaj powód odrzucenia – wyślemy go wnioskodawcy."))
    application = AccessApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != AccessApplication.Status.NEW:
        raise AccessApplicationError(_("Wniosek został już rozpatrzony."))
    application.status = AccessApplication.Status.REJECTED
    application.reject_reason = reason
    application.decided_at = timezone.now()
    application.decided_by = by
    application.save(update_fields=["status", "reject_reason", "decided_at", "decided_by"])
    notify_message(
        "access_application_rejected",
        channel=Message.Channel.EMAIL,
        recipient=application.email,
        context={"number": application.pk, "reason": reason},
    )
    audit_log(
        audit=audit,
        user=by,
        action=Action.ACCESS_APPLICATION_REJECTED,
        obj=application,
        details={"reason": reason},
    )


# --- Password reset -------------------------------------------------------------------------


class ResetTokenGenerator(PasswordResetTokenGenerator):
    """Django's signed, expiring token (PASSWORD_RESET_TIMEOUT) over our password state."""

    # The salt signs every link: it names the module the generator was first written in, so
    # links sent before the code moved keep working.
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


def password_reset_request(*, client_number: str, login: str, audit: AuditContext) -> None:
    """E-mail a reset link if the account exists and may reset; otherwise do nothing.

    The caller answers the same either way. At most one e-mail per account per
    PASSWORD_RESET_EMAIL_INTERVAL, so the form cannot be used to flood someone's inbox.
    """
    user = client_user_by_identifiers(client_number=client_number, login=login)
    known = user is not None
    audit_log(
        audit=audit,
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
    url = audit.absolute_url(
        reverse("accounts:password_reset_link", args=[uid, reset_tokens.make_token(user)])
    )
    valid_to = timezone.localtime() + dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    notify_message(
        "password_reset_link",
        channel=Message.Channel.EMAIL,
        recipient=user.email,
        context={
            "login": user.login,
            "client_number": user.company.client_number,
            "url": url,
            "valid_to": date_format(valid_to, "SHORT_DATETIME_FORMAT"),
        },
        user=user,
        sensitive=True,
    )
    audit_log(audit=audit, user=user, action=Action.PASSWORD_RESET_SENT)


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


def password_reset_send_code(*, user: User, token: str, audit: AuditContext) -> CodeIssue:
    _subject, text, _html = render_message(
        "password_reset_code", {"minutes": settings.SMS_CODE_VALIDITY // 60}
    )
    issue = code_send(user=user, purpose=_purpose(token), text=text)
    audit_log(
        audit=audit,
        user=user,
        action=Action.PASSWORD_RESET_CODE_SENT,
        details={} if issue.sent else {"refused": issue.result.value},
    )
    return issue


def password_reset_complete(
    *, user: User, token: str, code: str, password: str, audit: AuditContext
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
        audit=audit,
        failure_action=Action.PASSWORD_RESET_CODE_FAILED,
    )
    if result is not Check.OK:
        return result
    user_password_set(user=user, password=password, audit=audit)
    audit_log(audit=audit, user=user, action=Action.PASSWORD_RESET_DONE)
    return Check.OK
