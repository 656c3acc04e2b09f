"""Step-up: confirm one critical operation with a fresh SMS code bound to its content.

The code's purpose is a digest of the operation name and its canonicalised payload, so a code
sent for "change phone to +48 600 000 001" confirms exactly that and nothing else: not another
operation, not the same operation with other data.

Services: `stepup_begin(...)` sends the code, `stepup_verify(...)` checks it.
In a view, `StepUp` wraps both around a validated form (works with or without HTMX):

    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        stepup = StepUp(request, operation="contact_change", payload=form.cleaned_data,
                        summary=_("zmiana danych kontaktowych"))
        if stepup.confirmed():
            contact_change(...)
            return redirect(...)
        return render(request, "profile/contact.html", {"form": form, "stepup": stepup})

and inside that template's <form>: `{% include "accounts/partials/stepup.html" %}` — it
carries the form's fields as hidden inputs, asks for the code and offers "send again".
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

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext as _

from notifications.services import gsm_text

from .audit import Action, audit_log
from .codes import Check, CodeIssue, Sent, code_send, code_verify, masked_phone
from .forms import sms_code_field
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
    request: HttpRequest | None = None,
) -> StepUpChallenge:
    """Send a code that confirms `operation` with exactly this `payload`."""
    digest = stepup_digest(operation, payload)
    what = gsm_text(summary or operation).replace("{", "(").replace("}", ")")
    issue = code_send(
        user=user,
        purpose=_purpose(operation, payload),
        text=_("eBOK: kod {code} potwierdza operacje: %(what)s. Wazny %(minutes)d min.")
        % {"what": what[:60], "minutes": settings.SMS_CODE_VALIDITY // 60},
    )
    if issue.sent:
        audit_log(
            request=request,
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
    request: HttpRequest | None = None,
) -> Check:
    """Check.OK only for a fresh, unused code sent for this operation and payload."""
    details = {"operation": operation, "digest": stepup_digest(operation, payload)[:16]}
    result = code_verify(
        user=user,
        purpose=_purpose(operation, payload),
        code=code,
        request=request,
        failure_action=Action.STEPUP_FAILED,
        details=details,
    )
    if result is Check.OK:
        user_failures_forget(user=user)
        audit_log(request=request, user=user, action=Action.STEPUP_CONFIRMED, details=details)
    return result


class StepUpCodeForm(forms.Form):
    stepup_code = sms_code_field()


class StepUp:
    """The step-up exchange inside a view: send a code on the first POST, verify on the next.

    POST data with `stepup_code` (and without `stepup_resend`) is a confirmation attempt;
    anything else sends a code (subject to the cooldown and the daily cap).
    """

    CODE_FIELD = "stepup_code"
    RESEND_FIELD = "stepup_resend"

    def __init__(
        self,
        request: HttpRequest,
        *,
        operation: str,
        payload: Mapping[str, Any],
        summary: str = "",
    ) -> None:
        self.request = request
        self.operation = operation
        self.payload = payload
        self.summary = summary
        self.code_form = StepUpCodeForm()
        self.challenge: StepUpChallenge | None = None
        self.error = ""
        self.notice = ""
        self._confirmed: bool | None = None

    @property
    def user(self) -> User:
        return self.request.user

    @property
    def phone(self) -> str:
        return masked_phone(self.user)

    def confirmed(self) -> bool:
        if self._confirmed is None:
            self._confirmed = self._run()
        return self._confirmed

    def _run(self) -> bool:
        data = self.request.POST
        if self.CODE_FIELD in data and self.RESEND_FIELD not in data:
            self.code_form = StepUpCodeForm(data)
            code = data.get(self.CODE_FIELD, "")
            result = stepup_verify(
                user=self.user,
                operation=self.operation,
                payload=self.payload,
                code=code,
                request=self.request,
            )
            if result is Check.OK:
                return True
            self.error = check_message(result)
            self.code_form = StepUpCodeForm()
            return False
        self.challenge = stepup_begin(
            user=self.user,
            operation=self.operation,
            payload=self.payload,
            summary=self.summary,
            request=self.request,
        )
        self.notice, self.error = issue_messages(self.challenge.issue, self.phone)
        return False


def check_message(result: Check) -> str:
    if result is Check.THROTTLED:
        return _("Zbyt wiele prób w krótkim czasie. Odczekaj chwilę i spróbuj ponownie.")
    if result is Check.LOCKED:
        return _("Dostęp został zablokowany po kolejnych błędnych kodach.")
    return _("Nieprawidłowy lub nieważny kod SMS.")


def flash_issue_messages(request: HttpRequest, issue: CodeIssue, phone: str) -> None:
    """`issue_messages` as a message on the next page (after a redirect)."""
    notice, error = issue_messages(issue, phone)
    if notice:
        messages.success(request, notice)
    else:
        messages.warning(request, error)


def issue_messages(issue: CodeIssue, phone: str) -> tuple[str, str]:
    """(notice, error) for the result of sending a code."""
    if issue.result is Sent.SENT:
        return _("Wysłaliśmy kod SMS na numer %(phone)s.") % {"phone": phone}, ""
    if issue.result is Sent.COOLDOWN:
        return "", _("Kod został wysłany przed chwilą. Nowy możesz zamówić za %(s)d s.") % {
            "s": issue.wait_seconds
        }
    if issue.result is Sent.DAILY_LIMIT:
        return "", _("Wykorzystano dzienny limit kodów SMS. Spróbuj ponownie jutro.")
    return "", _("Brak numeru telefonu do wysłania kodu. Skontaktuj się z administratorem.")
