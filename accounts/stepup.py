"""Step-up: confirm one critical operation with a fresh SMS code bound to its content.

The code's purpose is a digest of the operation name and its canonicalised payload, so a code
sent for "change phone to +48 600 000 001" confirms exactly that and nothing else: not another
operation, not the same operation with other data.

`stepup_begin(...)` sends the code, `stepup_verify(...)` checks it; neither needs a request, so
a command or an API can confirm an operation too. In a view, `accounts.view_helpers.StepUp`
wraps both around a validated form.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models

from notifications.render import render_message
from notifications.services import gsm_text

from .audit import BACKGROUND, Action, AuditContext, audit_log
from .codes import Check, CodeIssue, code_send, code_verify, masked_phone
from .models import User
from .services import user_failures_forget


def _json_default(value: Any) -> Any:
    if isinstance(value, models.Model):
        return f"{value._meta.label_lower}:{value.pk}"
    if isinstance(value, models.QuerySet):
        return sorted(f"{o._meta.label_lower}:{o.pk}" for o in value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    return str(value)


def stepup_digest(operation: str, payload: Mapping[str, Any]) -> str:
    canonical = json.dumps(
        {"operation": operation, "payload": payload},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=_json_default,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _purpose(operation: str, payload: Mapping[str, Any]) -> str:
    return f"stepup:{stepup_digest(operation, payload)}"


@dataclass(frozen=True)
class StepUpChallenge:
    operation: str
    digest: str
    issue: CodeIssue
    phone: str  # masked


def stepup_begin(
    *,
    user: User,
    operation: str,
    payload: Mapping[str, Any],
    summary: str = "",
    audit: AuditContext = BACKGROUND,
) -> StepUpChallenge:
    """Send a code that confirms `operation` with exactly this `payload`."""
    digest = stepup_digest(operation, payload)
    what = gsm_text(summary or operation).replace("{", "(").replace("}", ")")
    _subject, text, _html = render_message(
        "stepup_code", {"what": what[:60], "minutes": settings.SMS_CODE_VALIDITY // 60}
    )
    issue = code_send(user=user, purpose=_purpose(operation, payload), text=text)
    if issue.sent:
        audit_log(
            audit=audit,
            user=user,
            action=Action.STEPUP_CODE_SENT,
            details={"operation": operation, "digest": digest[:16]},
        )
    return StepUpChallenge(operation, digest, issue, masked_phone(user))


def stepup_verify(
    *,
    user: User,
    operation: str,
    payload: Mapping[str, Any],
    code: str,
    audit: AuditContext = BACKGROUND,
) -> Check:
    """Check.OK only for a fresh, unused code sent for this operation and payload."""
    details = {"operation": operation, "digest": stepup_digest(operation, payload)[:16]}
    result = code_verify(
        user=user,
        purpose=_purpose(operation, payload),
        code=code,
        audit=audit,
        failure_action=Action.STEPUP_FAILED,
        details=details,
    )
    if result is Check.OK:
        user_failures_forget(user=user)
        audit_log(audit=audit, user=user, action=Action.STEPUP_CONFIRMED, details=details)
    return result
