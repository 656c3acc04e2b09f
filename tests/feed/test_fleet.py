"""Fleet records through the import API with a real key: service visits, damages (claims),
fuel card transactions and mileage readings, per vehicle."""

from __future__ import annotations

from decimal import Decimal

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contracts.fleet.models import (
    Damage,
    DamageStatusChange,
    FuelTransaction,
    MileageReading,
    ServiceVisit,
)
from contracts.models import LeasedAsset
from notifications.models import Message
from tests.feed import builders as b

pytestmark = pytest.mark.django_db

FLEET_MODELS = [ServiceVisit, Damage, DamageStatusChange, FuelTransaction, MileageReading]


def snapshot() -> dict:
    return {
        model.__name__: sorted(
            map(repr, model.objects.values_list(*[f.attname for f in model._meta.concrete_fields]))
        )
        for model in FLEET_MODELS
    }


def with_vehicle(n: int = 1) -> list[dict]:
    return [b.company(n, admin=b.admin_user(n)), b.contract(n)]


def test_it_creates_the_fleet_records_of_a_vehicle(feed_api):
    response = feed_api.post(with_vehicle() + b.fleet(1))

    assert response.status_code == 200, response.json()["errors"]
    counts = response.json()["counts"]
    for kind in ("service_visit", "damage", "fuel_transaction", "mileage_reading"):
        assert counts[kind] == {"created": 1}
    asset = LeasedAsset.objects.get(external_id="C1-K1-A1")
    visit = ServiceVisit.objects.get(external_id="C1-S1")
    assert (visit.asset, visit.contract, visit.company) == (
        asset,
        asset.contract,
        asset.contract.company,
    )
    assert visit.gross == Decimal("984.00") and visit.mileage_km == 15200
    damage = Damage.objects.get(external_id="C1-D1")
    assert damage.status == "registered" and damage.source == Damage.Source.CORE
    assert damage.not_covered == Decimal("400.00")
    assert list(damage.status_changes.values_list("from_status", "to_status")) == [
        ("", "registered")
    ]
    fuel = FuelTransaction.objects.get(external_id="C1-T1")
    assert fuel.litres == Decimal("52.40") and fuel.asset == asset
    assert MileageReading.objects.get(external_id="C1-M1").mileage_km == 16100


def test_it_updates_what_changed_and_a_claim_status_goes_through_the_claims_service(feed_api):
    feed_api.post(with_vehicle() + b.fleet(1))
    messages = Message.objects.filter(event="fleet.claim_status_changed").count()

    response = feed_api.post(
        [
            b.service_visit(1, gross="1000.00"),
            b.damage(1, claim_status="repair", repair_cost="2600.00"),
            b.fuel_transaction(1),
            b.mileage_reading(1, mileage_km=16200),
        ]
    )

    assert response.status_code == 200, response.json()["errors"]
    counts = response.json()["counts"]
    assert counts["service_visit"] == counts["damage"] == {"updated": 1}
    assert counts["fuel_transaction"] == {"unchanged": 1}
    assert counts["mileage_reading"] == {"updated": 1}
    assert ServiceVisit.objects.get().gross == Decimal("1000.00")
    assert MileageReading.objects.get().mileage_km == 16200
    damage = Damage.objects.get()
    assert (damage.status, damage.repair_cost) == ("repair", Decimal("2600.00"))
    history = list(damage.status_changes.values_list("from_status", "to_status"))
    assert history == [("", "registered"), ("registered", "repair")]
    # the company's fleet users hear of it, as when staff change the status
    assert Message.objects.filter(event="fleet.claim_status_changed").count() > messages


