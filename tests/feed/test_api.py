"""The import API through the HTTP client with a real key: create, update, re-send, reject."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.models import Company, User
from contracts.models import AdditionalFee, Contract, Installment, InsurancePolicy, LeasedAsset
from feed.models import ImportBatch, ReconciliationLine
from invoices.models import Invoice, Payment, PaymentAllocation
from notifications.models import Message
from tests.feed import builders as b

pytestmark = pytest.mark.django_db


def snapshot() -> dict:
    """Every row the feed writes, as values: equal snapshots mean nothing changed."""
    models = [Company, User, Contract, LeasedAsset, Installment, AdditionalFee, InsurancePolicy]
    models += [Invoice, Payment, PaymentAllocation]
    return {
        model.__name__: sorted(
            map(repr, model.objects.values_list(*[f.attname for f in model._meta.concrete_fields]))
        )
        for model in models
    }


def test_it_creates_a_whole_company(feed_api):
    response = feed_api.post(b.full_company(1))

    assert response.status_code == 200, response.json()
    report = response.json()
    assert report["status"] == "applied"
    assert report["rejected"] == 0 and report["errors"] == []
    assert report["created"] == 10  # every record but the balance
    company = Company.objects.get(external_id="C1")
    admin = company.users.get()
    assert admin.is_company_admin and admin.must_change_password
    assert Message.objects.filter(user=admin, channel="sms", sensitive=True).exists()
    contract = Contract.objects.get(company=company, external_id="C1-K1")
    assert contract.assets.get().external_id == "C1-K1-A1"
    assert contract.installments.count() == 3
    first = contract.installments.get(number=1)
    assert first.invoice.number == "FR/1/I1"
    assert AdditionalFee.objects.get(external_id="C1-K1-F1").invoice.number == "FR/1/F1"
    correction = Invoice.objects.get(external_id="C1-X1K")
    assert correction.number == "KR/1/X1K" and correction.corrected_invoice.number == "FR/1/X1"
    payment = Payment.objects.get(external_id="C1-P1")
    assert payment.unallocated == 0 and payment.allocations.exists()
    line = ReconciliationLine.objects.get(company=company)
    assert line.portal_balance == line.core_balance == Decimal("2083.00")
    assert not line.mismatch
    assert report["reconciliation"][0]["mismatch"] is False


def test_sending_the_same_batch_twice_changes_nothing(feed_api):
    records = b.full_company(1) + b.full_company(2)
    assert feed_api.post(records).status_code == 200
    before = snapshot()
    sms_before = Message.objects.count()

    response = feed_api.post(records)

    report = response.json()
    assert response.status_code == 200
    assert report["created"] == report["updated"] == report["rejected"] == 0
    assert report["unchanged"] == len(records)
    assert snapshot() == before
    assert Message.objects.count() == sms_before  # no second first-sign-in SMS


def test_it_updates_what_changed(feed_api):
    feed_api.post(b.full_company(1))

    response = feed_api.post(
        [
            b.company(1, city="Kraków"),
            b.contract(1, status="ended"),
            b.policy(1, premium="3500.00"),
            {
                "kind": "contract_status",
                "company": "C1",
                "external_id": "S1",
                "contract": "C1-K1",
                "status": "ended",
            },
        ]
    )

    report = response.json()
    assert report["counts"]["company"] == {"updated": 1}
    assert report["counts"]["contract"] == {"updated": 1}
    assert report["counts"]["policy"] == {"updated": 1}
    assert report["counts"]["contract_status"] == {"unchanged": 1}
    assert Company.objects.get(external_id="C1").city == "Kraków"
    assert Contract.objects.get(external_id="C1-K1").status == "ended"
    assert InsurancePolicy.objects.get(external_id="C1-K1-P1").premium == Decimal("3500.00")


def test_an_invalid_record_rejects_its_company_only(feed_api):
    bad = b.invoice(2, "I9")
    bad["lines"][0]["net"] = "dużo"
    bad["due_date"] = "2026-13-01"
    records = [*b.full_company(1), b.company(2), b.contract(2), bad]

    response = feed_api.post(records)

    assert response.status_code == 207
    report = response.json()
    assert report["status"] == "partial"
    assert report["companies"] == {"C1": "applied", "C2": "rejected"}
    paths = {(e["record"], e["path"]) for e in report["errors"]}
    assert paths == {(len(records) - 1, "lines[0].net"), (len(records) - 1, "due_date")}
    assert all(e["company"] == "C2" and e["external_id"] == "C2-I9" for e in report["errors"])
    assert report["rejected"] == 3
    assert Company.objects.filter(external_id="C1").exists()
    assert not Company.objects.filter(external_id="C2").exists()


def test_a_refused_record_rolls_its_company_back(feed_api):
    """The record is valid, but a service refuses it: what came before it is undone too."""
    records = [b.company(3), b.contract(3), b.payment(3, "P1", "10.00", invoice="C3-NONE")]

    response = feed_api.post(records)

    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["path"] == "invoice" and error["record"] == 2
    assert "C3-NONE" in error["message"]
    assert not Company.objects.filter(external_id="C3").exists()
    assert not Contract.objects.filter(external_id="C3-K1").exists()


def test_an_issued_invoice_cannot_change(feed_api):
    feed_api.post(b.full_company(1))
    changed = b.invoice(1, "X1", net="999.00")

    response = feed_api.post([changed])

    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["path"] == "lines"
    assert "korekt" in error["message"]
    assert Invoice.objects.get(external_id="C1-X1").net == Decimal("1000.00")


def test_records_of_a_company_may_come_in_any_order(feed_api):
    records = list(reversed(b.full_company(4)))
    response = feed_api.post(records)
    assert response.status_code == 200, response.json()["errors"]


def test_the_schedule_is_replaced_keeping_invoiced_rows(feed_api):
    feed_api.post(b.full_company(1))
    contract = Contract.objects.get(external_id="C1-K1")
    kept = contract.installments.get(number=1)
    new_rows = b.installments_after_rate_change(Decimal("9.0"))

    response = feed_api.post([b.schedule(1, rows=new_rows)])

    assert response.json()["counts"]["schedule"] == {"updated": 1}
    rows = list(contract.installments.order_by("number"))
    assert rows[0].pk == kept.pk and rows[0].invoice_id == kept.invoice_id
    assert [str(r.interest) for r in rows[1:]] == [r["interest"] for r in new_rows[1:]]
    assert rows[-1].remaining_capital == Decimal("10000.00")

    changed_paid = b.installments(Decimal("9.0"))
    response = feed_api.post([b.schedule(1, rows=changed_paid)])
    (error,) = response.json()["errors"]
    assert error["path"] == "installments" and "zafakturowana" in error["message"]


def test_core_allocation_mode_takes_the_core_systems_allocation(feed_api, settings):
    settings.FEED_PAYMENT_ALLOCATION = "core"
    records = [b.company(5), b.invoice(5, "A"), b.invoice(5, "B")]
    records.append(
        b.payment(5, "P", "500.00", allocations=[{"invoice": "C5-B", "amount": "300.00"}])
    )

    response = feed_api.post(records)

    assert response.status_code == 200, response.json()
    payment = Payment.objects.get(external_id="C5-P")
    assert payment.unallocated == Decimal("200.00")
    (allocation,) = payment.allocations.all()
    assert allocation.invoice.number == "FR/5/B" and allocation.amount == Decimal("300.00")

    response = feed_api.post([b.payment(5, "Q", "10.00")])
    assert response.json()["errors"][0]["path"] == "allocations"


def test_portal_allocation_mode_refuses_an_allocation(feed_api):
    records = [b.company(6), b.invoice(6, "A")]
    records.append(b.payment(6, "P", "5.00", allocations=[{"invoice": "C6-A", "amount": "5"}]))
    response = feed_api.post(records)
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "allocations"


def test_the_core_systems_pdf_is_kept(feed_api):
    import base64

    pdf = b"%PDF-1.4\n% the core system's own document\n%%EOF\n"
    record = b.invoice(7, "D", pdf_base64=base64.b64encode(pdf).decode())
    assert feed_api.post([b.company(7), record]).status_code == 200
    invoice = Invoice.objects.get(external_id="C7-D")
    with invoice.pdf.open("rb") as handle:
        assert handle.read() == pdf


def test_a_balance_mismatch_is_flagged(feed_api):
    records = b.full_company(1)
    records[-1] = b.balance(1, "2000.00")

    report = feed_api.post(records).json()

    (line,) = report["reconciliation"]
    assert line["mismatch"] is True and line["difference"] == "83.00"
    batch = ImportBatch.objects.get(pk=report["batch"])
    assert batch.reconciliation.get().mismatch


def test_every_batch_is_logged(feed_api, api_key):
    feed_api.post(b.full_company(1))
    batch = ImportBatch.objects.get()
    assert batch.client == api_key[0]
    assert batch.status == "applied" and batch.records == 11 and batch.created == 10
    assert batch.finished_at >= batch.started_at and batch.ip == "127.0.0.1"


def test_data_entered_in_admin_before_the_feed_is_taken_over(feed_api):
    from tests.factories import CompanyFactory, ContractFactory

    company = CompanyFactory(client_number="70000001")
    contract = ContractFactory(company=company, number="UL/1/1")

    report = feed_api.post([b.company(1), b.contract(1)]).json()

    assert report["status"] == "applied", report["errors"]
    assert report["counts"] == {"company": {"updated": 1}, "contract": {"updated": 1}}
    company.refresh_from_db()
    contract.refresh_from_db()
    assert company.external_id == "C1" and contract.external_id == "C1-K1"
    assert contract.net_value == Decimal("120000.00")


def test_hostile_records_are_errors_not_failures(feed_api):
    records = [
        1,
        "x",
        None,
        {"kind": ["company"]},
        {"kind": "invoice", "company": {"a": 1}},
        {"kind": "company", "external_id": ["x"]},
        {"kind": "invoice", "company": "C1", "external_id": "I", "lines": "many"},
        {"kind": "payment", "company": "C1", "external_id": "P", "amount": "1e9999"},
    ]

    response = feed_api.post(records)

    assert response.status_code == 422
    assert {e["record"] for e in response.json()["errors"]} == set(range(len(records)))
