"""The outbox: a row in the caller's transaction, delivered after commit, never lost."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ebok.celery import app
from notifications.models import Message
from notifications.services import message_requeue_due, notify, send_sms
from notifications.tasks import deliver_message

pytestmark = pytest.mark.django_db


def test_a_message_is_delivered_only_after_the_transaction_commits(
    django_capture_on_commit_callbacks, capsys
):
    with django_capture_on_commit_callbacks() as callbacks:
        message = send_sms(to="+48600100200", body="Kod 123456", sensitive=True)
    assert Message.objects.get(pk=message.pk).status == Message.Status.QUEUED
    assert len(callbacks) == 1

    callbacks[0]()

    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.body == "Kod 123456"  # the outbox backend keeps it: dev and tests read it
    assert "[SMS to +48600100200] Kod 123456" in capsys.readouterr().out


def test_a_rolled_back_event_sends_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                send_sms(to="+48600100200", body="x")
                raise RuntimeError("the event failed")
        except RuntimeError:
            pass
    assert callbacks == []
    assert not Message.objects.exists()


def test_a_dedupe_key_sends_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = notify(channel="sms", recipient="+48600100200", body="x", dedupe_key="inv-1-7d")
        again = notify(channel="sms", recipient="+48600100200", body="x", dedupe_key="inv-1-7d")
    assert first.pk == again.pk
    assert len(callbacks) == 1
    assert Message.objects.count() == 1


def test_the_console_backend_redacts_delivered_codes(settings, django_capture_on_commit_callbacks):
    settings.SMS_BACKEND = "console"
    with django_capture_on_commit_callbacks(execute=True):
        message = send_sms(to="+48600100200", body="Kod 123456", sensitive=True)
        plain = send_sms(to="+48600100200", body="Nowa faktura")
    message.refresh_from_db()
    plain.refresh_from_db()
    assert "123456" not in message.body
    assert plain.body == "Nowa faktura"


def test_the_sweep_requeues_only_what_is_overdue(django_capture_on_commit_callbacks):
    stale = Message.objects.create(
        channel="sms",
        recipient="+48600100200",
        body="a",
        next_attempt_at=timezone.now() - dt.timedelta(minutes=10),
    )
    Message.objects.create(channel="sms", recipient="+48600100200", body="fresh")
    Message.objects.create(
        channel="sms",
        recipient="+48600100200",
        body="done",
        status=Message.Status.SENT,
        next_attempt_at=timezone.now() - dt.timedelta(minutes=10),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert message_requeue_due() == 1
    stale.refresh_from_db()
    assert stale.status == Message.Status.SENT


def test_the_sweep_is_scheduled_for_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["notifications-sweep-outbox"]
    assert entry["task"] in app.tasks
    assert entry["schedule"] <= 300


def test_delivery_is_idempotent():
    message = Message.objects.create(channel="sms", recipient="+48600100200", body="a")
    assert deliver_message.delay(message.pk).get() == "sent"
    assert deliver_message.delay(message.pk).get() == "skipped"


def test_email_goes_through_djangos_backend_with_text_and_html(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            channel="email",
            recipient="jan@firma.example.pl",
            subject="Nowa faktura",
            body="Treść",
            html_body="<p>Treść</p>",
        )
    (email,) = mail.outbox
    assert email.to == ["jan@firma.example.pl"]
    assert email.subject == "Nowa faktura"
    assert email.alternatives[0].content == "<p>Treść</p>"
    assert Message.objects.get().status == Message.Status.SENT


def test_the_dev_outbox_page_exists_only_in_debug(client, settings):
    send_sms(to="+48600100200", body="eBOK: kod logowania 246810.")
    settings.DEV_OUTBOX_PAGE = False
    assert client.get(reverse("notifications:dev_outbox")).status_code == 404
    settings.DEV_OUTBOX_PAGE = True
    page = client.get(reverse("notifications:dev_outbox"))
    assert page.status_code == 200
    assert "246810" in page.text
