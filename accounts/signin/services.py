"""The three-step client sign-in: identifiers -> masked password -> SMS code.

From the outside, an unknown client number or login, an inactive or blocked user and wrong
characters look the same: the same pages, the same generic error, a stable challenge for any
identifiers (pinned for real users, derived by HMAC for the others) and one slow hash per
password check either way.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from notifications.render import render_message

from .. import masked
from ..audit import Action, AuditContext, audit_log
from ..codes import Check, CodeIssue, code_send, code_verify
from ..models import MaskedPassword, User
from ..selectors import client_user_by_identifiers, masked_password_for
from ..services import (
    current_kdf,
    masked_record,
    pepper_keyring,
    user_register_failure,
    user_signin_reset,
)

SIGNIN_PURPOSE = "signin"

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Challenge:
    positions: tuple[int, ...]
    boxes: int  # always the maximum length: the page does not reveal the password's length


def _fake_positions(client_number: str, login: str) -> list[int]:
    return masked.fake_challenge(
        settings.SECRET_KEY.encode(),
        User.client_username(client_number, login),
        count=settings.MASKED_PASSWORD_POSITIONS,
        min_length=settings.PASSWORD_MIN_LENGTH,
    )


@transaction.atomic
def signin_challenge(*, client_number: str, login: str) -> Challenge:
    """The positions to ask for: pinned on a real user until a successful sign-in."""
    user = client_user_by_identifiers(client_number=client_number, login=login)
    record = masked_password_for(user)
    if record is None:
        positions = _fake_positions(client_number, login)
    else:
        record = MaskedPassword.objects.select_for_update().get(pk=record.pk)
        positions = record.challenge
        if not _valid_challenge(positions, record):
            positions = masked.draw_positions(record.length, record.threshold)
            record.challenge = positions
            record.save(update_fields=["challenge"])
    boxes = max(settings.PASSWORD_MAX_LENGTH, *positions)
    return Challenge(positions=tuple(positions), boxes=boxes)


def _valid_challenge(positions, record: MaskedPassword) -> bool:
    return (
        isinstance(positions, list)
        and len(set(positions)) == record.threshold
        and all(isinstance(p, int) and 1 <= p <= record.length for p in positions)
    )


def signin_check_password(
    *, audit: AuditContext, client_number: str, login: str, answers: dict[int, str]
) -> User | None:
    """The user if the characters at the pinned positions are right and they may sign in."""
    user = client_user_by_identifiers(client_number=client_number, login=login)
    record = masked_password_for(user)
    if record is None:
        masked.dummy_verify(current_kdf())
        audit_log(
            audit=audit,
            user=user,
            company=user.company if user else None,
            action=Action.SIGNIN_PASSWORD_FAILED,
            details=_identifiers(client_number, login, user),
        )
        return None
    asked = record.challenge if _valid_challenge(record.challenge, record) else []
    if sorted(answers) != sorted(asked):
        answers = {}  # answers for other positions than asked never verify
    keyring = pepper_keyring()
    record_pepper = keyring.get(record.pepper_version)
    if record_pepper is None:
        # Masked under a pepper this server no longer holds (retired too early, or a broken
        # MASKED_PASSWORD_RETIRED_PEPPERS): nothing can be checked. The user gets the generic
        # answer after the usual slow hash; no fault of theirs, so no failure is counted.
        masked.dummy_verify(current_kdf())
        logger.error(
            "Masked password of user %s is under pepper version %s, which is not configured.",
            user.pk,
            record.pepper_version,
        )
        audit_log(
            audit=audit,
            user=user,
            action=Action.SIGNIN_PASSWORD_FAILED,
            details={"pepper_version_unavailable": record.pepper_version},
        )
        return None
    ok = masked.verify_characters(masked_record(record), answers, pepper=record_pepper)
    expired = record.is_temporary and record.expires_at and record.expires_at < timezone.now()
    if user.is_locked:
        audit_log(
            audit=audit,
            user=user,
            action=Action.SIGNIN_PASSWORD_FAILED,
            details={"locked": True, "password_correct": ok},
        )
        return None
    if not ok:
        audit_log(
            audit=audit,
            user=user,
            action=Action.SIGNIN_PASSWORD_FAILED,
            details={"failed_attempts": user.failed_signin_count + 1},
        )
        user_register_failure(user=user, kind="password", audit=audit)
        return None
    if expired:
        audit_log(
            audit=audit,
            user=user,
            action=Action.SIGNIN_PASSWORD_FAILED,
            details={"one_time_password_expired": True},
        )
        return None
    _upgrade_if_needed(record, answers, keyring)
    audit_log(audit=audit, user=user, action=Action.SIGNIN_PASSWORD_OK)
    return user


def _upgrade_if_needed(
    record: MaskedPassword, answers: dict[int, str], keyring: masked.Keyring
) -> None:
    """Bring an old record up to date while the check's characters are at hand: re-mask it
    under the current pepper, and raise the slow hash's cost."""
    kdf = current_kdf()
    old_pepper = keyring.get(record.pepper_version)
    fields = []
    if record.pepper_version != keyring.current_version:
        try:
            remasked = masked.remask(
                masked_record(record), answers, old_pepper=old_pepper, new_pepper=keyring.current
            )
        except ValueError:
            # The sign-in itself was right; the record stays under its version and is tried
            # again next time. Only an operator can act on this, so it is logged.
            logger.error("Masked password of user %s could not be re-masked.", record.user_id)
        else:
            record.shares = [share.hex() for share in remasked.shares]
            record.pepper_version = keyring.current_version
            fields += ["shares", "pepper_version"]
    if masked.Kdf.from_dict(record.kdf) != kdf:
        secret = masked.recover_secret(
            masked_record(record), answers, pepper=keyring.get(record.pepper_version)
        )
        record.secret_hash = masked.slow_hash(secret, bytes.fromhex(record.salt), kdf).hex()
        record.kdf = kdf.as_dict()
        fields += ["secret_hash", "kdf"]
    if fields:
        record.save(update_fields=fields)