def test_sending_the_same_fleet_records_again_changes_nothing(feed_api):
    records = with_vehicle() + b.fleet(1)
    feed_api.post(records)
    before = snapshot()
    messages = Message.objects.count()

    report = feed_api.post(records).json()

    assert report["unchanged"] == len(records) and report["created"] == report["updated"] == 0
    assert snapshot() == before
    assert Message.objects.count() == messages
    # also when the full comparison runs (no fingerprint to skip by)
    from feed.models import RecordFingerprint

    RecordFingerprint.objects.all().delete()
    assert feed_api.post(records).json()["unchanged"] == len(records)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("record", "path"),
    [
        (b.service_visit(1, gross="700.00"), "gross"),
        (b.damage(1, covered_amount="9999.00"), "covered_amount"),
        (b.damage(1, claim_status="lost"), "claim_status"),
        (b.fuel_transaction(1, product="coal"), "product"),
        (b.fuel_transaction(1, occurred_at="yesterday"), "occurred_at"),
        (b.mileage_reading(1, mileage_km=-5), "mileage_km"),
        (b.mileage_reading(1, asset="NO-SUCH-CAR"), "asset"),
        (b.service_visit(1, invoice="NO-SUCH-INVOICE"), "invoice"),
    ],
)
def test_an_invalid_record_rejects_the_company_with_its_field_path(feed_api, record, path):
    response = feed_api.post([*with_vehicle(), b.mileage_reading(1, "M0"), record])

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [(e["external_id"], e["path"]) for e in errors] == [(record["external_id"], path)]
    assert snapshot() == {model.__name__: [] for model in FLEET_MODELS}
    assert not LeasedAsset.objects.exists()  # all or nothing for the company


def test_another_companys_vehicle_is_unknown(feed_api):
    feed_api.post(with_vehicle(1))
    foreign = b.damage(2, asset="C1-K1-A1")

    response = feed_api.post([b.company(2), b.contract(2), foreign])

    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert (error["company"], error["path"]) == ("C2", "asset")
    assert not Damage.objects.exists()


def test_a_vehicle_id_on_two_contracts_needs_the_contract(feed_api):
    second = b.contract(1, 2)
    second["assets"][0]["external_id"] = "C1-K1-A1"
    feed_api.post([*with_vehicle(), second])

    ambiguous = feed_api.post([b.mileage_reading(1)])
    named = feed_api.post([b.mileage_reading(1, contract="C1-K2")])

    assert ambiguous.status_code == 422
    assert ambiguous.json()["errors"][0]["path"] == "contract"
    assert named.status_code == 200, named.json()["errors"]
    assert MileageReading.objects.get().contract.external_id == "C1-K2"


def test_a_service_visit_links_the_portal_invoice(feed_api):
    records = [*with_vehicle(), b.invoice(1, "I1"), b.service_visit(1, invoice="C1-I1")]

    assert feed_api.post(records).status_code == 200

    assert ServiceVisit.objects.get().invoice.number == "FR/1/I1"


def fleet_import_queries(feed_api, n: int, vehicles: int) -> int:
    records = [b.company(n)]
    for number in range(1, vehicles + 1):
        records.append(b.contract(n, number))
        records += [
            b.service_visit(n, f"S{number}", number),
            b.damage(n, f"D{number}", number),
            b.fuel_transaction(n, f"T{number}", number),
            b.mileage_reading(n, f"M{number}", number),
        ]
    with CaptureQueriesContext(connection) as queries:
        report = feed_api.post(records).json()
    assert report["created"] == len(records), report["errors"]
    changed = [b.damage(n, f"D{number}", number, place="Kraków") for number in (1, 2)]
    with CaptureQueriesContext(connection) as update_queries:
        assert feed_api.post(changed).json()["updated"] == 2
    return len(queries), len(update_queries)


def test_fleet_records_cost_the_same_queries_for_3_or_30_vehicles(feed_api):
    fleet_import_queries(feed_api, 9, 2)  # the key's first use of the day is recorded once
    assert fleet_import_queries(feed_api, 1, 3) == fleet_import_queries(feed_api, 2, 30)


