"""A user's e-mail address changes only once the new address has proven it receives mail.

Asking for a change (the user in the profile after the SMS step-up, or their company admin)
sends a single-use link, valid EMAIL_CHANGE_TIMEOUT, to the NEW address and tells the old one.
Until the link is followed the old address stays in effect: reset links and notices keep going
there. The link carries a random 256-bit token of which only a SHA-256 hash is stored, so a
database dump cannot confirm anything; resending issues a new link and voids the older one.
Each step is in the audit log.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import logging
import secrets

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy

from notifications.models import Message
from notifications.services import notify_message

from ..audit import BACKGROUND, Action, AuditContext, audit_log, register_actions
from ..models import EmailChange, User
from ..services import masked_email, user_contact_change_notify

# A new link at most this often, and at most this many a day per user (the step-up's SMS
# limits already bound new requests): the form must not become a way to flood a mailbox.
RESEND_INTERVAL = dt.timedelta(minutes=1)
LINKS_PER_DAY = 10

logger = logging.getLogger(__name__)


class EmailAction:
    REQUESTED = "profile.email_change_requested"
    RESENT = "profile.email_change_resent"
    CANCELLED = "profile.email_change_cancelled"
    LINK_REFUSED = "profile.email_change_link_refused"
    # The change itself is Action.CONTACT_CHANGED, like a phone number change.


register_actions(
    {
        EmailAction.REQUESTED: gettext_lazy("zmiana e-maila: wysłano link na nowy adres"),
        EmailAction.RESENT: gettext_lazy("zmiana e-maila: ponownie wysłano link"),
        EmailAction.CANCELLED: gettext_lazy("zmiana e-maila: anulowana"),
        EmailAction.LINK_REFUSED: gettext_lazy("zmiana e-maila: odrzucony link"),
    }
)


class LinkState(enum.Enum):
    VALID = "valid"
    UNKNOWN = "unknown"  # never issued (mistyped, cut short or forged)
    EXPIRED = "expired"
    USED = "used"
    REPLACED = "replaced"
    CANCELLED = "cancelled"
    INACTIVE = "inactive"  # the account can no longer sign in (blocked, deactivated)


class Resend(enum.Enum):
    SENT = "sent"
    TOO_SOON = "too_soon"
    DAILY_LIMIT = "daily_limit"
    NOTHING_PENDING = "nothing_pending"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def email_change_pending(*, user: User) -> EmailChange | None:
    """The user's change waiting for its link (expired ones too: the profile offers a resend)."""
    return EmailChange.objects.filter(user=user, status=EmailChange.Status.PENDING).first()


def _issue_link(*, user: User, new_email: str, by: User | None, audit: AuditContext) -> EmailChange:
    """A new pending row and its link mailed to `new_email` (the caller closed the old row)."""
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    change = EmailChange.objects.create(
        user=user,
        old_email=user.email,
        new_email=new_email,
        token_hash=_hash(token),
        requested_by=by,
        created_at=now,
        expires_at=now + dt.timedelta(seconds=settings.EMAIL_CHANGE_TIMEOUT),
    )
    url = audit.absolute_url(reverse("accounts:email_change_link", args=[token]))
    # Nothing of the account (login, client number) goes to an address not yet proven.
    notify_message(
        "email_change_link",
        channel=Message.Channel.EMAIL,
        recipient=new_email,
        context={
            "url": url,
            "valid_to": date_format(timezone.localtime(change.expires_at), "SHORT_DATETIME_FORMAT"),
        },
        user=user,
        sensitive=True,
    )
    return change


def _close(change: EmailChange, status: str) -> None:
    change.status = status
    change.closed_at = timezone.now()
    change.save(update_fields=["status", "closed_at"])


def _locked_pending(user: User) -> EmailChange | None:
    return (
        EmailChange.objects.select_for_update()
        .filter(user=user, status=EmailChange.Status.PENDING)
        .first()
    )


@transaction.atomic
def email_change_request(
    *, user: User, new_email: str, by: User, audit: AuditContext = BACKGROUND
) -> EmailChange:
    """Start verifying `new_email` for `user` (asked by `by`: the user, their company admin, or
    the lessor's staff in the back office).

    Replaces a change still pending. The old address is told at once, so a hijacked session
    cannot move the account's mail unnoticed.
    """
    new_email = new_email.strip()
    if not new_email:
        raise ValueError("An e-mail address is required.")
    user = User.objects.select_for_update(of=("self",)).select_related("company").get(pk=user.pk)
    previous = _locked_pending(user)
    if previous is not None:
        _close(previous, EmailChange.Status.REPLACED)
    change = _issue_link(user=user, new_email=new_email, by=by, audit=audit)
    # Asked by the lessor's staff (the back office), by the company's admin, or by the user.
    by_staff = by.is_staff and not by.company_id
    by_admin = by.pk != user.pk and not by_staff
    audit_log(
        audit=audit,
        user=by,
        company=user.company,
        action=EmailAction.REQUESTED,
        obj=user,
        details={
            "new_email": new_email,
            "old_email": user.email,
            "by_admin": by_admin,
            **({"by_staff": True} if by_staff else {}),
            "valid_until": change.expires_at.isoformat(),
        },
    )
    if user.email:
        notify_message(
            "email_change_requested",
            channel=Message.Channel.EMAIL,
            recipient=user.email,
            context={
                "login": user.login,
                "new": masked_email(new_email),
                "by_admin": by_admin,
                "by_staff": by_staff,
            },
            user=user,
        )
    return change


