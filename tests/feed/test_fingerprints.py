"""A record sent again exactly as last applied is skipped by its fingerprint, but only while
the row it wrote exists; anything changed goes through the full path."""

from __future__ import annotations

from decimal import Decimal

import pytest

from contracts.models import AdditionalFee, Contract, InsurancePolicy
from feed.models import RecordFingerprint
from invoices.models import Payment
from tests.feed import builders as b

pytestmark = pytest.mark.django_db


def test_an_unchanged_record_is_skipped_without_validation(feed_api, monkeypatch):
    records = b.full_company(1)
    assert feed_api.post(records).json()["created"] == 10
    validated = []
    from feed.importer import runner

    original = runner.BatchRun._validator

    def spy(self, kind):
        validated.append(kind)
        return original(self, kind)

    monkeypatch.setattr(runner.BatchRun, "_validator", spy)

    report = feed_api.post(records).json()

    assert report["unchanged"] == len(records)
    assert validated == ["balance"]  # compared on every batch; the rest skipped


def test_a_deleted_row_is_written_again_when_its_record_comes_unchanged(feed_api):
    records = b.full_company(1)
    feed_api.post(records)
    InsurancePolicy.objects.get(external_id="C1-K1-P1").delete()

    report = feed_api.post(records).json()

    assert report["status"] == "applied", report["errors"]
    assert report["counts"]["policy"] == {"created": 1}
    assert report["unchanged"] == len(records) - 1
    assert InsurancePolicy.objects.filter(external_id="C1-K1-P1").exists()


def test_an_admin_edit_stays_until_the_core_system_sends_the_record_changed(feed_api):
    feed_api.post(b.full_company(1))
    Contract.objects.filter(external_id="C1-K1").update(margin=Decimal("3.5000"))

    again = feed_api.post([b.contract(1)]).json()

    assert again["counts"]["contract"] == {"unchanged": 1}
    assert Contract.objects.get(external_id="C1-K1").margin == Decimal("3.5000")

    changed = feed_api.post([b.contract(1, margin="2.5000")]).json()

    assert changed["counts"]["contract"] == {"updated": 1}
    assert Contract.objects.get(external_id="C1-K1").margin == Decimal("2.5000")


def test_a_changed_record_goes_through_the_full_checks(feed_api):
    feed_api.post(b.full_company(1))

    report = feed_api.post([b.payment(1, "P1", "600.00")]).json()

    assert report["status"] == "rejected"
    assert report["errors"][0]["path"] == "amount"
    assert Payment.objects.get(external_id="C1-P1").amount == Decimal("500.00")


def test_fees_of_two_contracts_with_the_same_external_id_keep_their_own_fingerprints(feed_api):
    first = b.fee(1, 1, external_id="FEE")
    second = b.fee(1, 2, external_id="FEE", net="300.00", vat="69.00")
    records = [b.company(1), b.contract(1, 1), b.contract(1, 2), first, second]
    assert feed_api.post(records).json()["created"] == 5

    report = feed_api.post([first, {**second, "net": "310.00", "vat": "71.30"}]).json()

    assert report["counts"]["fee"] == {"unchanged": 1, "updated": 1}
    assert AdditionalFee.objects.get(contract__external_id="C1-K2").net == Decimal("310.00")
    assert RecordFingerprint.objects.filter(kind="fee").count() == 2


def test_a_rejected_batch_leaves_no_fingerprint(feed_api):
    records = [b.company(1), b.contract(1), b.payment(1, "P1", "-1")]

    assert feed_api.post(records).json()["status"] == "rejected"

    assert not RecordFingerprint.objects.exists()
