"""The three-step client sign-in: identifiers -> masked password -> SMS code.

From the outside, an unknown client number or login, an inactive or blocked user and wrong
characters look the same: the same pages, the same generic error, a stable challenge for any
identifiers (pinned for real users, derived by HMAC for the others) and one slow hash per
password check either way.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from . import masked
from .audit import Action, audit_log
from .codes import Check, CodeIssue, code_send, code_verify
from .models import MaskedPassword, User
from .selectors import client_user_by_identifiers, masked_password_for
from .services import current_kdf, masked_record, pepper, user_register_failure, user_signin_reset

SIGNIN_PURPOSE = "signin"


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
    *, request: HttpRequest, client_number: str, login: str, answers: dict[int, str]
) -> User | None:
    """The user if the characters at the pinned positions are right and they may sign in."""
    user = client_user_by_identifiers(client_number=client_number, login=login)
    record = masked_password_for(user)
    if record is None:
        masked.dummy_verify(current_kdf())
        audit_log(
            request=request,
            user=user,
            company=user.company if user else None,
            action=Action.SIGNIN_PASSWORD_FAILED,
            details=_identifiers(client_number, login, user),
        )
        return None
    asked = record.challenge if _valid_challenge(record.challenge, record) else []
    if sorted(answers) != sorted(asked):
        answers = {}  # answers for other positions than asked never verify
    ok = masked.verify_characters(masked_record(record), answers, pepper=pepper())
    expired = record.is_temporary and record.expires_at and record.expires_at < timezone.now()
    if user.is_locked:
        audit_log(
            request=request,
            user=user,
            action=Action.SIGNIN_PASSWORD_FAILED,
            details={"locked": True, "password_correct": ok},
        )
        return None
    if not ok:
        audit_log(
            request=request,
            user=user,
            action=Action.SIGNIN_PASSWORD_FAILED,
            details={"failed_attempts": user.failed_signin_count + 1},
        )
        user_register_failure(user=user, kind="password", request=request)
        return None
    if expired:
        audit_log(
            request=request,
            user=user,
            action=Action.SIGNIN_PASSWORD_FAILED,
            details={"one_time_password_expired": True},
        )
        return None
    _rehash_if_needed(record, answers)
    audit_log(request=request, user=user, action=Action.SIGNIN_PASSWORD_OK)
    return user


def _rehash_if_needed(record: MaskedPassword, answers: dict[int, str]) -> None:
    """Raise the slow hash's cost for an old record: the check just recovered its secret."""
    kdf = current_kdf()
    if masked.Kdf.from_dict(record.kdf) == kdf:
        return
    secret = masked.recover_secret(masked_record(record), answers, pepper=pepper())
    record.secret_hash = masked.slow_hash(secret, bytes.fromhex(record.salt), kdf).hex()
    record.kdf = kdf.as_dict()
    record.save(update_fields=["secret_hash", "kdf"])


def signin_send_code(*, request: HttpRequest, user: User) -> CodeIssue:
    issue = code_send(
        user=user,
        purpose=SIGNIN_PURPOSE,
        text=_(
            "eBOK: kod logowania {code}. Wazny %(minutes)d min. Nie podawaj go nikomu - "
            "nigdy o niego nie prosimy."
        )
        % {"minutes": settings.SMS_CODE_VALIDITY // 60},
    )
    audit_log(
        request=request,
        user=user,
        action=Action.SIGNIN_CODE_SENT if issue.sent else Action.SIGNIN_CODE_REFUSED,
        details={} if issue.sent else {"reason": issue.result.value},
    )
    return issue


def signin_verify_code(*, request: HttpRequest, user: User, code: str) -> Check:
    if User.objects.filter(pk=user.pk, locked_at__isnull=False).exists():
        return Check.LOCKED
    return code_verify(
        user=user,
        purpose=SIGNIN_PURPOSE,
        code=code,
        request=request,
        failure_action=Action.SIGNIN_CODE_FAILED,
    )


def signin_completed(*, request: HttpRequest, user: User) -> None:
    user_signin_reset(user=user)
    audit_log(request=request, user=user, action=Action.SIGNIN_SUCCEEDED)


def signin_identified(*, request: HttpRequest, client_number: str, login: str) -> None:
    user = client_user_by_identifiers(client_number=client_number, login=login)
    audit_log(
        request=request,
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
