"""Writes on client users' security state: passwords, invitations, lockout, unlock."""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from notifications.events import emit
from notifications.models import Message
from notifications.services import notify_message

from . import masked
from .audit import BACKGROUND, Action, AuditContext, audit_log
from .models import LockReason, MaskedPassword, SmsDevice, User
from .password_policy import validate_client_password

# One-time passwords avoid look-alike characters (0/O, 1/l/I): they are read off a phone.
ONE_TIME_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"

logger = logging.getLogger(__name__)


def pepper_keyring() -> masked.Keyring:
    """The current pepper and the retired ones still configured. Malformed retired entries are
    left out and logged (`check --deploy` names them): records under them fail sign-in cleanly."""
    retired, problems = masked.parse_retired_peppers(settings.MASKED_PASSWORD_RETIRED_PEPPERS)
    for problem in problems:
        logger.error("MASKED_PASSWORD_RETIRED_PEPPERS: %s", problem)
    current = settings.MASKED_PASSWORD_PEPPER_VERSION
    return masked.Keyring(
        current_version=current,
        peppers={**retired, current: settings.MASKED_PASSWORD_PEPPER.encode()},
    )


def pepper() -> bytes:
    """The current pepper: every new record is masked with it."""
    return settings.MASKED_PASSWORD_PEPPER.encode()


def current_kdf() -> masked.Kdf:
    return masked.Kdf(n=settings.MASKED_PASSWORD_SCRYPT_N)


def masked_record(record: MaskedPassword) -> masked.MaskedSecret:
    return masked.MaskedSecret(
        salt=bytes.fromhex(record.salt),
        length=record.length,
        threshold=record.threshold,
        shares=tuple(bytes.fromhex(s) for s in record.shares),
        secret_hash=bytes.fromhex(record.secret_hash),
        kdf=masked.Kdf.from_dict(record.kdf),
    )


def _end_other_sessions(user: User) -> None:
    # Client users never use Django's password; a fresh unusable one changes the session auth
    # hash, which ends every session signed in before this moment.
    user.set_unusable_password()


def user_sessions_end(*, user: User) -> None:
    """Every session of the user ends at its next request (the caller saves `password`)."""
    _end_other_sessions(user)


@transaction.atomic
def masked_password_set(
    *, user: User, password: str, temporary: bool = False, expires_at: dt.datetime | None = None
) -> MaskedPassword:
    """Store `password` as masked shares (replacing any previous one). No policy check here."""
    threshold = min(settings.MASKED_PASSWORD_POSITIONS, len(password) - 1)
    secret = masked.split_password(
        password, threshold=threshold, pepper=pepper(), kdf=current_kdf()
    )
    record, _created = MaskedPassword.objects.update_or_create(
        user=user,
        defaults={
            "salt": secret.salt.hex(),
            "length": secret.length,
            "threshold": secret.threshold,
            "shares": [s.hex() for s in secret.shares],
            "secret_hash": secret.secret_hash.hex(),
            "kdf": secret.kdf.as_dict(),
            "pepper_version": settings.MASKED_PASSWORD_PEPPER_VERSION,
            "is_temporary": temporary,
            "expires_at": expires_at,
            "challenge": None,
            "created_at": timezone.now(),
        },
    )
    return record


def generate_one_time_password() -> str:
    length = max(settings.PASSWORD_MIN_LENGTH, 10)
    return "".join(secrets.choice(ONE_TIME_ALPHABET) for _ in range(length))


@transaction.atomic
def user_invite(*, user: User, by: User | None, audit: AuditContext = BACKGROUND) -> None:
    """Open (or reopen) the first sign-in: a one-time password by SMS, login data by e-mail.

    The first sign-in with it forces setting an own password. Any lock is lifted and every
    existing session of the user ends.
    """
    if not user.company_id or not user.phone:
        raise ValueError("A client user with a mobile phone number is required.")
    password = generate_one_time_password()
    expires_at = timezone.now() + dt.timedelta(hours=settings.FIRST_SIGNIN_PASSWORD_VALID_HOURS)
    masked_password_set(user=user, password=password, temporary=True, expires_at=expires_at)
    user.must_change_password = True
    user.locked_at = None
    user.lock_reason = ""
    user.failed_signin_count = 0
    _end_other_sessions(user)
    user.save(
        update_fields=[
            "must_change_password",
            "locked_at",
            "lock_reason",
            "failed_signin_count",
            "password",
        ]
    )
    valid_to = date_format(timezone.localtime(expires_at), "SHORT_DATETIME_FORMAT")
    notify_message(
        "first_signin_password",
        channel=Message.Channel.SMS,
        recipient=user.phone,
        context={"password": password, "valid_to": valid_to},
        user=user,
        sensitive=True,
    )
    if user.email:
        # The identifiers go by another channel than the password.
        notify_message(
            "first_signin_access",
            channel=Message.Channel.EMAIL,
            recipient=user.email,
            context={"client_number": user.company.client_number, "login": user.login},
            user=user,
        )
    audit_log(
        audit=audit,
        user=by,
        company=user.company,
        action=Action.ACCOUNT_INVITED,
        obj=user,
        details={"valid_until": expires_at.isoformat()},
    )


