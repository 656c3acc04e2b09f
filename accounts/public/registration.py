"""Self-registration ("Zarejestruj się") of a company's first eBOK user.

The registrant names the company (client number, NIP), one of its invoices issued in the last
REGISTRATION_INVOICE_DAYS (number and gross amount) and the e-mail address and mobile phone the
lessor has on file for the company (`Company.email`, `Company.phone`: staff or the core feed set
them), and accepts the current versions of the terms and the data-processing notice.

Posting the form only stores the attempt and queues its check (`registration_submit`): the page
does the same work and gives the same answer whatever the data say, so nothing can be learned
about companies, invoices or addresses, not even from the time it takes. The check runs after
commit, in a worker (`accounts.tasks.registration_check`):
- everything matches and the company has no active user: an activation link (valid
  REGISTRATION_LINK_VALID_HOURS, single use; only a hash of its token is stored) goes to the
  company's e-mail address on file; an older pending link of the company stops working;
- the company is identified (client number + NIP) but already has an active user: nothing for
  the registrant; the company's active admins are told by e-mail that someone tried;
- anything else: nothing is sent.
Every attempt and its outcome is in the audit log.

Following the link, the person chooses a login and a password (the client password policy) -
this creates the user, still inactive - and confirms the phone on file with an SMS code; the
user then becomes active as the company's administrator (every permission) and the accepted
consents are recorded with their versions. Staff see registrations in the back office and may
revoke a pending one (its link stops working).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications.models import Message
from notifications.render import render_message
from notifications.services import notify_message

from ..audit import BACKGROUND, Action, AuditContext, audit_log, register_actions
from ..codes import Check, CodeIssue, code_send, code_verify
from ..models import Company, Consent, User
from ..permissions import PERMISSION_FIELDS
from ..selectors import active_admins
from ..services import masked_password_set, user_sessions_end
from .models import Registration


class RegistrationAction:
    SUBMITTED = "registration.submitted"
    LINK_SENT = "registration.link_sent"
    NOT_MATCHED = "registration.not_matched"
    COMPANY_HAS_USERS = "registration.company_has_users"
    RATE_LIMITED = "registration.rate_limited"
    CREDENTIALS_SET = "registration.credentials_set"
    CODE_SENT = "registration.code_sent"
    CODE_FAILED = "registration.code_failed"
    ACTIVATED = "registration.activated"
    REVOKED = "registration.revoked"


register_actions(
    {
        RegistrationAction.SUBMITTED: gettext_lazy("rejestracja: wysłano formularz"),
        RegistrationAction.LINK_SENT: gettext_lazy("rejestracja: wysłano link aktywacyjny"),
        RegistrationAction.NOT_MATCHED: gettext_lazy("rejestracja: dane niezgodne"),
        RegistrationAction.COMPANY_HAS_USERS: gettext_lazy(
            "rejestracja: firma ma już użytkowników"
        ),
        RegistrationAction.RATE_LIMITED: gettext_lazy("rejestracja: przekroczony limit prób"),
        RegistrationAction.CREDENTIALS_SET: gettext_lazy("rejestracja: wybrano login i hasło"),
        RegistrationAction.CODE_SENT: gettext_lazy("rejestracja: wysłano kod SMS"),
        RegistrationAction.CODE_FAILED: gettext_lazy("rejestracja: błędny kod SMS"),
        RegistrationAction.ACTIVATED: gettext_lazy("rejestracja: konto aktywne"),
        RegistrationAction.REVOKED: gettext_lazy("rejestracja: unieważniona przez obsługę"),
    }
)

# At most one "someone tried to register" e-mail per company in this many seconds.
ATTEMPT_NOTICE_INTERVAL = 60 * 60


class RegistrationError(Exception):
    """The registration cannot go on; the message is for the person (or staff)."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- Submitting and checking ------------------------------------------------------------------


@transaction.atomic
def registration_submit(
    *,
    client_number: str,
    nip: str,
    invoice_number: str,
    invoice_gross: Decimal,
    email: str,
    phone: str,
    language: str = "",
    audit: AuditContext = BACKGROUND,
) -> Registration:
    """Store the attempt and queue its check; nothing is looked up here (see the module)."""
    registration = Registration.objects.create(
        client_number=client_number,
        nip=nip,
        invoice_number=invoice_number,
        invoice_gross=invoice_gross,
        email=email.strip(),
        phone=phone,
        terms_version=settings.TERMS_VERSION,
        privacy_version=settings.PRIVACY_NOTICE_VERSION,
        ip=audit.ip,
        user_agent=audit.user_agent[:300],
        language=language[:8],
    )
    audit_log(
        audit=audit,
        action=RegistrationAction.SUBMITTED,
        obj=registration,
        details={"client_number": client_number},
    )
    registration_queue_check(registration.pk, audit=audit)
    return registration


def registration_queue_check(registration_id: int, *, audit: AuditContext = BACKGROUND) -> None:
    from ..tasks import registration_check  # tasks import this module

    base_url = audit.base_url
    # robust: a broker outage must not fail the page; the sweep (`registrations_check_due`)
    # picks the row up.
    transaction.on_commit(lambda: registration_check.delay(registration_id, base_url), robust=True)


