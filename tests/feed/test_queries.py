"""Re-importing unchanged data costs a fixed number of queries, whatever the batch's size."""

from __future__ import annotations

from decimal import Decimal

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


def invoices_to_correct(n: int, groups: int) -> list[dict]:
    """Per group an invoice paid in full, one paid in part and one not paid at all."""
    records = [b.company(n)]
    for g in range(groups):
        records.append(b.invoice(n, f"A{g}", net="100.00", due_date="2026-02-16"))
        records.append(b.invoice(n, f"B{g}", net="100.00", due_date="2026-02-17"))
        records.append(b.invoice(n, f"C{g}", net="100.00", due_date="2026-03-01"))
        records.append(b.payment(n, f"PA{g}", "123.00", invoice=f"C{n}-A{g}"))
        records.append(b.payment(n, f"PB{g}", "50.00", invoice=f"C{n}-B{g}"))
    return records


def corrections(n: int, groups: int) -> list[dict]:
    """Per group: the paid invoice down (its credit pays part invoices), the part paid one
    down, the unpaid one up and down again."""
    records = []
    for g in range(groups):
        records.append(b.correction(n, f"KA{g}", f"A{g}", "-50.00"))
        records.append(b.correction(n, f"KB{g}", f"B{g}", "-10.00"))
        records.append(b.correction(n, f"KC{g}", f"C{g}", "20.00"))
        records.append(b.correction(n, f"KD{g}", f"C{g}", "-30.00"))
    return records


def corrections_queries(feed_api, n: int, groups: int) -> int:
    assert feed_api.post(invoices_to_correct(n, groups)).json()["status"] == "applied"
    records = corrections(n, groups)
    with CaptureQueriesContext(connection) as queries:
        report = feed_api.post(records).json()
    assert report["created"] == len(records), report["errors"]
    return len(queries)


def test_corrections_cost_the_same_queries_for_4_or_40(feed_api):
    from invoices.models import Invoice

    assert corrections_queries(feed_api, 1, 1) == corrections_queries(feed_api, 2, 10)
    # Released credit settled the part-paid invoices.
    assert Invoice.objects.get(external_id="C2-KA9").released_to_credit == Decimal("61.50")
    assert Invoice.objects.get(external_id="C2-B9").amount_due == 0