@transaction.atomic
def user_password_set(
    *, user: User, password: str, audit: AuditContext = BACKGROUND, first: bool = False
) -> None:
    """Set the user's own password under the policy (raises ValidationError listing all rules
    broken). Other sessions end; a changed password is confirmed to the user by SMS."""
    validate_client_password(password, user)
    masked_password_set(user=user, password=password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    _end_other_sessions(user)
    user.save(update_fields=["must_change_password", "password_changed_at", "password"])
    audit_log(
        audit=audit,
        user=user,
        action=Action.PASSWORD_SET if first else Action.PASSWORD_CHANGED,
        obj=user,
    )
    if not first:
        emit("account.password_changed", user=user, context={})


@transaction.atomic
def user_lock(
    *,
    user: User,
    reason: str = LockReason.ADMIN,
    by: User | None = None,
    audit: AuditContext = BACKGROUND,
) -> None:
    """Block sign-in and end the user's sessions; the user is told by SMS."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_locked:
        return
    user.locked_at = timezone.now()
    user.lock_reason = reason
    _end_other_sessions(user)
    user.save(update_fields=["locked_at", "lock_reason", "password"])
    audit_log(
        audit=audit,
        user=by or user,
        company=user.company,
        action=Action.ACCOUNT_LOCKED,
        obj=user,
        details={"reason": reason, "failed_attempts": user.failed_signin_count},
    )
    emit("account.locked", user=user, context={"by_admin": reason == LockReason.ADMIN})


@transaction.atomic
def user_unlock(*, user: User, by: User | None, audit: AuditContext = BACKGROUND) -> None:
    """Lift a lock (staff in admin, company admins in the portal) and reset the counters."""
    user = User.objects.select_for_update().get(pk=user.pk)
    was_locked = user.is_locked
    user.locked_at = None
    user.lock_reason = ""
    user.failed_signin_count = 0
    user.save(update_fields=["locked_at", "lock_reason", "failed_signin_count"])
    SmsDevice.objects.filter(user=user).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )
    audit_log(
        audit=audit,
        user=by,
        company=user.company,
        action=Action.ACCOUNT_UNLOCKED,
        obj=user,
        details={"was_locked": was_locked},
    )
    if was_locked:
        emit("account.unlocked", user=user, context={})


def masked_email(address: str) -> str:
    """The address as "a***@firma.pl": enough for its owner to recognise, little for others."""
    local, _at, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def user_contact_change_notify(
    *, user: User, old: dict[str, str], changes: dict, by_admin: bool = False
) -> None:
    """Tell the old number / address that the phone / e-mail in `changes` was changed (by the
    user, or by their company admin), so a hijack does not go unnoticed. `old` holds the
    previous "phone" and "email"; `user` already has the new ones."""
    if "phone" in changes and old["phone"]:
        emit(
            "account.phone_changed",
            user=user,
            context={"by_admin": by_admin},
            channels=("sms",),
            to={"sms": str(old["phone"])},
        )
    if "email" in changes and old["email"]:
        emit(
            "account.email_changed",
            user=user,
            context={"login": user.login, "new": masked_email(user.email)},
            channels=("email",),
            to={"email": old["email"]},
        )


@transaction.atomic
def user_register_failure(*, user: User, kind: str, audit: AuditContext = BACKGROUND) -> bool:
    """Count one failed password or SMS code; lock at SIGNIN_MAX_FAILURES. True if now locked."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    locked.failed_signin_count += 1
    locked.save(update_fields=["failed_signin_count"])
    user.failed_signin_count = locked.failed_signin_count
    if not locked.is_locked and locked.failed_signin_count >= settings.SIGNIN_MAX_FAILURES:
        reason = LockReason.FAILED_PASSWORD if kind == "password" else LockReason.FAILED_CODE
        user_lock(user=locked, reason=reason, audit=audit)
        user.locked_at = timezone.now()
        return True
    return locked.is_locked


def user_failures_forget(*, user: User) -> None:
    """The user proved themselves (full sign-in, or a step-up code while signed in)."""
    User.objects.filter(pk=user.pk).update(failed_signin_count=0)
    user.failed_signin_count = 0


@transaction.atomic
def user_signin_reset(*, user: User) -> None:
    """After a complete sign-in: failures forgotten, a new challenge next time."""
    user_failures_forget(user=user)
    MaskedPassword.objects.filter(user=user).update(challenge=None)
