"""A first import in bulk ends exactly where the services, record by record, end: the same
allocations of every payment, the same credit, the same amounts paid."""

from __future__ import annotations

import pytest

from feed.importer import runner
from invoices.models import Invoice, Payment, PaymentAllocation
from tests.feed import builders as b

pytestmark = pytest.mark.django_db


def batches(n: int) -> list[list[dict]]:
    """Credit left from an earlier batch, then invoices due in a shuffled order, a downward
    correction, payments naming an invoice, the correction or nothing, an overpayment."""
    earlier = [b.company(n), b.payment(n, "OLD", "700.00")]
    later = [b.invoice(n, "FIRST", net="100.00", due_date="2026-03-20")]
    for i, (net, due) in enumerate(
        [("300.00", "2026-02-28"), ("50.00", "2026-02-10"), ("800.00", "2026-02-15")]
        + [("120.00", f"2026-02-{day:02d}") for day in (3, 25, 12, 3, 18)]
    ):
        later.append(b.invoice(n, f"I{i}", net=net, due_date=due))
    later.append(b.correction(n, "K", "I2", "-500.00"))
    later += [
        b.payment(n, "P1", "100.00", invoice=f"C{n}-I4"),
        b.payment(n, "P2", "30.00", invoice=f"C{n}-K"),
        b.payment(n, "P3", "1000.00", received_on="2026-01-02"),
        b.payment(n, "P4", "45.50", invoice=f"C{n}-I4"),
        b.payment(n, "P5", "5000.00"),
        b.payment(n, "P6", "12.00", invoice=f"C{n}-I7"),
    ]
    return [earlier, later]


def state(n: int) -> dict:
    prefix = f"C{n}-"
    return {
        "allocations": sorted(
            (
                a.payment.external_id.removeprefix(prefix),
                a.invoice.external_id.removeprefix(prefix),
                a.amount,
            )
            for a in PaymentAllocation.objects.filter(
                payment__company__external_id=f"C{n}"
            ).select_related("payment", "invoice")
        ),
        "credit": sorted(
            (p.external_id.removeprefix(prefix), p.unallocated)
            for p in Payment.objects.filter(company__external_id=f"C{n}")
        ),
        "paid": sorted(
            (i.external_id.removeprefix(prefix), i.amount_payable, i.amount_paid)
            for i in Invoice.objects.filter(company__external_id=f"C{n}")
        ),
    }


def import_all(feed_api, n: int) -> None:
    for records in batches(n):
        response = feed_api.post(records)
        assert response.status_code == 200, response.json()


def test_bulk_allocation_equals_the_services_record_by_record(feed_api, monkeypatch):
    import_all(feed_api, 1)
    with monkeypatch.context() as patch:
        patch.setattr(runner, "BULK_APPLIERS", {})  # every record through the services
        import_all(feed_api, 2)

    bulk, one_by_one = state(1), state(2)

    assert bulk == one_by_one
    assert len(bulk["allocations"]) > 10


def test_core_allocation_in_bulk_checks_each_payment_after_the_earlier_ones(feed_api, settings):
    settings.FEED_PAYMENT_ALLOCATION = "core"
    records = [b.company(3), b.invoice(3, "A", net="100.00")]  # 123.00 to pay
    records += [
        b.payment(3, "P", "100.00", allocations=[{"invoice": "C3-A", "amount": "100.00"}]),
        b.payment(3, "Q", "30.00", allocations=[{"invoice": "C3-A", "amount": "30.00"}]),
    ]

    report = feed_api.post(records).json()

    assert report["status"] == "rejected"
    (error,) = report["errors"]
    assert error["external_id"] == "C3-Q" and "23" in error["message"]
    assert not Payment.objects.filter(company__external_id="C3").exists()


@pytest.mark.django_db(transaction=True)
def test_new_invoices_get_their_pdf_after_the_commit(feed_api, settings):
    settings.INVOICE_PDF_ON_ISSUE = True  # a worker renders them (eager in tests)
    records = [b.company(4), b.invoice(4, "A"), b.invoice(4, "B", pdf_base64=PDF)]

    assert feed_api.post(records).status_code == 200

    rendered = Invoice.objects.get(external_id="C4-A")
    assert rendered.pdf and rendered.pdf.read().startswith(b"%PDF-")
    kept = Invoice.objects.get(external_id="C4-B")
    assert kept.pdf.read() == b"%PDF-1.4 core system's own"


PDF = "JVBERi0xLjQgY29yZSBzeXN0ZW0ncyBvd24="
