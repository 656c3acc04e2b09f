"""What the views of sign-in, company administration, profile and self-service share: the
step-up exchange inside a view, and the user's messages for sending and checking SMS codes.

`StepUp` wraps `accounts.stepup` around a validated form (works with or without HTMX):

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

from collections.abc import Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext as _

from .audit import audit_context
from .codes import Check, CodeIssue, Sent, masked_phone
from .fields import sms_code_field
from .models import User
from .stepup import StepUpChallenge, stepup_begin, stepup_verify


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
                audit=audit_context(self.request),
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
            audit=audit_context(self.request),
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
