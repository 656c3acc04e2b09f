"""Data arriving through the feed raises the same notification events as data entered in admin
(the feed writes through the same services)."""

from __future__ import annotations

import pytest

from ebok.dates import today
from notifications.models import Message
from tests.feed import builders as b

pytestmark = pytest.mark.django_db


def test_a_new_invoice_from_the_feed_is_announced(feed_api):
    issued = today().isoformat()
    records = [b.company(1, admin=b.admin_user(1))]
    records.append(b.invoice(1, "NEW", issue_date=issued, due_date=issued))

    assert feed_api.post(records).status_code == 200

    assert Message.objects.filter(event="invoice.issued", user__login="admin1").exists()
    # Re-sent, it is not news again.
    count = Message.objects.filter(event="invoice.issued").count()
    feed_api.post(records)
    assert Message.objects.filter(event="invoice.issued").count() == count
