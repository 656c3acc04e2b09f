"""SMS codes (django-otp device) and the step-up service that binds a code to an operation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory
from django.utils import timezone

from accounts.audit import Action
from accounts.codes import Check, Sent, code_send, code_verify
from accounts.models import AuditEntry, SmsDevice
from accounts.stepup import stepup_begin, stepup_digest, stepup_verify
from accounts.view_helpers import StepUp

from .helpers import last_code, last_sms

pytestmark = pytest.mark.django_db

TEXT = "kod {code}"


def verify(user, purpose: str, code: str) -> Check:
    return code_verify(user=user, purpose=purpose, code=code, failure_action="test.failed")


def _unthrottle(user):
    SmsDevice.objects.filter(user=user).update(throttling_failure_timestamp=None)


def test_a_code_is_six_digits_sent_by_sms_to_the_users_phone(client_user):
    issue = code_send(user=client_user, purpose="signin", text=TEXT)
    assert issue.result is Sent.SENT
    sms = last_sms(client_user)
    assert sms.recipient == "+48600100200"
    assert sms.sensitive
    assert len(last_code(client_user)) == 6
    assert issue.valid_until - timezone.now() <= dt.timedelta(minutes=5)


def test_a_code_works_once(client_user):
    code_send(user=client_user, purpose="signin", text=TEXT)
    code = last_code(client_user)
    assert verify(client_user, "signin", code) is Check.OK
    _unthrottle(client_user)
    assert verify(client_user, "signin", code) is Check.WRONG


def test_a_code_expires(client_user):
    code_send(user=client_user, purpose="signin", text=TEXT)
    code = last_code(client_user)
    # Move the clock instead of sleeping: the code was issued 5 minutes and 1 second ago.
    SmsDevice.objects.filter(user=client_user).update(
        valid_until=timezone.now() - dt.timedelta(seconds=1)
    )
    assert verify(client_user, "signin", code) is Check.WRONG


def test_a_code_only_confirms_its_own_purpose(client_user):
    code_send(user=client_user, purpose="signin", text=TEXT)
    code = last_code(client_user)
    assert verify(client_user, "password_change", code) is Check.WRONG
    _unthrottle(client_user)
    # ...and the failed attempt did not burn it for its real purpose.
    assert verify(client_user, "signin", code) is Check.OK


def test_a_new_code_replaces_the_previous_one(client_user, settings):
    settings.SMS_CODE_RESEND_COOLDOWN = 0
    code_send(user=client_user, purpose="signin", text=TEXT)
    first = last_code(client_user)
    code_send(user=client_user, purpose="signin", text=TEXT)
    second = last_code(client_user)
    if first != second:
        assert verify(client_user, "signin", first) is Check.WRONG
        _unthrottle(client_user)
    assert verify(client_user, "signin", second) is Check.OK


def test_failed_verifications_back_off(client_user):
    code_send(user=client_user, purpose="signin", text=TEXT)
    assert verify(client_user, "signin", "000000") is Check.WRONG
    assert (
        code_verify(
            failure_action="t", user=client_user, purpose="signin", code=last_code(client_user)
        )
        is Check.THROTTLED
    )


def test_resending_waits_for_the_cooldown(client_user):
    code_send(user=client_user, purpose="signin", text=TEXT)
    issue = code_send(user=client_user, purpose="signin", text=TEXT)
    assert issue.result is Sent.COOLDOWN
    assert 55 <= issue.wait_seconds <= 61
    SmsDevice.objects.filter(user=client_user).update(
        last_generated_timestamp=timezone.now() - dt.timedelta(seconds=61)
    )
    assert code_send(user=client_user, purpose="signin", text=TEXT).result is Sent.SENT


def test_no_phone_no_code(client_user):
    client_user.phone = ""
    client_user.save()
    assert code_send(user=client_user, purpose="signin", text=TEXT).result is Sent.NO_PHONE


PAYLOAD = {"phone": "+48600000001", "email": "a@b.pl", "amount": Decimal("10.00")}


def test_a_stepup_code_confirms_exactly_its_operation_and_payload(client_user):
    challenge = stepup_begin(
        user=client_user, operation="contact_change", payload=PAYLOAD, summary="zmiana danych"
    )
    assert challenge.issue.sent
    assert "potwierdza operacje: zmiana danych" in last_sms(client_user).body
    code = last_code(client_user)

    assert (
        stepup_verify(user=client_user, operation="user_add", payload=PAYLOAD, code=code)
        is Check.WRONG
    )
    _unthrottle(client_user)
    changed = {**PAYLOAD, "phone": "+48600000002"}
    assert (
        stepup_verify(user=client_user, operation="contact_change", payload=changed, code=code)
        is Check.WRONG
    )
    _unthrottle(client_user)
    assert (
        stepup_verify(user=client_user, operation="contact_change", payload=PAYLOAD, code=code)
        is Check.OK
    )
    _unthrottle(client_user)
    assert (
        stepup_verify(user=client_user, operation="contact_change", payload=PAYLOAD, code=code)
        is Check.WRONG
    )


def test_a_sign_in_code_cannot_confirm_an_operation(client_user):
    code_send(user=client_user, purpose="signin", text=TEXT)
    code = last_code(client_user)
    assert (
        stepup_verify(user=client_user, operation="contact_change", payload=PAYLOAD, code=code)
        is Check.WRONG
    )


def test_the_digest_is_canonical():
    a = stepup_digest("op", {"b": 1, "a": [1, 2], "when": dt.date(2026, 1, 2)})
    b = stepup_digest("op", {"when": dt.date(2026, 1, 2), "a": [1, 2], "b": 1})
    assert a == b
    assert a != stepup_digest("op", {"b": 1, "a": [2, 1], "when": dt.date(2026, 1, 2)})
    assert a != stepup_digest("op2", {"b": 1, "a": [1, 2], "when": dt.date(2026, 1, 2)})


def test_wrong_stepup_codes_count_toward_lockout_and_are_audited(client_user):
    stepup_begin(user=client_user, operation="contact_change", payload=PAYLOAD)
    for _ in range(3):
        _unthrottle(client_user)
        stepup_verify(user=client_user, operation="contact_change", payload=PAYLOAD, code="1")
    client_user.refresh_from_db()
    assert client_user.is_locked
    assert AuditEntry.objects.filter(action=Action.STEPUP_FAILED).count() == 3
    assert AuditEntry.objects.filter(action=Action.STEPUP_CODE_SENT).count() == 1


def _post(user, data):
    request = RequestFactory().post("/x/", data)
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def test_the_view_helper_sends_then_confirms(client_user):
    first = StepUp(_post(client_user, {"phone": "1"}), operation="op", payload={"phone": "1"})
    assert not first.confirmed()
    assert "Wysłaliśmy kod SMS na numer +48 *** *** 200" in first.notice

    wrong = StepUp(
        _post(client_user, {"phone": "1", "stepup_code": "999999"}),
        operation="op",
        payload={"phone": "1"},
    )
    assert not wrong.confirmed()
    assert "Nieprawidłowy" in wrong.error
    _unthrottle(client_user)

    ok = StepUp(
        _post(client_user, {"phone": "1", "stepup_code": last_code(client_user)}),
        operation="op",
        payload={"phone": "1"},
    )
    assert ok.confirmed()


def test_the_view_helper_resends_on_request(client_user, settings):
    settings.SMS_CODE_RESEND_COOLDOWN = 0
    StepUp(_post(client_user, {}), operation="op", payload={}).confirmed()
    again = StepUp(
        _post(client_user, {"stepup_code": "", "stepup_resend": "1"}), operation="op", payload={}
    )
    assert not again.confirmed()
    assert again.challenge.issue.sent
    assert SmsDevice.objects.get(user=client_user).sent_count == 2


def test_the_partial_carries_the_form_and_asks_for_the_code(client_user):
    from django import forms
    from django.template.loader import render_to_string

    class ContactForm(forms.Form):
        phone = forms.CharField()
        email = forms.EmailField()

    form = ContactForm({"phone": "+48600000001", "email": "a@b.pl"})
    assert form.is_valid()
    stepup = StepUp(
        _post(client_user, form.data),
        operation="contact_change",
        payload=form.cleaned_data,
        summary="zmiana danych kontaktowych",
    )
    stepup.confirmed()
    html = render_to_string("accounts/partials/stepup.html", {"form": form, "stepup": stepup})
    assert '<input type="hidden" name="phone" value="+48600000001"' in html
    assert '<input type="hidden" name="email" value="a@b.pl"' in html
    assert 'name="stepup_code"' in html and 'autocomplete="one-time-code"' in html
    assert 'name="stepup_resend"' in html
    assert "zmiana danych kontaktowych" in html
    assert "Wysłaliśmy kod SMS" in html
