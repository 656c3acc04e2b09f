"""Exactly once, as far as this side can tell: the row is claimed and committed before the
provider is called, and a send whose outcome is unknown is never repeated blindly."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from notifications.backends.base import Transport
from notifications.models import Message
from notifications.services import (
    Outcome,
    message_deliver,
    message_mark_uncertain,
    message_requeue_due,
    send_sms,
)
from notifications.tasks import sweep_outbox

pytestmark = pytest.mark.django_db


class ObservingTransport(Transport):
    """An SMS gateway that notes what the database looked like while it was being called."""

    seen: list[dict] = []
    during_send = None  # a callable run mid-send (another actor acting meanwhile)

    def send(self, message: Message) -> str:
        # A fresh read, through the ORM: what any other process would see if it is committed.
        row = Message.objects.get(pk=message.pk)
        ObservingTransport.seen.append(
            {
                "in_transaction": connection.in_atomic_block,
                "status": row.status,
                "claimed_at": row.claimed_at,
                "attempts": row.attempts,
            }
        )
        if ObservingTransport.during_send:
            ObservingTransport.during_send(message)
        return f"observed-{message.pk}"


@pytest.fixture
def observing(settings):
    settings.SMS_BACKEND = f"{__name__}.ObservingTransport"
    ObservingTransport.seen = []
    ObservingTransport.during_send = None
    yield ObservingTransport
    ObservingTransport.during_send = None


def _row(**fields) -> Message:
    return Message.objects.create(channel="sms", recipient="+48600100200", body="x", **fields)


@pytest.mark.django_db(transaction=True)
def test_no_transaction_is_open_while_the_provider_is_called(observing):
    message = _row()

    assert message_deliver(message_id=message.pk) is Outcome.SENT

    (seen,) = observing.seen
    assert seen["in_transaction"] is False  # the claim was committed before the call
    assert seen["status"] == Message.Status.SENDING
    assert seen["claimed_at"] is not None and seen["attempts"] == 1
    message.refresh_from_db()
    assert (message.status, message.provider_id) == (Message.Status.SENT, f"observed-{message.pk}")


def test_a_claimed_message_is_not_sent_by_a_second_task(observing):
    message = _row()
    # The second task for the same row arrives while the first worker is mid-send (the sweep
    # re-queued a row whose first task was only late).
    observing.during_send = lambda m: seen_by_second.append(message_deliver(message_id=m.pk))
    seen_by_second: list[Outcome] = []

    assert message_deliver(message_id=message.pk) is Outcome.SENT

    assert seen_by_second == [Outcome.SKIPPED]
    assert len(observing.seen) == 1


def test_a_read_timeout_after_twilio_accepted_leaves_the_message_uncertain(twilio, settings):
    settings.TWILIO_TIMEOUT = 0.5
    twilio.hold_answer = 5  # Twilio took the SMS; its answer never arrives in time
    message = send_sms(to="+48600100200", body="Nowa faktura FV/1/2026")

    assert message_deliver(message_id=message.pk) is Outcome.UNCERTAIN

    message.refresh_from_db()
    assert message.status == Message.Status.UNCERTAIN
    assert "Twilio nie odpowiedział" in message.error
    # Neither the sweep nor a late task sends it again.
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() - dt.timedelta(1))
    assert message_requeue_due(grace=dt.timedelta(0)) == 0
    assert message_deliver(message_id=message.pk) is Outcome.SKIPPED
    assert len(twilio.requests) == 1


def test_the_sweep_marks_a_claim_whose_worker_died_uncertain(
    settings, django_capture_on_commit_callbacks
):
    settings.NOTIFY_SENDING_GRACE = 300
    long_ago = timezone.now() - dt.timedelta(minutes=10)
    dead = _row(status=Message.Status.SENDING, claimed_at=long_ago, attempts=1)
    busy = _row(status=Message.Status.SENDING, claimed_at=timezone.now(), attempts=1)
    inbox = Message.objects.create(
        channel="inbox",
        recipient="",
        body="Nowy dokument",
        status=Message.Status.SENDING,
        claimed_at=long_ago,
        next_attempt_at=long_ago,
    )

    with django_capture_on_commit_callbacks(execute=True):
        sweep_outbox()

    dead.refresh_from_db()
    busy.refresh_from_db()
    inbox.refresh_from_db()
    assert dead.status == Message.Status.UNCERTAIN
    assert "Wynik wysyłki nieznany" in dead.error
    assert busy.status == Message.Status.SENDING  # within the grace: its worker may be alive
    # The portal inbox leaves nothing to send twice: it goes back to the queue and out.
    assert inbox.status == Message.Status.SENT
    assert message_mark_uncertain() == 0  # nothing left to settle


def test_a_slow_worker_marked_uncertain_still_records_what_happened(observing):
    message = _row()
    observing.during_send = lambda m: message_mark_uncertain(grace=dt.timedelta(0))

    assert message_deliver(message_id=message.pk) is Outcome.SENT

    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.error == ""


def test_a_superseded_attempt_does_not_overwrite_the_new_one(observing):
    from notifications.services import message_retry

    message = _row()

    def staff_retry_meanwhile(m: Message) -> None:
        # The sweep gave up on this worker and staff chose to send again.
        message_mark_uncertain(grace=dt.timedelta(0))
        message_retry(message=Message.objects.get(pk=m.pk), accept_duplicate=True)

    observing.during_send = staff_retry_meanwhile

    message_deliver(message_id=message.pk)

    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED  # the new attempt is waiting, untouched
    assert message.provider_id == ""
    assert message.attempts == 0


def test_a_delivery_report_that_overtakes_the_worker_is_kept(observing):
    from notifications.backends import DeliveryReport
    from notifications.services import message_record_report

    message = _row()

    def report_arrives_first(m: Message) -> None:
        # Twilio answered, and its "undelivered" report reached the web before this worker
        # recorded the answer.
        report = DeliveryReport(
            provider_id=f"observed-{m.pk}",
            status=Message.Status.UNDELIVERED,
            provider_status="undelivered",
            error="Twilio: undelivered (kod 30003)",
        )
        assert message_record_report(report=report, message_id=m.pk)

    observing.during_send = report_arrives_first

    assert message_deliver(message_id=message.pk) is Outcome.SENT

    message.refresh_from_db()
    assert message.status == Message.Status.UNDELIVERED
    assert message.error == "Twilio: undelivered (kod 30003)"
    assert message.provider_id == f"observed-{message.pk}"