def test_the_openapi_document_describes_the_fleet_kinds(client):
    document = yaml.safe_load(client.get("/api/core/v1/schema/").content)

    kinds = document["components"]["schemas"]["Record"]["discriminator"]["mapping"]
    assert {"service_visit", "damage", "fuel_transaction", "mileage_reading"} <= set(kinds)
    damage = document["components"]["schemas"]["DamageRecord"]
    assert {"asset", "claim_status", "claim_number", "handler_phone"} <= set(damage["properties"])


# --- A damage reported in the portal, then registered in the core system -----------------------


def reported_in_portal(asset_key: str = "C1-K1-A1") -> Damage:
    from tests.contracts.fleet.factories import DamageFactory, DamagePhotoFactory

    asset = LeasedAsset.objects.get(external_id=asset_key)
    damage = DamageFactory(
        asset=asset,
        source=Damage.Source.PORTAL,
        status=Damage.Status.REPORTED,
        external_id=None,
        claim_number="",
        place="parking pod biurem",
    )
    DamageStatusChange.objects.create(damage=damage, to_status=damage.status)
    DamagePhotoFactory(damage=damage)
    return damage


def test_a_core_damage_naming_the_portal_report_joins_it_instead_of_a_second_claim(feed_api):
    feed_api.post(with_vehicle())
    reported = reported_in_portal()
    record = b.damage(1, portal_claim=reported.pk)

    response = feed_api.post([record])

    assert response.status_code == 200, response.json()["errors"]
    assert response.json()["counts"]["damage"] == {"updated": 1}
    joined = Damage.objects.get()  # one claim, not two
    assert joined.pk == reported.pk
    assert joined.external_id == "C1-D1" and joined.source == Damage.Source.PORTAL
    assert (joined.claim_number, joined.insurer, joined.status) == ("SZK/1/D1", "PZU", "registered")
    assert joined.photos.count() == 1  # the client's photos stay with the claim
    assert list(joined.status_changes.values_list("to_status", flat=True)) == [
        "reported",
        "registered",
    ]
    # Sent again (and later without the number), it is the same claim, unchanged.
    assert feed_api.post([record]).json()["unchanged"] == 1
    from feed.models import RecordFingerprint

    RecordFingerprint.objects.all().delete()
    assert feed_api.post([{**record, "portal_claim": None}]).json()["unchanged"] == 1
    assert Damage.objects.count() == 1


def test_a_portal_report_number_that_does_not_fit_is_refused(feed_api):
    feed_api.post([*with_vehicle(), b.contract(1, 2)])
    reported = reported_in_portal()
    other_vehicle = reported_in_portal("C1-K2-A1")
    core_claim = b.damage(1, "D9")
    feed_api.post([core_claim])
    before = snapshot()

    cases = [
        b.damage(1, "D2", portal_claim=999_999),  # unknown
        b.damage(1, "D3", portal_claim=other_vehicle.pk),  # another vehicle's report
        b.damage(1, "D9", portal_claim=reported.pk),  # a core claim already, not that report
        b.damage(1, "D4", portal_claim=Damage.objects.get(external_id="C1-D9").pk),  # not reported
    ]
    for record in cases:
        response = feed_api.post([record])
        assert response.status_code == 422, record
        assert [e["path"] for e in response.json()["errors"]] == ["portal_claim"]
    assert feed_api.post([b.damage(1, "D5", portal_claim=reported.pk)]).status_code == 200
    taken = feed_api.post([b.damage(1, "D6", portal_claim=reported.pk)])
    assert taken.status_code == 422
    assert "C1-D5" in taken.json()["errors"][0]["message"]
    assert Damage.objects.count() == len(before["Damage"])


def test_another_companys_portal_report_is_unknown(feed_api):
    feed_api.post(with_vehicle(1) + with_vehicle(2))
    foreign = reported_in_portal("C2-K1-A1")

    response = feed_api.post([b.damage(1, portal_claim=foreign.pk)])

    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "portal_claim"
    assert Damage.objects.get().external_id is None
