"""The daily notification scans: payment reminders by each user's lead time, overdue notices,
policy expiry alerts. Set-based (the query count does not grow with the data) and idempotent:
a day run twice, or by two processes at once, sends nothing twice."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from invoices.models import Invoice
from notifications.events import register_scan
from notifications.models import Message, NotificationSettings
from notifications.scans import scan_run
from tests.factories import ContractFactory, InsurancePolicyFactory, UserFactory
from tests.portal_helpers import company_invoice, pay, today

SMS, EMAIL = Message.Channel.SMS, Message.Channel.EMAIL


def due_in(company, days: int, gross: str = "500.00") -> Invoice:
    return company_invoice(company, gross, due=today() + dt.timedelta(days=days))


def sent(event: str, **filters) -> list[tuple]:
    rows = Message.objects.filter(event=event, **filters).order_by("user_id", "link", "channel")
    return list(rows.values_list("user_id", "link", "channel"))


@pytest.mark.django_db
def test_payment_reminders_follow_each_users_lead_time(company):
    week = UserFactory(company=company)  # the default: 7 days
    three = UserFactory(company=company)
    NotificationSettings.objects.create(user=three, payment_due_days=3)
    in_week, in_three = due_in(company, 7), due_in(company, 3)
    due_in(company, 9)  # nobody's lead time

    assert scan_run(name="invoices.payment_due", day=today()) == 4

    assert sent("invoice.payment_due") == [
        (week.pk, f"/faktury/{in_week.pk}/", EMAIL),
        (week.pk, f"/faktury/{in_week.pk}/", SMS),
        (three.pk, f"/faktury/{in_three.pk}/", EMAIL),
        (three.pk, f"/faktury/{in_three.pk}/", SMS),
    ]
    sms = Message.objects.get(user=week, event="invoice.payment_due", channel=SMS)
    assert in_week.number in sms.body and "500,00 zl" in sms.body and len(sms.body) <= 160


@pytest.mark.django_db
def test_a_day_scanned_twice_sends_nothing_twice(company):
    UserFactory(company=company)
    due_in(company, 7)

    assert scan_run(name="invoices.payment_due", day=today()) == 2
    assert scan_run(name="invoices.payment_due", day=today()) == 0
    assert Message.objects.filter(event="invoice.payment_due").count() == 2


@pytest.mark.django_db
def test_a_reminder_missed_on_its_day_is_caught_up_once_but_not_a_week_late(company):
    user = UserFactory(company=company)  # reminded 7 days ahead
    missed_yesterday, long_missed = due_in(company, 6), due_in(company, 2)

    scan_run(name="invoices.payment_due", day=today())
    scan_run(name="invoices.payment_due", day=today() + dt.timedelta(days=1))

    assert sent("invoice.payment_due", user=user) == [
        (user.pk, f"/faktury/{missed_yesterday.pk}/", EMAIL),
        (user.pk, f"/faktury/{missed_yesterday.pk}/", SMS),
    ]
    assert long_missed.number not in "".join(
        Message.objects.filter(event="invoice.payment_due").values_list("body", flat=True)
    )


@pytest.mark.django_db
def test_a_paid_invoice_is_not_reminded_of(company):
    UserFactory(company=company)
    invoice = due_in(company, 7)
    pay(company, "500.00", invoice=invoice)

    assert scan_run(name="invoices.payment_due", day=today()) == 0


@pytest.mark.django_db
def test_overdue_notices_catch_up_a_few_days_but_never_flood_with_history(company):
    user = UserFactory(company=company)
    yesterday, last_week = due_in(company, -1), due_in(company, -6)
    due_in(company, -40)  # long overdue: the client knows

    scan_run(name="invoices.overdue", day=today())

    assert {link for _user, link, _channel in sent("invoice.overdue", user=user)} == {
        f"/faktury/{yesterday.pk}/",
        f"/faktury/{last_week.pk}/",
    }
    assert scan_run(name="invoices.overdue", day=today()) == 0


@pytest.mark.django_db
def test_policy_expiry_alerts_the_users_who_see_the_contract_once(company, settings):
    contract = ContractFactory(company=company)
    seer = UserFactory(company=company)
    blind = UserFactory(company=company, contracts_restricted=True)
    policy = InsurancePolicyFactory(
        contract=contract,
        valid_from=today() - dt.timedelta(days=300),
        valid_to=today() + dt.timedelta(days=settings.POLICY_EXPIRING_DAYS - 1),
    )
    InsurancePolicyFactory(contract=contract, valid_to=today() + dt.timedelta(days=200))

    assert scan_run(name="contracts.policy_expiring", day=today()) == 1  # e-mail by default
    row = Message.objects.get(event="contract.policy_expiring")
    assert row.user == seer and row.channel == EMAIL and policy.number in row.subject
    assert not Message.objects.filter(user=blind).exists()
    assert scan_run(name="contracts.policy_expiring", day=today()) == 0


@pytest.mark.django_db
def test_an_unregistered_scan_does_nothing():
    assert scan_run(name="documents.nothing_here") == 0


@pytest.mark.django_db
def test_the_scans_query_count_does_not_grow_with_the_data(company, other_company):
    def queries(day) -> int:
        with CaptureQueriesContext(connection) as captured:
            scan_run(name="invoices.payment_due", day=day)
        return len(captured)

    UserFactory(company=company)
    due_in(company, 7)
    small = queries(today())

    for c in (company, other_company):
        UserFactory(company=c)
        for _ in range(15):
            company_invoice(c, "100.00", due=today() + dt.timedelta(days=10))
    large = queries(today() + dt.timedelta(days=3))  # the first invoice is past its window

    # company: 2 users, other company: 1; two channels each
    assert Message.objects.filter(event="invoice.payment_due").count() == 2 + 15 * (2 + 1) * 2
    assert large == small


@pytest.mark.django_db(transaction=True)
def test_two_processes_scanning_at_once_send_one_message_per_user_and_invoice(company):
    """Both runs hold their transaction open past the other's inserts: the second waits on the
    outbox's unique keys, then skips them."""
    users = [UserFactory(company=company) for _ in range(3)]
    invoices = [due_in(company, 7) for _ in range(4)]
    both_inserted = threading.Barrier(2, timeout=5)

    def slow_scan(day):
        from invoices.events import scan_payment_due

        created = scan_payment_due(day)
        with contextlib.suppress(threading.BrokenBarrierError):
            both_inserted.wait()  # the first waits here; the second is blocked on the keys
        return created

    register_scan("test.slow_payment_due", slow_scan)
    results, errors = [], []

    def run():
        try:
            results.append(scan_run(name="test.slow_payment_due", day=today()))
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    rows = sent("invoice.payment_due")
    assert len(rows) == len(set(rows)) == len(users) * len(invoices) * 2


@pytest.mark.django_db
def test_operators_run_a_scan_by_hand_and_a_second_run_queues_nothing(company):
    from io import StringIO

    from django.core.management import CommandError, call_command

    UserFactory(company=company)
    due_in(company, 7)
    out = StringIO()
    call_command("notifications", scan="invoices.payment_due", day=today(), stdout=out)
    call_command("notifications", scan="invoices.payment_due", day=today(), stdout=out)
    assert out.getvalue().splitlines() == [
        "Scan invoices.payment_due: 2 message(s) queued.",
        "Scan invoices.payment_due: 0 message(s) queued.",
    ]
    with pytest.raises(CommandError, match="No scan nope"):
        call_command("notifications", scan="nope")