def _mismatches(registration: Registration, company: Company | None) -> list[str]:
    """What does not match the company's data, in the order of the form ([]: all match)."""
    if company is None or not company.is_active:
        return ["client_number"]
    wrong = []
    if registration.nip != company.nip:
        wrong.append("nip")
    since = timezone.localdate() - dt.timedelta(days=settings.REGISTRATION_INVOICE_DAYS)
    # accounts sits below invoices: the invoice is reached through the company's relation.
    invoice = (
        company.invoices.filter(number__iexact=registration.invoice_number, issue_date__gte=since)
        .values("gross")
        .first()
    )
    if invoice is None:
        wrong.append("invoice_number")
    elif invoice["gross"] != registration.invoice_gross:
        wrong.append("invoice_gross")
    if not company.email or company.email.strip().lower() != registration.email.lower():
        wrong.append("email")
    if not company.phone or str(company.phone) != str(registration.phone):
        wrong.append("phone")
    return wrong


@transaction.atomic
def registration_check(*, registration_id: int, base_url: str = "") -> str:
    """Compare a submitted registration with the company's data and act on it (the module
    says how). Returns the new status; a registration already checked is left alone."""
    registration = (
        Registration.objects.select_for_update()
        .filter(pk=registration_id, status=Registration.Status.CHECKING)
        .first()
    )
    if registration is None:
        return ""
    audit = AuditContext(ip=registration.ip, user_agent=registration.user_agent, base_url=base_url)
    company = (
        Company.objects.select_for_update().filter(client_number=registration.client_number).first()
    )
    wrong = _mismatches(registration, company)
    identified = company is not None and not {"client_number", "nip"} & set(wrong)
    registration.company = company if identified else None
    registration.mismatches = wrong
    registration.checked_at = timezone.now()
    if identified and User.objects.filter(company=company, is_active=True).exists():
        registration.status = Registration.Status.COMPANY_HAS_USERS
        _tell_admins(company, registration)
        action = RegistrationAction.COMPANY_HAS_USERS
    elif wrong:
        registration.status = Registration.Status.NOT_MATCHED
        action = RegistrationAction.NOT_MATCHED
    else:
        _send_link(registration, company, audit)
        action = RegistrationAction.LINK_SENT
    registration.save()
    audit_log(
        audit=audit,
        company=registration.company,
        action=action,
        obj=registration,
        details={"client_number": registration.client_number, "mismatches": wrong},
    )
    return registration.status


def _send_link(registration: Registration, company: Company, audit: AuditContext) -> None:
    Registration.objects.filter(company=company, status=Registration.Status.PENDING).update(
        status=Registration.Status.REPLACED
    )
    token = secrets.token_urlsafe(32)
    registration.status = Registration.Status.PENDING
    registration.token_hash = _hash(token)
    registration.expires_at = timezone.now() + dt.timedelta(
        hours=settings.REGISTRATION_LINK_VALID_HOURS
    )
    url = audit.absolute_url(reverse("accounts:registration_link", args=[token]))
    notify_message(
        "registration_link",
        channel=Message.Channel.EMAIL,
        recipient=company.email,
        context={
            "client_number": company.client_number,
            "company": company.name,
            "url": url,
            "valid_to": date_format(
                timezone.localtime(registration.expires_at), "SHORT_DATETIME_FORMAT"
            ),
        },
        sensitive=True,
        language=registration.language or None,
    )


def _tell_admins(company: Company, registration: Registration) -> None:
    if not cache.add(f"registration-attempt-notice:{company.pk}", 1, ATTEMPT_NOTICE_INTERVAL):
        return
    moment = date_format(timezone.localtime(registration.created_at), "SHORT_DATETIME_FORMAT")
    for admin in active_admins(company=company).exclude(email=""):
        notify_message(
            "registration_attempt",
            channel=Message.Channel.EMAIL,
            recipient=admin.email,
            context={"client_number": company.client_number, "when": moment},
            user=admin,
        )


def registrations_check_due(*, older_than: dt.timedelta = dt.timedelta(minutes=2)) -> int:
    """Check the registrations whose queued check never ran (a broker outage)."""
    due = Registration.objects.filter(
        status=Registration.Status.CHECKING, created_at__lt=timezone.now() - older_than
    ).values_list("pk", flat=True)
    ids = list(due[:500])
    for pk in ids:
        registration_check(registration_id=pk)
    return len(ids)


# --- Following the link -----------------------------------------------------------------------


def registration_by_token(token: str) -> Registration | None:
    """The pending registration an e-mailed link belongs to, while the link works."""
    if not token or len(token) > 100:
        return None
    registration = (
        Registration.objects.select_related("company", "user")
        .filter(token_hash=_hash(token), status=Registration.Status.PENDING)
        .first()
    )
    if registration is None or registration.is_expired() or not registration.company.is_active:
        return None
    if registration.user is not None and registration.user.is_locked:
        return None  # too many wrong SMS codes: staff decide what happens next
    return registration


