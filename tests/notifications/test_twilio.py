"""The Twilio backend through the real SDK, against a fake Twilio API on loopback."""

from __future__ import annotations

import base64
import datetime as dt
import socket

import pytest
from django.utils import timezone

from notifications.models import Message
from notifications.services import Outcome, message_deliver, message_requeue_due, send_sms

from . import fake_twilio

pytestmark = pytest.mark.django_db

SID = fake_twilio.ACCOUNT_SID
TOKEN = fake_twilio.AUTH_TOKEN


def _queued(body="eBOK: kod logowania 123456.", sensitive=False) -> Message:
    # Queued in a transaction that has not committed: delivery is called explicitly below.
    return send_sms(to="+48600100200", body=body, sensitive=sensitive)


def test_it_sends_what_twilios_messages_api_expects(twilio):
    message = _queued("Zażółć gęślą jaźń – kod 123456")

    assert message_deliver(message_id=message.pk) is Outcome.SENT

    (request,) = twilio.requests
    assert request.method == "POST"
    assert request.path == f"/2010-04-01/Accounts/{SID}/Messages.json"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert (
        request.headers["authorization"]
        == "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
    )
    assert request.headers["user-agent"].startswith("twilio-python/")
    assert request.form == {
        "To": ["+48600100200"],
        "From": ["+48500600700"],
        "Body": ["Zazolc gesla jazn - kod 123456"],  # GSM-7: one part, not UCS-2
    }
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.provider_id.startswith("SM") and len(message.provider_id) == 34
    assert message.attempts == 1
    assert message.sent_at is not None


def test_it_can_send_through_a_messaging_service(twilio, settings):
    settings.TWILIO_MESSAGING_SERVICE_SID = "MG" + "1" * 32
    message_deliver(message_id=_queued().pk)
    form = twilio.requests[0].form
    assert form["MessagingServiceSid"] == ["MG" + "1" * 32]
    assert "From" not in form


def test_a_delivered_code_is_not_kept_in_the_outbox(twilio):
    message = _queued("eBOK: kod logowania 654321.", sensitive=True)
    message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert "654321" not in message.body
    assert twilio.requests[0].form["Body"] == ["eBOK: kod logowania 654321."]


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (21211, "The 'To' number +48600100200 is not a valid phone number."),
        (21614, "'To' number is not a valid mobile number"),
    ],
)
def test_an_invalid_number_fails_permanently_with_a_clear_error(twilio, code, text):
    twilio.script.append(fake_twilio.error(400, code, text))
    message = _queued()

    assert message_deliver(message_id=message.pk) is Outcome.FAILED

    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert f"kod {code}" in message.error and text in message.error
    # Not retried: the sweep leaves failed rows alone.
    assert message_requeue_due(grace=dt.timedelta(0)) == 0
    assert len(twilio.requests) == 1


@pytest.mark.parametrize(
    "failure",
    [
        fake_twilio.error(503, None, "Service Unavailable"),
        fake_twilio.error(500, 20500, "Internal Server Error"),
        fake_twilio.error(429, 20429, "Too Many Requests"),
        fake_twilio.error(401, 20003, "Authenticate"),
    ],
)
def test_a_provider_outage_keeps_the_message_queued_and_retries_it(twilio, failure):
    twilio.script.append(failure)
    message = _queued()

    assert message_deliver(message_id=message.pk) is Outcome.RETRY

    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED
    assert message.attempts == 1
    assert str(failure[0]) in message.error
    assert message.next_attempt_at > timezone.now() + dt.timedelta(seconds=20)  # backoff

    # Not yet due: the sweep waits. Once due, it re-queues and the message goes out.
    assert message_requeue_due(grace=dt.timedelta(0)) == 0
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    with pytest.MonkeyPatch.context() as patch:
        delivered = []
        patch.setattr(
            "notifications.services.message_queue_delivery",
            lambda message_id: delivered.append(message_deliver(message_id=message_id)),
        )
        from notifications import services

        assert services.message_requeue_due(grace=dt.timedelta(0)) == 1
    assert delivered == [Outcome.SENT]
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.attempts == 2
    assert len(twilio.requests) == 2


def test_an_unreachable_provider_is_a_transient_error(twilio, settings):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.TWILIO_API_BASE_URL = f"http://127.0.0.1:{port}"
    message = _queued()

    assert message_deliver(message_id=message.pk) is Outcome.RETRY

    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED
    assert "Twilio niedostępny" in message.error


def test_it_gives_up_after_the_configured_attempts(twilio, settings):
    settings.NOTIFY_MAX_ATTEMPTS = 2
    twilio.script.extend([fake_twilio.error(503, None, "down")] * 2)
    message = _queued()
    assert message_deliver(message_id=message.pk) is Outcome.RETRY
    assert message_deliver(message_id=message.pk) is Outcome.FAILED
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert "503" in message.error
