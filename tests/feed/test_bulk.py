"""A first import in bulk ends exactly where the services, record by record, end: the same
allocations of every payment, the same credit, the same amounts paid, the same corrections."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.audit import BACKGROUND
from ebok.dates import today
from feed.importer import bulk_corrections, runner
from feed.importer.runner import Item, run_batch
from feed.models import ImportBatch
from invoices.models import Invoice, InvoiceLine, Payment, PaymentAllocation
from notifications.models import Message
from tests.feed import builders as b

pytestmark = pytest.mark.django_db

BASIS = "art. 43 ust. 1 pkt 38 ustawy o VAT"


def correction(n: int, key: str, corrects: str, *lines: tuple[str, str], **extra) -> dict:
    """A correction of `corrects` by (net, VAT rate) differences."""
    record = b.correction(n, key, corrects, "0")
    record["lines"] = [
        {"description": f"Korekta {key}", "net": net, "vat_rate": rate} for net, rate in lines
    ]
    return {**record, **extra}


def batches(n: int) -> list[list[dict]]:
    """Credit left from an earlier batch, then invoices due in a shuffled order, a downward
    correction, payments naming an invoice, the correction or nothing, an overpayment; then
    new invoices the remaining credit pays in part, and corrections of every kind: down and up,
    of paid, partly paid and unpaid invoices, one invoice corrected up and then down, one with
    two VAT rates (the exempt line takes the invoice's basis)."""
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
    # 5 227.00 of credit is left: N1 is paid, N2 in part, N3 and MIX not at all.
    last = [
        b.invoice(n, "N1", net="3000.00", due_date="2026-03-01"),
        b.invoice(n, "N2", net="2000.00", due_date="2026-03-05"),
        b.invoice(n, "N3", net="1000.00", due_date="2026-03-10"),
        b.invoice(
            n,
            "MIX",
            due_date="2026-03-12",
            lines=[
                {"description": "Usługa", "net": "400.00", "vat_rate": "23"},
                {
                    "description": "Odsetki",
                    "net": "90.00",
                    "vat_rate": "zw",
                    "exemption_basis": BASIS,
                },
            ],
        ),
        correction(n, "KD", "N3", ("-300.00", "23")),  # unpaid, down
        correction(n, "KC", "N2", ("-1000.00", "23")),  # partly paid, down below what was paid
        correction(n, "KA", "I0", ("-100.00", "23")),  # paid, down: credit for N2, N3
        correction(n, "KB", "I3", ("50.00", "23")),  # paid, up
        correction(n, "KE", "I5", ("100.00", "23")),  # paid, up ...
        correction(n, "KF", "I5", ("-150.00", "23")),  # ... then down: the upward one first
        correction(n, "KG", "N3", ("20.00", "23"), issue_date="2026-02-25"),  # unpaid, up
        correction(n, "KH", "N1", ("-2900.00", "23")),  # paid, down: much credit
        correction(n, "KM", "MIX", ("-40.00", "zw"), ("-100.00", "23")),
        correction(n, "KN", "MIX", ("15.00", "zw")),
        b.payment(n, "P7", "100.00", invoice=f"C{n}-KD"),
        b.payment(n, "P8", "50.00"),
    ]
    return [earlier, later, last]


def state(n: int) -> dict:
    prefix = f"C{n}-"
    corrections = Invoice.objects.filter(company__external_id=f"C{n}", kind="correction")
    return {
        "corrections": sorted(
            (
                c.external_id.removeprefix(prefix),
                c.corrected_invoice.external_id.removeprefix(prefix),
                c.number.replace(f"/{n}/", "/"),
                c.issue_date,
                c.due_date,
                c.sale_date,
                c.net,
                c.vat,
                c.gross,
                c.released_to_credit,
                c.correction_reason,
            )
            for c in corrections.select_related("corrected_invoice")
        ),
        "lines": sorted(
            (
                line.invoice.external_id.removeprefix(prefix),
                line.position,
                line.description,
                line.quantity,
                line.unit,
                line.unit_net,
                line.net,
                line.vat_rate,
                line.vat,
                line.gross,
                line.exemption_basis,
            )
            for line in InvoiceLine.objects.filter(invoice__in=corrections).select_related(
                "invoice"
            )
        ),
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


def import_all(feed_api, n: int, records_of=batches) -> list[dict]:
    reports = []
    for records in records_of(n):
        response = feed_api.post(records)
        assert response.status_code == 200, response.json()
        reports.append(response.json())
    return reports


def record_by_record(ctx, records):
    raise AssertionError("the corrections went record by record")


def test_bulk_allocation_equals_the_services_record_by_record(feed_api, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(bulk_corrections, "_one_by_one", record_by_record)
        import_all(feed_api, 1)
    with monkeypatch.context() as patch:
        patch.setattr(runner, "BULK_APPLIERS", {})  # every record through the services
        import_all(feed_api, 2)

    bulk, one_by_one = state(1), state(2)

    assert bulk == one_by_one
    assert len(bulk["allocations"]) > 10
    released = {
        key: Invoice.objects.get(external_id=f"C1-{key}").released_to_credit
        for key in ("KA", "KC", "KD", "KF")
    }
    assert released["KA"] > 0 and released["KC"] > 0 and released["KF"] > 0
    assert released["KD"] == 0  # unpaid: nothing to release
    exempt = InvoiceLine.objects.filter(invoice__external_id__in=["C1-KM", "C1-KN"], vat_rate="zw")
    assert [line.exemption_basis for line in exempt] == [BASIS, BASIS]


def test_a_refused_correction_in_bulk_is_refused_as_by_the_service(feed_api, monkeypatch):
    def errors(n: int) -> list[dict]:
        first, later, last = batches(n)
        import_all(feed_api, n, lambda n: [first, later])
        # After KH, N1 owes 123.00: another 200.00 down is more than it has.
        response = feed_api.post([*last, correction(n, "KZ", "N1", ("-200.00", "23"))])
        assert response.status_code == 422
        return [
            {**e, "company": "", "external_id": e["external_id"][3:]}
            for e in response.json()["errors"]
        ]

    bulk = errors(3)
    with monkeypatch.context() as patch:
        patch.setattr(runner, "BULK_APPLIERS", {})
        one_by_one = errors(4)

    assert bulk == one_by_one
    assert [(e["external_id"], e["path"]) for e in bulk] == [("KZ", "")]
    assert not Invoice.objects.filter(external_id="C3-KA").exists()
    assert state(3) == state(4)  # nothing of the last batch applied, either way


def test_corrections_of_unknown_invoices_or_of_corrections_are_refused(feed_api):
    records = [*batches(5)[0], *batches(5)[1]]
    assert feed_api.post(records).json()["status"] == "applied"

    for bad, path in (
        (correction(5, "X1", "NOPE", ("-1.00", "23")), "corrects"),
        (correction(5, "X2", "K", ("-1.00", "23")), ""),  # K is a correction
        (correction(5, "X3", "I1", ("-1.00", "8")), ""),  # I1 has no 8 % line
        (correction(5, "X4", "I1", ("-1.00", "23"), number="FR/5/I0"), "number"),
        (correction(5, "X5", "OK", ("-1.00", "23")), ""),  # OK is a correction (of this batch)
    ):
        report = feed_api.post([correction(5, "OK", "I0", ("-1.00", "23")), bad]).json()
        assert report["status"] == "rejected"
        (error,) = report["errors"]
        assert (error["external_id"], error["path"]) == (bad["external_id"], path)
    assert not Invoice.objects.filter(external_id="C5-OK").exists()


def test_a_fresh_upward_correction_is_announced_a_downward_one_is_not(feed_api):
    day = today().isoformat()
    records = [b.company(6, admin=b.admin_user(6)), b.invoice(6, "A", issue_date=day, due_date=day)]
    records += [
        correction(6, "UP", "A", ("10.00", "23"), issue_date=day),
        correction(6, "DOWN", "A", ("-10.00", "23"), issue_date=day),
    ]

    assert feed_api.post(records).json()["status"] == "applied"

    announced = Message.objects.filter(event="invoice.issued", user__login="admin6")
    invoices = {key.split(":")[1] for key in announced.values_list("dedupe_key", flat=True)}
    assert invoices == {
        f"invoice-{Invoice.objects.get(external_id=f'C6-{key}').pk}" for key in ("A", "UP")
    }


# --- any sequence, both ways --------------------------------------------------------------

COMPANY_NUMBERS = itertools.count(100)
cents = st.integers(min_value=1, max_value=2000_00)
later_step = st.one_of(
    # (invoice index, percent of its net: below 0 down, above up)
    st.tuples(st.just("correction"), st.integers(0, 5), st.integers(-120, 60)),
    st.tuples(st.just("payment"), cents, st.just(0)),
    st.tuples(st.just("invoice"), cents, st.just(0)),
)


def random_batches(n: int, invoices: list[int], payments: list[int], steps: list) -> list:
    def money(value: int) -> str:
        return f"{'-' if value < 0 else ''}{abs(value) // 100}.{abs(value) % 100:02d}"

    first = [b.company(n)]
    nets = []
    for i, net in enumerate(invoices):
        first.append(b.invoice(n, f"I{i}", net=money(net), due_date=f"2026-02-{10 + i:02d}"))
        nets.append(net)
    first += [b.payment(n, f"P{i}", money(value)) for i, value in enumerate(payments)]
    second = []
    for i, (kind, value, percent) in enumerate(steps):
        if kind == "correction":
            target = value % len(nets)
            change = nets[target] * percent // 100
            if change:
                second.append(correction(n, f"K{i}", f"I{target}", (money(change), "23")))
        elif kind == "payment":
            second.append(b.payment(n, f"Q{i}", money(value)))
        else:
            second.append(b.invoice(n, f"J{i}", net=money(value), due_date="2026-02-12"))
    return [first, second]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    invoices=st.lists(cents, min_size=1, max_size=6),
    payments=st.lists(cents, max_size=4),
    steps=st.lists(later_step, min_size=1, max_size=10),
)
def test_any_corrections_in_bulk_equal_the_services_one_by_one(
    monkeypatch, invoices, payments, steps
):
    """Whatever the corrections (refused ones too), the bulk path and the services agree."""
    n = next(COMPANY_NUMBERS)
    m = next(COMPANY_NUMBERS)

    def run(number: int) -> list[tuple]:
        reports = []
        for records in filter(None, random_batches(number, invoices, payments, steps)):
            batch, _run = run_batch(
                batch=ImportBatch.objects.create(source="api"),
                items=[Item(position=i, raw=record) for i, record in enumerate(records)],
                audit=BACKGROUND,
            )
            reports.append((batch.status, [(e["path"], e["message"]) for e in batch.errors]))
        return reports

    bulk = run(n)
    with monkeypatch.context() as patch:
        patch.setattr(runner, "BULK_APPLIERS", {})
        one_by_one = run(m)

    assert bulk == one_by_one
    assert state(n) == state(m)


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