def registration_login_taken(*, registration: Registration, login: str) -> bool:
    others = User.objects.filter(company=registration.company, login=login)
    if registration.user_id:
        others = others.exclude(pk=registration.user_id)
    return others.exists()


@transaction.atomic
def registration_set_credentials(
    *,
    registration: Registration,
    login: str,
    first_name: str,
    last_name: str,
    password: str,
    audit: AuditContext,
) -> User:
    """Create (or, on a second try, update) the registrant's user, still inactive, with the
    chosen login and password (already checked by the form against the policy)."""
    company = registration.company
    user = registration.user or User(company=company, is_active=False)
    user.username = User.client_username(company.client_number, login)
    user.login = login
    user.first_name = first_name
    user.last_name = last_name
    user.email = company.email
    user.phone = company.phone
    user_sessions_end(user=user)  # an unusable Django password: clients use the masked one
    user.save()
    masked_password_set(user=user, password=password)
    if registration.user_id != user.pk:
        registration.user = user
        registration.save(update_fields=["user"])
    audit_log(
        audit=audit,
        user=user,
        action=RegistrationAction.CREDENTIALS_SET,
        obj=registration,
        details={"login": login},
    )
    return user


def _purpose(registration: Registration) -> str:
    return f"registration:{registration.pk}"


def registration_send_code(*, registration: Registration, audit: AuditContext) -> CodeIssue:
    _subject, text, _html = render_message(
        "registration_code", {"minutes": settings.SMS_CODE_VALIDITY // 60}
    )
    issue = code_send(user=registration.user, purpose=_purpose(registration), text=text)
    audit_log(
        audit=audit,
        user=registration.user,
        action=RegistrationAction.CODE_SENT,
        obj=registration,
        details={} if issue.sent else {"refused": issue.result.value},
    )
    return issue


def registration_activate(*, registration: Registration, code: str, audit: AuditContext) -> Check:
    """Confirm the phone with the SMS code; then the user is the company's active admin.

    Raises RegistrationError when the company got an active user in the meantime (another
    registration, staff): the link then stops working.
    """
    user = registration.user
    result = code_verify(
        user=user,
        purpose=_purpose(registration),
        code=code,
        audit=audit,
        failure_action=RegistrationAction.CODE_FAILED,
    )
    if result is not Check.OK:
        return result
    refusal = _activate(registration=registration, audit=audit)
    if refusal:
        raise RegistrationError(refusal)
    return Check.OK


@transaction.atomic
def _activate(*, registration: Registration, audit: AuditContext) -> str:
    """Make the user the company's active admin; or say why not ("" when done)."""
    company = Company.objects.select_for_update().get(pk=registration.company_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status != Registration.Status.PENDING:
        return _("Ten link już nie działa.")
    if User.objects.filter(company=company, is_active=True).exists():
        registration.status = Registration.Status.REPLACED
        registration.save(update_fields=["status"])
        return _("Firma ma już użytkownika eBOK. Dostęp nada Ci administrator Twojej firmy.")
    now = timezone.now()
    user = User.objects.select_for_update().get(pk=registration.user_id)
    user.is_active = True
    user.must_change_password = False
    user.password_changed_at = now
    user.failed_signin_count = 0
    for field in PERMISSION_FIELDS:  # the company's first administrator: every permission
        setattr(user, field, True)
    user.save()
    for kind, version in (
        (Consent.Kind.TERMS, registration.terms_version),
        (Consent.Kind.PRIVACY_NOTICE, registration.privacy_version),
    ):
        Consent.objects.create(
            company=company,
            user=user,
            kind=kind,
            granted=True,
            created_at=registration.created_at,
            by=user,
            source=Consent.Source.REGISTRATION,
            ip=registration.ip,
            version=version,
        )
    registration.status = Registration.Status.ACTIVATED
    registration.activated_at = now
    registration.save(update_fields=["status", "activated_at"])
    audit_log(audit=audit, user=user, action=RegistrationAction.ACTIVATED, obj=registration)
    audit_log(
        audit=audit,
        user=user,
        action=Action.USER_CREATED,
        obj=user,
        details={"login": user.login, "company_admin": True},
    )
    return ""


# --- Back office ------------------------------------------------------------------------------


@transaction.atomic
def registration_revoke(
    *, registration: Registration, by: User, audit: AuditContext = BACKGROUND
) -> None:
    """Staff: the pending registration's link stops working (its user, if any, stays inactive)."""
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status != Registration.Status.PENDING:
        raise RegistrationError(_("Unieważnić można tylko rejestrację oczekującą na aktywację."))
    registration.status = Registration.Status.REVOKED
    registration.revoked_at = timezone.now()
    registration.revoked_by = by
    registration.save(update_fields=["status", "revoked_at", "revoked_by"])
    audit_log(
        audit=audit,
        user=by,
        company=registration.company,
        action=RegistrationAction.REVOKED,
        obj=registration,
    )
