"""Notification events: who gets what, by which channel, in which language and when.

Texts come from templates/notifications/<event>/; channels from the user's preferences (or the
event's defaults); SMS waits out the user's quiet hours, e-mail does not; a dedupe key makes an
event idempotent per user and channel; account events go out whatever the preferences.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from accounts.models import LockReason
from accounts.services import user_contact_change_notify, user_lock, user_password_set
from invoices.models import Invoice
from invoices.services import LineSpec, VatRate, invoice_create
from notifications.events import emit, get_event, preference_events
from notifications.models import Message, NotificationSettings
from notifications.preferences import WARSAW, quiet_until
from tests.factories import ContractFactory, UserFactory
from tests.portal_helpers import today

pytestmark = pytest.mark.django_db

SMS, EMAIL, INBOX = Message.Channel.SMS, Message.Channel.EMAIL, Message.Channel.INBOX


def issue_today(company, gross="1230.00", contract=None) -> Invoice:
    return invoice_create(
        company=company,
        kind=Invoice.Kind.OTHER,
        lines=[LineSpec("Opłata", Decimal(gross), VatRate.NOT_SUBJECT)],
        issue_date=today(),
        due_date=today() + dt.timedelta(days=14),
        contract=contract,
    )


def channels_of(user, event: str) -> list[str]:
    rows = Message.objects.filter(user=user, event=event).order_by("channel")
    return [row.channel for row in rows]


def prefer(user, **settings) -> NotificationSettings:
    return NotificationSettings.objects.update_or_create(user=user, defaults=settings)[0]


def test_a_new_invoice_reaches_each_finance_user_by_sms_and_e_mail_per_their_choice(
    company, django_capture_on_commit_callbacks
):
    default = UserFactory(company=company)
    email_only = UserFactory(company=company)
    prefer(email_only, channels={"invoice.issued": {"sms": False, "email": True}})
    no_finances = UserFactory(company=company, can_view_finances=False)
    other_company_user = UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        invoice = issue_today(company)

    assert channels_of(default, "invoice.issued") == [EMAIL, SMS]
    assert channels_of(email_only, "invoice.issued") == [EMAIL]
    assert channels_of(no_finances, "invoice.issued") == []
    assert channels_of(other_company_user, "invoice.issued") == []
    sms = Message.objects.get(user=default, event="invoice.issued", channel=SMS)
    email = Message.objects.get(user=default, event="invoice.issued", channel=EMAIL)
    assert sms.recipient == str(default.phone) and email.recipient == default.email
    assert invoice.number in sms.body and "1 230,00 zl" in sms.body
    assert len(sms.body) <= 160 and sms.body.isascii()
    assert email.subject == f"eBOK: nowa faktura {invoice.number}"
    assert "1\u00a0230,00\u00a0zł" in email.body and invoice.number in email.html_body
    assert sms.link == email.link == f"/faktury/{invoice.pk}/"
    sms.refresh_from_db()
    email.refresh_from_db()
    assert sms.status == email.status == Message.Status.SENT  # delivered after commit


def test_a_user_restricted_to_chosen_contracts_hears_only_of_their_invoices(company):
    mine, theirs = ContractFactory(company=company), ContractFactory(company=company)
    restricted = UserFactory(company=company, contracts_restricted=True)
    restricted.allowed_contracts.set([mine])

    issue_today(company, contract=theirs)
    assert channels_of(restricted, "invoice.issued") == []
    issue_today(company, contract=mine)
    assert channels_of(restricted, "invoice.issued") == [EMAIL, SMS]


def test_history_loaded_from_the_core_system_is_not_announced(company):
    user = UserFactory(company=company)
    invoice_create(
        company=company,
        kind=Invoice.Kind.OTHER,
        lines=[LineSpec("Opłata", Decimal("10.00"), VatRate.NOT_SUBJECT)],
        issue_date=today() - dt.timedelta(days=90),
        due_date=today() - dt.timedelta(days=76),
    )
    assert channels_of(user, "invoice.issued") == []


def test_an_event_the_user_turned_off_everywhere_still_reaches_the_portal_inbox(company):
    user = UserFactory(company=company)
    prefer(user, channels={"invoice.issued": {"sms": False, "email": False}})

    issue_today(company)

    row = Message.objects.get(user=user, event="invoice.issued")
    assert row.channel == INBOX and row.read_at is None and row.subject


def test_the_message_is_written_in_the_users_language(company):
    user = UserFactory(company=company)
    prefer(user, language="en")

    issue_today(company)

    email = Message.objects.get(user=user, event="invoice.issued", channel=EMAIL)
    assert '<html lang="en">' in email.html_body
    # English number format, whatever the translation catalogue says about the words.
    assert "1,230.00\u00a0PLN" in email.body


def test_a_dedupe_key_makes_an_event_idempotent_per_user_and_channel(company):
    user = UserFactory(company=company)
    context = {"number": "FV/1", "amount": Decimal("1.00"), "due_date": today()}

    first = emit("invoice.overdue", user=user, context=context, dedupe_key="inv-1")
    again = emit("invoice.overdue", user=user, context=context, dedupe_key="inv-1")

    assert [m.pk for m in again] == [m.pk for m in first]
    assert Message.objects.filter(user=user, event="invoice.overdue").count() == 2


def test_quiet_hours_delay_an_sms_to_their_end_but_not_an_e_mail(
    company, django_capture_on_commit_callbacks
):
    user = UserFactory(company=company)
    now = dt.datetime.now(WARSAW)
    start = (now - dt.timedelta(hours=1)).time().replace(second=0, microsecond=0)
    end = (now + dt.timedelta(hours=1)).time().replace(second=0, microsecond=0)
    prefer(user, quiet_from=start, quiet_to=end)

    before = dt.datetime.now(WARSAW)
    with django_capture_on_commit_callbacks(execute=True):
        issue_today(company)

    sms = Message.objects.get(user=user, event="invoice.issued", channel=SMS)
    email = Message.objects.get(user=user, event="invoice.issued", channel=EMAIL)
    assert email.status == Message.Status.SENT
    assert sms.status == Message.Status.QUEUED and sms.attempts == 0
    waits_until = sms.next_attempt_at.astimezone(WARSAW)
    assert waits_until.time() == end and waits_until > before


@pytest.mark.parametrize(
    ("start", "end", "now", "until"),
    [
        ("22:00", "07:00", "2026-12-02 23:30", "2026-12-03 07:00"),  # over midnight, evening
        ("22:00", "07:00", "2026-12-03 06:59", "2026-12-03 07:00"),  # over midnight, morning
        ("22:00", "07:00", "2026-12-03 07:00", None),  # the first allowed minute
        ("22:00", "07:00", "2026-12-03 12:00", None),
        ("13:00", "15:30", "2026-12-03 14:00", "2026-12-03 15:30"),
        ("22:00", "07:00", "2026-03-29 01:30", "2026-03-29 07:00"),  # the night clocks jump
    ],
)
def test_quiet_hours_end_at_the_next_allowed_minute_in_warsaw(start, end, now, until):
    prefs = NotificationSettings(
        quiet_from=dt.time.fromisoformat(start), quiet_to=dt.time.fromisoformat(end)
    )
    moment = dt.datetime.fromisoformat(now).replace(tzinfo=WARSAW)
    expected = dt.datetime.fromisoformat(until).replace(tzinfo=WARSAW) if until else None
    assert quiet_until(prefs, moment) == expected


def test_account_events_go_out_whatever_the_preferences_and_are_not_offered_there(company):
    user = UserFactory(company=company)
    prefer(user, channels={"account.locked": {"sms": False, "email": False}})

    user_lock(user=user, reason=LockReason.FAILED_PASSWORD)

    assert channels_of(user, "account.locked") == [EMAIL, SMS]
    assert get_event("account.locked").always
    assert all(event.group != "account" for event in preference_events())


def test_a_changed_phone_is_reported_to_the_old_number_only(company):
    user = UserFactory(company=company, phone="+48600000111")
    old = {"phone": "+48600000111", "email": user.email}
    user.phone = "+48600000222"
    user.save()

    user_contact_change_notify(user=user, old=old, changes={"phone": user.phone})

    row = Message.objects.get(user=user, event="account.phone_changed")
    assert row.channel == SMS and row.recipient == "+48600000111"


def test_a_changed_password_is_confirmed_by_sms_and_e_mail(company):
    user = UserFactory(company=company)
    user_password_set(user=user, password="Nowe-Haslo!2027x")
    assert channels_of(user, "account.password_changed") == [EMAIL, SMS]
    sms = Message.objects.get(user=user, event="account.password_changed", channel=SMS)
    assert sms.body.startswith("eBOK: haslo do Twojego konta zostalo zmienione")
