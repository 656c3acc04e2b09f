"""One-time SMS codes (django-otp side-channel device), shared by sign-in and step-up.

A code is bound to a purpose string; it verifies only for that purpose, only once and only
until it expires. Sending waits for a cooldown and stops at a daily cap per user. Every wrong
code counts toward the user's lockout, like a wrong password.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.models import GenerateNotAllowed

from notifications.services import send_sms

from .audit import BACKGROUND, AuditContext, audit_log
from .models import SmsDevice, User
from .services import user_register_failure


class Sent(Enum):
    SENT = "sent"
    COOLDOWN = "cooldown"
    DAILY_LIMIT = "daily_limit"
    NO_PHONE = "no_phone"


class Check(Enum):
    OK = "ok"
    WRONG = "wrong"
    THROTTLED = "throttled"
    LOCKED = "locked"


@dataclass(frozen=True)
class CodeIssue:
    result: Sent
    next_send_at: dt.datetime | None = None
    valid_until: dt.datetime | None = None

    @property
    def sent(self) -> bool:
        return self.result is Sent.SENT

    @property
    def wait_seconds(self) -> int:
        if self.next_send_at is None:
            return 0
        return max(0, int((self.next_send_at - timezone.now()).total_seconds()) + 1)


def masked_phone(user: User) -> str:
    """ "+48 *** *** 789": enough to recognise one's own number, not to learn someone's."""
    digits = str(user.phone or "")
    if len(digits) < 4:
        return ""
    return f"{digits[:3]} *** *** {digits[-3:]}"


def sms_device(user: User, *, for_update: bool = False) -> SmsDevice:
    SmsDevice.objects.get_or_create(user=user, defaults={"name": "SMS"})
    queryset = SmsDevice.objects.filter(user=user)
    if for_update:
        queryset = queryset.select_for_update()
    return queryset.get()


@transaction.atomic
def code_send(*, user: User, purpose: str, text: str, to: str | None = None) -> CodeIssue:
    """Generate a code for `purpose` and queue it by SMS; `text` has a "{code}" placeholder
    (the texts are templates/notifications/*_code/: `render_message(...)` gives one).

    The code goes to the user's phone, or to `to` (a new number being verified: the code
    proves the user holds it). A new code replaces the previous one (of whatever purpose).
    """
    phone = to or user.phone
    if not phone:
        return CodeIssue(Sent.NO_PHONE)
    device = sms_device(user, for_update=True)
    allowed, info = device.generate_is_allowed()
    if not allowed and info and info.get("reason") == GenerateNotAllowed.COOLDOWN_DURATION_PENDING:
        return CodeIssue(Sent.COOLDOWN, next_send_at=info["next_generation_at"])
    today = timezone.localdate()
    if device.sent_on != today:
        device.sent_on, device.sent_count = today, 0
    if device.sent_count >= settings.SMS_DAILY_LIMIT_PER_USER:
        return CodeIssue(Sent.DAILY_LIMIT)
    device.sent_count += 1
    device.purpose = purpose
    device.cooldown_set(commit=False)
    device.generate_token(length=6, valid_secs=settings.SMS_CODE_VALIDITY, commit=False)
    device.save()
    send_sms(to=phone, body=text.format(code=device.token), user=user, sensitive=True)
    return CodeIssue(
        Sent.SENT,
        next_send_at=device.last_generated_timestamp
        + dt.timedelta(seconds=settings.SMS_CODE_RESEND_COOLDOWN),
        valid_until=device.valid_until,
    )


def code_verify(
    *,
    user: User,
    purpose: str,
    code: str,
    failure_action: str,
    audit: AuditContext = BACKGROUND,
    details: dict | None = None,
) -> Check:
    """Check and consume a code. A failed attempt is audited as `failure_action`; a wrong code
    then counts toward lockout (outside the device's transaction, so the count survives
    whatever the caller does next)."""
    code = "".join(str(code or "").split())
    well_formed = len(code) == 6 and code.isdigit()
    with transaction.atomic():
        device = sms_device(user, for_update=True)
        allowed, _info = device.verify_is_allowed()
        if not allowed:
            result = Check.THROTTLED
        elif well_formed and device.verify_code(code, purpose):
            result = Check.OK
        else:
            if not well_formed:
                device.throttle_increment()
            result = Check.WRONG
    if result is Check.OK:
        return result
    audit_log(
        audit=audit,
        user=user,
        action=failure_action,
        details={**(details or {}), "result": result.value},
    )
    if result is Check.THROTTLED:
        return result
    locked = user_register_failure(user=user, kind="sms_code", audit=audit)
    return Check.LOCKED if locked else Check.WRONG
