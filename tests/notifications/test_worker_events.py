"""Notification events with real Celery workers fed through real Redis: an invoice issued goes
out as one SMS and one e-mail; quiet hours hold the SMS back, not the e-mail; a reminder scan
run twice, by two worker processes at once, sends one message per user and invoice."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.utils import timezone

from ebok.celery import app
from invoices.models import Invoice
from invoices.services import LineSpec, VatRate, invoice_create
from notifications.models import Message, NotificationSettings
from notifications.preferences import WARSAW
from notifications.tasks import run_scan, sweep_outbox
from tests.ebok.workers import tasks_through_redis, wait_for, worker_process
from tests.factories import UserFactory
from tests.portal_helpers import company_invoice, today

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SENT = Message.Status.SENT


@pytest.fixture
def redis_worker():
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "worker tests need REDIS_URL"
    with (
        tasks_through_redis(),
        start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10),
    ):
        yield


def issue_today(company) -> Invoice:
    return invoice_create(
        company=company,
        kind=Invoice.Kind.OTHER,
        lines=[LineSpec("Opłata", Decimal("321.00"), VatRate.NOT_SUBJECT)],
        issue_date=today(),
        due_date=today() + dt.timedelta(days=14),
    )


def settled(user, event: str, count: int):
    def done():
        rows = list(Message.objects.filter(user=user, event=event).order_by("channel"))
        return rows if len(rows) == count and all(r.status == SENT for r in rows) else None

    return wait_for(done, timeout=30, what=f"{count} {event} message(s) sent")


def test_an_invoice_issued_goes_out_as_one_sms_and_one_e_mail(company, redis_worker):
    user = UserFactory(company=company)

    invoice = issue_today(company)

    email, sms = settled(user, "invoice.issued", 2)
    assert (email.channel, sms.channel) == ("email", "sms")
    assert email.attempts == sms.attempts == 1
    assert sms.provider_id == f"outbox-{sms.pk}" and invoice.number in sms.body
    assert email.recipient == user.email and invoice.number in email.subject


def test_quiet_hours_hold_the_sms_back_but_not_the_e_mail(company, redis_worker):
    user = UserFactory(company=company)
    now = dt.datetime.now(WARSAW)
    end = (now + dt.timedelta(hours=2)).time().replace(second=0, microsecond=0)
    NotificationSettings.objects.create(
        user=user, quiet_from=(now - dt.timedelta(hours=1)).time(), quiet_to=end
    )

    issue_today(company)

    wait_for(
        lambda: Message.objects.filter(user=user, channel="email", status=SENT).exists(),
        timeout=30,
        what="the e-mail",
    )
    sms = Message.objects.get(user=user, channel="sms")
    assert sms.status == Message.Status.QUEUED and sms.attempts == 0
    assert sms.next_attempt_at.astimezone(WARSAW).time() == end
    assert sweep_outbox() == 0  # the quiet hours are not over: the sweep leaves it waiting

    # The quiet hours end (and the sweep's grace passes): the sweep queues it; run twice, it
    # is still sent once.
    late = timezone.now() - dt.timedelta(seconds=settings.NOTIFY_SWEEP_GRACE + 1)
    Message.objects.filter(pk=sms.pk).update(next_attempt_at=late)
    assert sweep_outbox() == 1
    sweep_outbox()
    settled(user, "invoice.issued", 2)
    sms.refresh_from_db()
    assert sms.attempts == 1


def test_a_reminder_scan_run_twice_by_two_workers_at_once_sends_once(company, settings, tmp_path):
    users = [UserFactory(company=company) for _ in range(3)]
    invoices = [
        company_invoice(company, "250.00", due=today() + dt.timedelta(days=7)) for _ in range(5)
    ]
    workers = [
        worker_process(media_root=settings.MEDIA_ROOT, log_path=tmp_path / f"w{n}.log")
        for n in range(2)
    ]
    with workers[0] as first, workers[1] as second, tasks_through_redis():
        for running in (first, second):
            wait_for(lambda r=running: " ready." in r.log(), timeout=120, what="a worker")
        day = today().isoformat()
        run_scan.delay("invoices.payment_due", day)
        run_scan.delay("invoices.payment_due", day)

        def both_scans_done() -> bool:
            logs = first.log() + second.log()
            return len(re.findall(r"run_scan\[[^\]]+\] succeeded", logs)) == 2

        wait_for(both_scans_done, timeout=60, what="both scans")
        expected = len(users) * len(invoices) * 2
        wait_for(
            lambda: (
                Message.objects.filter(event="invoice.payment_due", status=SENT).count() == expected
            ),
            timeout=60,
            what="every reminder sent",
        )

    rows = Message.objects.filter(event="invoice.payment_due")
    assert rows.count() == expected
    pairs = set(rows.values_list("user_id", "link", "channel"))
    assert len(pairs) == expected
    assert set(rows.values_list("attempts", flat=True)) == {1}
