"""E-mail through a real SMTP conversation (a fake server on loopback): what the server says
decides whether a message is sent, failed for good or tried again, and a server that stops
answering never holds a worker longer than EMAIL_TIMEOUT."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from notifications.models import Message
from notifications.services import Outcome, message_deliver

from .fake_smtp import FakeSMTP

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings):
    server = FakeSMTP()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 1
    yield server
    server.stop()


def _email() -> Message:
    return Message.objects.create(
        channel="email",
        recipient="anna.nowak@example.pl",
        subject="eBOK: nowa faktura FV/2026/12/000001",
        body="Dzień dobry, wystawiliśmy fakturę.",
    )


def test_an_email_the_server_takes_is_sent(smtp):
    message = _email()

    assert message_deliver(message_id=message.pk) is Outcome.SENT

    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    [received] = smtp.behaviour.received
    assert b"anna.nowak@example.pl" in received
    assert f"X-Ebok-Message-Id: {message.pk}".encode() in received


@pytest.mark.parametrize(
    ("reply", "outcome"),
    [
        ({"rcpt_reply": "550 5.1.1 No such user"}, Outcome.FAILED),  # never accepted
        ({"data_reply": "554 5.6.0 Message rejected"}, Outcome.FAILED),  # this text never
        ({"rcpt_reply": "450 4.7.1 Greylisted, try again later"}, Outcome.RETRY),
        ({"data_reply": "451 4.3.0 Temporary failure"}, Outcome.RETRY),
    ],
    ids=["no-such-mailbox", "message-rejected", "greylisted", "temporary-failure"],
)
def test_a_refusal_for_good_fails_at_once_and_a_try_later_is_tried_later(smtp, reply, outcome):
    for name, line in reply.items():
        setattr(smtp.behaviour, name, line)
    message = _email()

    assert message_deliver(message_id=message.pk) is outcome

    message.refresh_from_db()
    assert smtp.behaviour.received == []
    assert reply.popitem()[1][:3] in message.error  # the server's code, for staff
    if outcome is Outcome.FAILED:
        assert message.status == Message.Status.FAILED
    else:
        assert message.status == Message.Status.QUEUED
        assert message.next_attempt_at > timezone.now()  # with backoff


@pytest.mark.parametrize("silent_at", ["greeting", "data"])
def test_a_server_that_stops_answering_frees_the_worker_and_is_tried_again(smtp, silent_at):
    smtp.behaviour.silent_at = silent_at
    message = _email()

    started = time.monotonic()
    outcome = message_deliver(message_id=message.pk)

    assert time.monotonic() - started < 5  # EMAIL_TIMEOUT is 1 s here
    assert outcome is Outcome.RETRY
    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED
    assert message.next_attempt_at > timezone.now()  # with backoff


def test_an_smtp_connection_waits_ten_seconds_at_most_by_default():
    from django.conf import settings
    from django.core.mail.backends.smtp import EmailBackend

    assert settings.EMAIL_TIMEOUT == 10  # Django's own default is None: wait forever
    assert EmailBackend().timeout == 10
