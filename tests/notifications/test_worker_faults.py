"""Delivery under faults, with real Celery worker processes on real Redis and the Twilio SDK
talking to a fake Twilio on loopback: a broker outage loses nothing and sends nothing twice; a
worker killed after Twilio accepted an SMS does not lead to a second SMS."""

from __future__ import annotations

import signal
import time
from urllib.parse import urlsplit

import pytest
from twilio.request_validator import RequestValidator

from notifications.models import Message
from notifications.services import message_requeue_due, send_sms
from notifications.tasks import sweep_outbox
from tests.ebok.workers import broker_at, tasks_through_redis, wait_for, worker_process

from . import fake_twilio
from .redis_server import redis_server

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

WORKER_SETTINGS = "tests.notifications.worker_settings"
PUBLIC = "https://ebok.example.pl"


@pytest.fixture
def twilio_for_workers(settings, monkeypatch):
    """The fake Twilio, configured for the worker processes (environment) and this one."""
    fake = fake_twilio.start()
    config = {
        "SMS_BACKEND": "twilio",
        "TWILIO_ACCOUNT_SID": fake_twilio.ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": fake_twilio.AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": "+48500600700",
        "TWILIO_MESSAGING_SERVICE_SID": "",
        "TWILIO_API_BASE_URL": fake.url,
        "TWILIO_TIMEOUT": "60",
        "PUBLIC_BASE_URL": PUBLIC,
    }
    for name, value in config.items():
        monkeypatch.setenv(name, value)
        setattr(settings, name, value)
    yield fake
    fake.stop()


def worker(settings, tmp_path, name: str, *, broker_url: str = ""):
    return worker_process(
        media_root=settings.MEDIA_ROOT,
        log_path=tmp_path / f"{name}.log",
        settings_module=WORKER_SETTINGS,
        broker_url=broker_url,
    )


def test_messages_written_while_the_broker_is_down_go_out_once_each_when_it_is_back(
    settings, tmp_path, twilio_for_workers
):
    fake = twilio_for_workers
    with (
        redis_server(tmp_path) as broker,
        worker(settings, tmp_path, "outage", broker_url=broker.url) as running,
        broker_at(broker.url),
    ):
        wait_for(lambda: " ready." in running.log(), timeout=120, what="the worker")
        broker.stop()

        started = time.monotonic()
        ids = [
            send_sms(to=f"+48601{n:06d}", body=f"eBOK: nowa faktura FV/{n}/2026").pk
            for n in range(200)
        ]
        writing = time.monotonic() - started

        # Nothing reached a broker: the rows wait, and writing them was not held up.
        assert Message.objects.filter(pk__in=ids, status=Message.Status.QUEUED).count() == 200
        assert fake.requests == []
        assert writing < 30

        broker.start()
        wait_for(
            lambda: running.log().count("Connected to redis") >= 2,
            timeout=120,
            what="the worker reconnecting",
        )
        # Beat's sweep (every few seconds here, not every minute). Two sweeps at once, as two
        # beat processes would: every row gets two tasks, and only its claim keeps it single.
        settings.NOTIFY_SWEEP_GRACE = 0
        assert message_requeue_due() == 200
        assert message_requeue_due() > 0
        deadline = time.monotonic() + 300
        unsent = Message.objects.filter(pk__in=ids).exclude(status=Message.Status.SENT)
        while unsent.exists() and time.monotonic() < deadline:
            time.sleep(4)
            message_requeue_due()

    assert not unsent.exists(), running.log()[-3000:]
    assert "'skipped'" in running.log()  # the second tasks found their rows claimed
    recipients = sorted(request.form["To"][0] for request in fake.requests)
    assert recipients == sorted(f"+48601{n:06d}" for n in range(200))  # each exactly once
    rows = Message.objects.filter(pk__in=ids)
    assert {row.attempts for row in rows} == {1}
    assert sorted(rows.values_list("provider_id", flat=True)) == sorted(
        answer["sid"] for answer in fake.accepted
    )


def test_a_worker_killed_after_twilio_accepted_the_sms_does_not_send_it_again(
    settings, tmp_path, client, twilio_for_workers
):
    fake = twilio_for_workers
    fake.hold_answer = 120  # Twilio has the SMS; its answer is still on the way

    with worker(settings, tmp_path, "killed") as first:
        with tasks_through_redis():
            message = send_sms(to="+48600100200", body="eBOK: nowa faktura FV/1/2026")
        wait_for(lambda: fake.accepted, timeout=120, what="Twilio accepting the SMS")
        first.signal(signal.SIGKILL)
        first.wait(timeout=30)

    left = Message.objects.get(pk=message.pk)
    assert (left.status, left.provider_id) == (Message.Status.SENDING, "")

    # Beat's sweep, once the claim is older than the grace: outcome unknown, not re-queued.
    settings.NOTIFY_SENDING_GRACE = 0
    with tasks_through_redis():
        assert sweep_outbox() == 0
    assert Message.objects.get(pk=message.pk).status == Message.Status.UNCERTAIN

    # Redis hands the dead worker's unacknowledged task to a new worker, which leaves it.
    fake.hold_answer = 0
    with worker(settings, tmp_path, "second") as second:
        wait_for(
            lambda: "succeeded" in second.log() and "'skipped'" in second.log(),
            timeout=120,
            what="the redelivered task",
        )
    assert len(fake.requests) == 1
    assert Message.objects.get(pk=message.pk).status == Message.Status.UNCERTAIN

    # Twilio's delivery report, to the address the SDK passed, settles it.
    callback = fake.requests[0].form["StatusCallback"][0]
    sid = fake.accepted[0]["sid"]
    report = {"MessageSid": sid, "MessageStatus": "delivered", "To": "+48600100200"}
    signature = RequestValidator(fake_twilio.AUTH_TOKEN).compute_signature(callback, report)
    response = client.post(urlsplit(callback).path, report, HTTP_X_TWILIO_SIGNATURE=signature)

    assert response.status_code == 204
    settled = Message.objects.get(pk=message.pk)
    assert (settled.status, settled.provider_id) == (Message.Status.DELIVERED, sid)
