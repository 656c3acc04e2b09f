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


def first_batch(n: int, contracts: int) -> list[dict]:
    """A new company: contracts with assets, schedules, a fee and a policy each, three invoices
    each (for its first installment, for its fee, and one more) and two payments (one naming
    an invoice, one for the oldest due)."""
    records = [b.company(n, admin=b.admin_user(n))]
    for c in range(1, contracts + 1):
        contract = f"C{n}-K{c}"
        records += [b.contract(n, c), b.schedule(n, c), b.fee(n, c), b.policy(n, c)]
        records.append(b.invoice(n, f"R{c}", contract=contract, installment_number=1))
        records.append(b.invoice(n, f"F{c}", net="200.00", contract=contract, fee=f"{contract}-F1"))
        records.append(b.invoice(n, f"I{c}", net="100.00", contract=contract))
        records.append(b.payment(n, f"P{c}", "50.00", invoice=f"C{n}-I{c}"))
        records.append(b.payment(n, f"Q{c}", "80.00"))
    records.append(b.correction(n, "K", "I1", "-10.00"))
    return records


def first_import_queries(feed_api, n: int, contracts: int) -> int:
    records = first_batch(n, contracts)
    with CaptureQueriesContext(connection) as queries:
        report = feed_api.post(records).json()
    assert report["created"] == len(records), report["errors"]
    return len(queries)


def test_a_first_import_costs_the_same_queries_for_10_or_100_contracts(feed_api):
    first_import_queries(feed_api, 3, 1)  # the key's first use of the day is recorded once
    assert first_import_queries(feed_api, 1, 10) == first_import_queries(feed_api, 2, 100)
