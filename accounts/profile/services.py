"""The signed-in user's own data: contact changes (SMS step-up) and consents with history.

A contact change is confirmed with a code sent to the user's CURRENT number (accounts.stepup);
a new phone number is then verified with a second code sent to that new number, so nobody
moves the account's SMS codes to a phone they do not hold, and no typo locks the user out. A new
e-mail address is verified the same way, by a link sent to it (accounts.profile.email_change).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction

from notifications.render import render_message

from ..audit import BACKGROUND, Action, AuditContext, audit_log
from ..codes import Check, CodeIssue, code_send, code_verify
from ..models import Company, Consent, User
from ..permissions import Perm, has_perm
from ..selectors import consent_state
from ..services import user_contact_change_notify
from ..stepup import stepup_digest
from .email_change import email_change_request

CONTACT_CHANGE = "contact_change"


def contact_payload(*, user: User, email: str, phone: str) -> dict:
    """What the step-up code and the new-number code are bound to."""
    return {"user": user.pk, "email": email, "phone": str(phone)}


def _new_phone_purpose(payload: dict) -> str:
    return "new_phone:" + stepup_digest(CONTACT_CHANGE, payload)


def new_phone_send_code(*, user: User, payload: dict, audit: AuditContext) -> CodeIssue:
    _subject, text, _html = render_message(
        "new_phone_code", {"minutes": settings.SMS_CODE_VALIDITY // 60}
    )
    issue = code_send(
        user=user, purpose=_new_phone_purpose(payload), to=payload["phone"], text=text
    )
    audit_log(
        audit=audit,
        user=user,
        action=Action.CONTACT_NEW_PHONE_CODE_SENT,
        details={} if issue.sent else {"refused": issue.result.value},
    )
    return issue


def new_phone_verify(*, user: User, payload: dict, code: str, audit: AuditContext) -> Check:
    return code_verify(
        user=user,
        purpose=_new_phone_purpose(payload),
        code=code,
        audit=audit,
        failure_action=Action.CONTACT_NEW_PHONE_CODE_FAILED,
    )


@transaction.atomic
def contact_change(
    *, user: User, email: str, phone: str, audit: AuditContext = BACKGROUND
) -> list[str]:
    """Apply the confirmed contact change: the verified phone number at once (the old number is
    told); a new e-mail address only once the link sent to it is followed (the old address is
    told now). Returns the fields that changed or are now waiting: "phone", "email"."""
    user = User.objects.select_for_update().get(pk=user.pk)
    old = {"email": user.email, "phone": str(user.phone or "")}
    new = {"email": email, "phone": str(phone)}
    changes = {field: [old[field], new[field]] for field in old if old[field] != new[field]}
    if "phone" in changes:
        user.phone = new["phone"]
        user.save(update_fields=["phone"])
        audit_log(
            audit=audit,
            user=user,
            action=Action.CONTACT_CHANGED,
            obj=user,
            details={"changed": {"phone": changes["phone"]}},
        )
        user_contact_change_notify(user=user, old=old, changes={"phone": changes["phone"]})
    if "email" in changes:
        email_change_request(user=user, new_email=new["email"], by=user, audit=audit)
    return list(changes)


COMPANY_CONSENTS = frozenset({Consent.Kind.E_INVOICES})
USER_CONSENTS = frozenset({Consent.Kind.MARKETING})


@transaction.atomic
def consent_set(
    *, by: User, kind: str, granted: bool, audit: AuditContext = BACKGROUND
) -> Consent | None:
    """Give or withdraw a consent: the user's own (marketing) or, for a company admin, the
    company's (e-invoices). Appends a history row; None if nothing changed."""
    company: Company = Company.objects.select_for_update().get(pk=by.company_id)
    if kind in COMPANY_CONSENTS:
        if not has_perm(by, Perm.ADMIN):
            raise PermissionDenied
        subject = None
    elif kind in USER_CONSENTS:
        subject = by
    else:
        raise ValueError(f"Consent {kind!r} cannot be changed in the portal.")
    current = consent_state(company=company, user=subject, kind=kind)
    if (current.granted if current else False) == granted:
        return None
    row = Consent.objects.create(
        company=company,
        user=subject,
        kind=kind,
        granted=granted,
        by=by,
        source=Consent.Source.PORTAL,
        ip=audit.ip,
    )
    audit_log(
        audit=audit,
        user=by,
        company=company,
        action=Action.CONSENT_GRANTED if granted else Action.CONSENT_WITHDRAWN,
        obj=row,
        details={"kind": kind, "scope": "company" if subject is None else "user"},
    )
    return row
