""" "Wiadomości": a notification sent by e-mail and SMS is one row (the e-mail's text) with both
channels and their states; reading it, the unread count and "mark all read" count it once."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from notifications.events import emit
from notifications.models import Message
from notifications.services import notify
from tests.factories import UserFactory
from tests.portal_helpers import HTMX, count_queries, signed_in, text, today

pytestmark = pytest.mark.django_db

INBOX_URL = "/wiadomosci/"


def invoice_issued(user, number: str = "FV/1/2026") -> list[Message]:
    context = {"number": number, "amount": Decimal("1230.00"), "due_date": today()}
    return emit("invoice.issued", user=user, context=context, dedupe_key=number, link="/faktury/")


def rows_of(response) -> list[str]:
    return re.findall(r"<tr class=\"[^\"]*\">.*?</tr>", response.content.decode(), flags=re.S)


def test_a_notification_sent_by_e_mail_and_sms_is_one_row_with_both_channels(company):
    user = UserFactory(company=company)
    messages = invoice_issued(user)
    assert sorted(m.channel for m in messages) == ["email", "sms"]
    email = next(m for m in messages if m.channel == "email")
    sms = next(m for m in messages if m.channel == "sms")
    Message.objects.filter(pk=sms.pk).update(status=Message.Status.DELIVERED)
    Message.objects.filter(pk=email.pk).update(status=Message.Status.SENT)

    response = signed_in(user).get(INBOX_URL)

    rows = rows_of(response)
    assert len(rows) == 1
    row = text(type("R", (), {"content": rows[0].encode()}))
    assert email.subject in row  # the e-mail's subject, not the SMS text
    assert "e-mail, SMS" in row
    assert "e-mail: wysłana" in row and "SMS: doręczona" in row
    assert "Znalezione wiadomości: 1" in text(response)
    assert f'href="/wiadomosci/{email.pk}/"' in rows[0]


def test_a_single_channel_message_shows_its_status_without_a_channel_prefix(company):
    user = UserFactory(company=company)
    notify(channel="sms", recipient="+48600", body="eBOK: kod 482913", user=user, sensitive=True)

    page = text(signed_in(user).get(INBOX_URL))

    assert "SMS w kolejce" in page or "SMS wysłana" in page
    assert "SMS:" not in page
    assert "482913" not in page and "treść ukryta" in page


def test_the_unread_count_counts_a_notification_once_and_opening_it_reads_both(company):
    user = UserFactory(company=company)
    invoice_issued(user, "FV/1/2026")
    invoice_issued(user, "FV/2/2026")
    first_email = Message.objects.get(user=user, channel="email", dedupe_key__contains="FV/1/")
    client = signed_in(user)

    assert 'ebok-nav-badge">2<' in client.get(INBOX_URL).content.decode()

    detail = client.get(f"/wiadomosci/{first_email.pk}/")
    assert detail.status_code == 200
    assert "e-mail, SMS" in text(detail)
    assert 'ebok-nav-badge">1<' in client.get(INBOX_URL).content.decode()
    assert not Message.objects.filter(
        user=user, dedupe_key__contains="FV/1/", read_at__isnull=True
    ).exists()

    client.post(INBOX_URL + "przeczytane/", follow=True)
    assert "ebok-nav-badge" not in client.get(INBOX_URL).content.decode()
    assert not Message.objects.filter(user=user, read_at__isnull=True).exclude(event="").exists()


def test_the_address_of_the_sms_opens_the_notification_and_reads_it(company):
    user = UserFactory(company=company)
    messages = invoice_issued(user)
    sms = next(m for m in messages if m.channel == "sms")
    email = next(m for m in messages if m.channel == "email")
    client = signed_in(user)

    page = text(client.get(f"/wiadomosci/{sms.pk}/"))

    assert email.subject in page
    assert Message.objects.filter(user=user, read_at__isnull=True).count() == 0


def test_the_channel_filter_finds_a_notification_by_any_of_its_channels(company):
    user = UserFactory(company=company)
    both = invoice_issued(user)
    subject = next(m for m in both if m.channel == "email").subject
    notify(channel="email", recipient="a@b.pl", subject="Tylko e-mail", body="x", user=user)
    client = signed_in(user)

    def shown(query: str) -> str:
        return text(client.get(f"{INBOX_URL}?{query}", **HTMX))

    assert subject in shown("channel=sms") and "Tylko e-mail" not in shown("channel=sms")
    assert subject in shown("channel=email") and "Tylko e-mail" in shown("channel=email")
    assert subject in shown("state=unread")
    Message.objects.filter(user=user).update(read_at=timezone.now())
    assert subject not in shown("state=unread")
    since = (timezone.localdate() - dt.timedelta(days=1)).strftime("%d.%m.%Y")
    assert subject in shown(f"date_from={since}&channel=sms")


def test_the_inbox_takes_the_same_queries_for_few_and_many_notifications(company):
    user = UserFactory(company=company)
    client = signed_in(user)
    invoice_issued(user, "FV/0/2026")
    count_queries(client, INBOX_URL)  # warm caches
    few = count_queries(client, INBOX_URL)[0]
    for n in range(1, 30):
        invoice_issued(user, f"FV/{n}/2026")
    many, response = count_queries(client, INBOX_URL)
    assert many == few
    assert len(rows_of(response)) == 25