def signin_send_code(*, audit: AuditContext, user: User) -> CodeIssue:
    _subject, text, _html = render_message(
        "signin_code", {"minutes": settings.SMS_CODE_VALIDITY // 60}
    )
    issue = code_send(user=user, purpose=SIGNIN_PURPOSE, text=text)
    audit_log(
        audit=audit,
        user=user,
        action=Action.SIGNIN_CODE_SENT if issue.sent else Action.SIGNIN_CODE_REFUSED,
        details={} if issue.sent else {"reason": issue.result.value},
    )
    return issue


def signin_verify_code(*, audit: AuditContext, user: User, code: str) -> Check:
    if User.objects.filter(pk=user.pk, locked_at__isnull=False).exists():
        return Check.LOCKED
    return code_verify(
        user=user,
        purpose=SIGNIN_PURPOSE,
        code=code,
        audit=audit,
        failure_action=Action.SIGNIN_CODE_FAILED,
    )


def signin_completed(*, audit: AuditContext, user: User) -> None:
    user_signin_reset(user=user)
    audit_log(audit=audit, user=user, action=Action.SIGNIN_SUCCEEDED)


def signin_identified(*, audit: AuditContext, client_number: str, login: str) -> None:
    user = client_user_by_identifiers(client_number=client_number, login=login)
    audit_log(
        audit=audit,
        user=user,
        company=user.company if user else None,
        action=Action.SIGNIN_IDENTIFIED,
        details=_identifiers(client_number, login, user),
    )


def _identifiers(client_number: str, login: str, user: User | None) -> dict:
    """What the log keeps of typed identifiers. An unknown login is cut short: people type
    their password into the login box by mistake, and the log must not keep it."""
    if user is not None:
        return {"client_number": client_number, "known": True}
    hint = login[:3] + "…" if len(login) > 3 else login
    return {"client_number": client_number, "login_hint": hint, "known": False}