@transaction.atomic
def email_change_resend(*, user: User, audit: AuditContext = BACKGROUND) -> Resend:
    """A new link for the pending change (the older link stops working)."""
    User.objects.select_for_update().filter(pk=user.pk).first()  # one resend at a time
    pending = _locked_pending(user)
    if pending is None:
        return Resend.NOTHING_PENDING
    now = timezone.now()
    if now - pending.created_at < RESEND_INTERVAL:
        return Resend.TOO_SOON
    sent_today = EmailChange.objects.filter(
        user=user, created_at__gt=now - dt.timedelta(days=1)
    ).count()
    if sent_today >= LINKS_PER_DAY:
        return Resend.DAILY_LIMIT
    _close(pending, EmailChange.Status.REPLACED)
    change = _issue_link(
        user=user, new_email=pending.new_email, by=pending.requested_by, audit=audit
    )
    audit_log(
        audit=audit,
        user=user,
        action=EmailAction.RESENT,
        obj=user,
        details={"new_email": change.new_email, "valid_until": change.expires_at.isoformat()},
    )
    return Resend.SENT


@transaction.atomic
def email_change_cancel(*, user: User, audit: AuditContext = BACKGROUND) -> bool:
    """Drop the pending change (its link stops working); False if there was none."""
    pending = _locked_pending(user)
    if pending is None:
        return False
    _close(pending, EmailChange.Status.CANCELLED)
    audit_log(
        audit=audit,
        user=user,
        action=EmailAction.CANCELLED,
        obj=user,
        details={"new_email": pending.new_email},
    )
    return True


def _state(change: EmailChange | None) -> LinkState:
    if change is None:
        return LinkState.UNKNOWN
    by_status = {
        EmailChange.Status.CONFIRMED: LinkState.USED,
        EmailChange.Status.REPLACED: LinkState.REPLACED,
        EmailChange.Status.CANCELLED: LinkState.CANCELLED,
    }
    if change.status in by_status:
        return by_status[change.status]
    if change.is_expired():
        return LinkState.EXPIRED
    user = change.user
    if not (user.is_active and not user.is_locked and user.company and user.company.is_active):
        return LinkState.INACTIVE
    return LinkState.VALID


def email_change_check(*, token: str) -> tuple[LinkState, EmailChange | None]:
    """What a link's token stands for, without changing anything."""
    change = (
        EmailChange.objects.select_related("user__company").filter(token_hash=_hash(token)).first()
        if token
        else None
    )
    return _state(change), change


def email_change_refused(
    *, state: LinkState, change: EmailChange | None, audit: AuditContext = BACKGROUND
) -> None:
    """Record a refused link in its account's audit log. A token that names no change belongs
    to no account: it is only logged, so anonymous requests cannot flood the audit log."""
    if change is None:
        logger.warning("E-mail change link refused: %s.", state.value)
        return
    audit_log(
        audit=audit,
        user=change.user,
        company=change.user.company,
        action=EmailAction.LINK_REFUSED,
        obj=change.user,
        details={"reason": state.value, "new_email": change.new_email},
    )


@transaction.atomic
def email_change_confirm(*, token: str, audit: AuditContext = BACKGROUND) -> LinkState:
    """Follow the link: the new address replaces the old one (told once more) if still valid."""
    change = (
        EmailChange.objects.select_for_update(of=("self",))
        .select_related("user__company")
        .filter(token_hash=_hash(token))
        .first()
        if token
        else None
    )
    state = _state(change)
    if state is not LinkState.VALID:
        email_change_refused(state=state, change=change, audit=audit)
        return state
    user = User.objects.select_for_update().get(pk=change.user_id)
    old = {"email": user.email, "phone": str(user.phone or "")}
    user.email = change.new_email
    user.save(update_fields=["email"])
    _close(change, EmailChange.Status.CONFIRMED)
    changes = {"email": [old["email"], user.email]}
    audit_log(
        audit=audit,
        user=user,
        action=Action.CONTACT_CHANGED,
        obj=user,
        details={"changed": changes, "confirmed_by_link": True},
    )
    user_contact_change_notify(user=user, old=old, changes=changes)
    return LinkState.VALID
