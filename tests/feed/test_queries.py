"""Re-importing unchanged data costs a fixed number of queries, whatever the batch's size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.feed import builders as b

pytestmark = pytest.mark.django_db


def batch(n: int, invoices: int) -> list[dict]:
    records = [b.company(n), b.contract(n), b.schedule(n), b.fee(n), b.policy(n)]
    for i in range(invoices):
        records.append(b.invoice(n, f"I{i}", net="100.00", contract=f"C{n}-K1"))
        records.append(b.payment(n, f"P{i}", "50.00", invoice=f"C{n}-I{i}"))
    records.append(b.correction(n, "K", "I0", "-10.00"))
    return records


def reimport_queries(feed_api, n: int, invoices: int) -> int:
    records = batch(n, invoices)
    assert feed_api.post(records).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        report = feed_api.post(records).json()
    assert report["unchanged"] == len(records)
    return len(queries)


def test_an_unchanged_reimport_costs_the_same_queries_for_5_or_40_invoices(feed_api):
    assert reimport_queries(feed_api, 1, 5) == reimport_queries(feed_api, 2, 40)
