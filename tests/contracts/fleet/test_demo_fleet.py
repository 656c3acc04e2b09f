"""The demo fleet: a company's CFM vehicles get a year of believable history, once."""

from __future__ import annotations

import datetime as dt

import pytest

from contracts.fleet import demo
from contracts.fleet.models import (
    Damage,
    DamagePhoto,
    DamageStatusChange,
    FuelTransaction,
    MileageReading,
    ServiceVisit,
)
from contracts.models import InsurancePolicy
from ebok.dates import today
from ebok.demo import DemoContext, demo_seeders
from tests.factories import ContractFactory, InsurancePolicyFactory, LeasedAssetFactory, UserFactory

pytestmark = pytest.mark.django_db


def context() -> DemoContext:
    return DemoContext(today=today(), log=lambda line: None)


@pytest.fixture
def fleet_company(company):
    UserFactory(company=company, is_company_admin=True)
    start = today() - dt.timedelta(days=500)
    for n, kind in enumerate(("car", "van", "truck", "trailer")):
        contract = ContractFactory(company=company, signed_on=start, start_date=start)
        asset = LeasedAssetFactory(contract=contract, kind=kind, registration_number=f"WE {n}0000")
        InsurancePolicyFactory(
            contract=contract,
            asset=asset,
            insurer="PZU SA",
            valid_from=today() - dt.timedelta(days=100),
            valid_to=today() + dt.timedelta(days=265),
        )
    ContractFactory(company=company)  # no vehicle: stays as it is
    return company


def test_the_fleet_app_is_seeded_by_seed_demo():
    assert "fleet" in [label for label, _seed in demo_seeders()]


def test_a_company_gets_a_year_of_fleet_history(fleet_company):
    added = demo.seed_company(context(), fleet_company, share=demo.Decimal(1), damages=True)
    assert added > 100
    assert fleet_company.contracts.filter(fleet_management=True).count() == 4
    car = fleet_company.contracts.get(assets__kind="car").assets.get()
    fuel = list(FuelTransaction.objects.filter(asset=car, product="diesel").order_by("occurred_at"))
    assert 48 <= len(fuel) <= 56  # weekly for a year
    mileage = [f.mileage_km for f in fuel]
    assert mileage == sorted(mileage) and len(set(mileage)) == len(mileage)
    assert fuel[0].occurred_at.date() >= today() - dt.timedelta(days=366)
    assert all(f.gross >= f.net > 0 for f in fuel)
    assert ServiceVisit.objects.filter(asset=car).count() >= 3
    assert MileageReading.objects.filter(asset=car).count() >= 12
    trailer = fleet_company.contracts.get(assets__kind="trailer").assets.get()
    assert not FuelTransaction.objects.filter(asset=trailer).exists()
    statuses = set(Damage.objects.filter(company=fleet_company).values_list("status", flat=True))
    assert len(statuses) >= 3
    portal = Damage.objects.get(company=fleet_company, source=Damage.Source.PORTAL)
    assert portal.status == "reported" and portal.reported_by is not None
    assert DamagePhoto.objects.get(damage=portal).file.read()[:3] == b"\xff\xd8\xff"
    for damage in Damage.objects.filter(company=fleet_company):
        history = list(damage.status_changes.order_by("at", "pk"))
        assert history[-1].to_status == damage.status
    assert InsurancePolicy.objects.filter(
        contract__company=fleet_company, claims_phone="801 102 102"
    ).exists()


def test_a_second_run_adds_nothing_and_the_data_is_the_same(fleet_company):
    demo.seed_company(context(), fleet_company, share=demo.Decimal(1), damages=True)
    first = list(
        FuelTransaction.objects.order_by("external_id").values_list("external_id", "gross")
    )
    changes = DamageStatusChange.objects.count()
    assert demo.seed_company(context(), fleet_company, share=demo.Decimal(1), damages=True) == 0
    again = list(
        FuelTransaction.objects.order_by("external_id").values_list("external_id", "gross")
    )
    assert again == first and DamageStatusChange.objects.count() == changes


def test_a_share_puts_part_of_the_fleet_under_cfm(fleet_company):
    for n in range(20):
        contract = ContractFactory(
            company=fleet_company, start_date=today() - dt.timedelta(days=30)
        )
        LeasedAssetFactory(contract=contract, registration_number=f"DW {n}1111")
    demo.seed_company(context(), fleet_company, share=demo.Decimal("0.5"), damages=False)
    cfm = fleet_company.contracts.filter(fleet_management=True).count()
    assert 4 < cfm < 24
