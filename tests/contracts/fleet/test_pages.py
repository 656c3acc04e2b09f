"""The "Flota" pages: who may see them, the vehicle list, a vehicle with its timeline, cost
chart and consumption. (The lists of service, fuel, damages and costs with their Excel
downloads are in test_lists.py.)"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse

from contracts.fleet.models import Damage, FuelTransaction
from tests.contracts.fleet.factories import (
    DamageFactory,
    FuelTransactionFactory,
    MileageReadingFactory,
    ServiceVisitFactory,
)
from tests.contracts.fleet.page_helpers import LIST_URLS, D, at, cfm_contract, fleet_user
from tests.factories import InsurancePolicyFactory
from tests.portal_helpers import client_user, make_contract, signed_in, text, today

pytestmark = pytest.mark.django_db


# --- Access ------------------------------------------------------------------------------------


def test_a_vehicle_of_another_company_a_plain_contract_or_unknown_is_404(fleet):
    client = signed_in(fleet["user"])
    assert client.get(reverse("fleet:vehicle", args=[fleet["vehicle"].pk])).status_code == 200
    for vehicle in (fleet["foreign_vehicle"], fleet["plain_vehicle"]):
        response = client.get(reverse("fleet:vehicle", args=[vehicle.pk]))
        assert response.status_code == 404, vehicle
    assert client.get(reverse("fleet:vehicle", args=[987654])).status_code == 404


def test_a_user_without_the_fleet_permission_gets_403(fleet, company):
    client = signed_in(client_user(company))
    urls = [reverse(name) for name in LIST_URLS]
    urls.append(reverse("fleet:vehicle", args=[fleet["vehicle"].pk]))
    for url in urls:
        assert client.get(url).status_code == 403, url


def test_a_signed_out_visitor_is_sent_to_sign_in(fleet, client):
    for url in [reverse(name) for name in LIST_URLS] + [
        reverse("fleet:vehicle", args=[fleet["vehicle"].pk])
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:signin")), url


def test_a_restricted_user_sees_no_vehicle_of_a_hidden_contract(fleet, company):
    visible = cfm_contract(company, number="CFM/2026/002")
    user = fleet_user(company, contracts_restricted=True)
    user.allowed_contracts.add(visible)
    hidden = fleet["vehicle"]
    ServiceVisitFactory(asset=hidden, date=today(), workshop="Ukryty serwis")
    ServiceVisitFactory(asset=visible.assets.get(), date=today(), workshop="Widoczny serwis")
    client = signed_in(user)
    assert client.get(reverse("fleet:vehicle", args=[hidden.pk])).status_code == 404
    page = text(client.get(reverse("fleet:vehicles")))
    assert "CFM/2026/002" in page
    assert "CFM/2026/001" not in page
    service = text(client.get(reverse("fleet:service")))
    assert "Widoczny serwis" in service
    assert "Ukryty serwis" not in service


def test_the_menu_shows_flota_only_with_the_permission_and_a_cfm_contract(company):
    make_contract(company, number="UL/2026/001")
    user = fleet_user(company)
    menu_link = f'href="{reverse("fleet:vehicles")}"'
    assert menu_link not in signed_in(user).get(reverse("home")).content.decode()
    cfm_contract(company)
    assert menu_link in signed_in(user).get(reverse("home")).content.decode()
    other = client_user(company)  # no fleet permission
    assert menu_link not in signed_in(other).get(reverse("home")).content.decode()


def test_the_menu_check_is_kept_per_data_version(fleet, company):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(fleet["user"])
    client.get(reverse("home"))

    def fleet_checks() -> int:
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("home"))
        return sum('"fleet_management"' in q["sql"] for q in queries.captured_queries)

    assert fleet_checks() == 0  # kept from the first page
    fleet["contract"].fleet_management = False  # a contract change makes it stale
    fleet["contract"].save()
    assert fleet_checks() == 1
    page = signed_in(fleet["user"]).get(reverse("home")).content.decode()
    assert f'href="{reverse("fleet:vehicles")}"' not in page


# --- The vehicle list ------------------------------------------------------------------------


def test_the_vehicle_list_shows_mileage_costs_and_open_damages(fleet):
    vehicle = fleet["vehicle"]
    MileageReadingFactory(asset=vehicle, read_on=today() - dt.timedelta(days=40), mileage_km=10000)
    MileageReadingFactory(asset=vehicle, read_on=today(), mileage_km=12345)
    DamageFactory(asset=vehicle, occurred_on=today(), status=Damage.Status.REPAIR)
    DamageFactory(asset=vehicle, occurred_on=today(), status=Damage.Status.CLOSED)
    response = signed_in(fleet["user"]).get(reverse("fleet:vehicles"))
    page = text(response)
    assert "WA12345" in page and "KR98765" in page
    assert "12 345 km" in page
    row = next(v for v in response.context["page_obj"] if v.pk == vehicle.pk)
    assert row.open_damages == 1
    # Installments from 1 January to today split between 2 vehicles, plus two damages
    # (each 3 200,00 − 2 700,00 not covered).
    contract = fleet["contract"]
    start = today().replace(month=1, day=1)
    shares = sum(
        (
            (i.gross / 2).quantize(D("0.01"), ROUND_HALF_UP)
            for i in contract.installments.filter(due_date__gte=start, due_date__lte=today())
        ),
        D(0),
    )
    assert row.costs_this_year == shares + D("1000.00")
    assert "UL/2026/777" not in page  # a plain contract's car is not a fleet vehicle
    assert "CFM/OBCA/1" not in page


def test_the_vehicle_list_filters_by_registration_and_contract(fleet, company):
    cfm_contract(company, number="CFM/2026/555")
    client = signed_in(fleet["user"])
    page = text(client.get(reverse("fleet:vehicles") + "?q=kr 98"))
    assert "KR98765" in page and "WA12345" not in page
    page = text(client.get(reverse("fleet:vehicles") + "?contract=555"))
    assert "CFM/2026/555" in page and "CFM/2026/001" not in page


# --- The vehicle page -----------------------------------------------------------------------


def test_the_vehicle_page_shows_the_claims_contact_of_active_policies(fleet):
    vehicle, contract = fleet["vehicle"], fleet["contract"]
    InsurancePolicyFactory(
        contract=contract,
        asset=vehicle,
        insurer="Warta S.A.",
        valid_from=today() - dt.timedelta(days=30),
        valid_to=today() + dt.timedelta(days=300),
        claims_phone="+48 22 522 22 22",
        claims_email="szkody@warta.example.pl",
    )
    InsurancePolicyFactory(
        contract=contract,
        asset=vehicle,
        insurer="Wygasły TU",
        valid_from=today() - dt.timedelta(days=800),
        valid_to=today() - dt.timedelta(days=435),
    )
    InsurancePolicyFactory(
        contract=contract,
        asset=fleet["second"],
        insurer="Inny pojazd TU",
        valid_from=today() - dt.timedelta(days=30),
        valid_to=today() + dt.timedelta(days=300),
    )
    page = text(signed_in(fleet["user"]).get(reverse("fleet:vehicle", args=[vehicle.pk])))
    assert "Warta S.A." in page
    assert "+48 22 522 22 22" in page and "szkody@warta.example.pl" in page
    assert "Wygasły TU" not in page
    assert "Inny pojazd TU" not in page


def test_the_timeline_merges_service_damages_and_fuel_newest_first(fleet):
    vehicle = fleet["vehicle"]
    ServiceVisitFactory(asset=vehicle, date=today() - dt.timedelta(days=10), workshop="Serwis A")
    DamageFactory(asset=vehicle, occurred_on=today() - dt.timedelta(days=5), place="Parking B")
    FuelTransactionFactory(
        asset=vehicle, occurred_at=at(today() - dt.timedelta(days=1)), station="Stacja C"
    )
    ServiceVisitFactory(asset=fleet["second"], workshop="Serwis innego auta")
    client = signed_in(fleet["user"])
    page = text(client.get(reverse("fleet:vehicle", args=[vehicle.pk])))
    assert page.index("Stacja C") < page.index("Parking B") < page.index("Serwis A")
    assert "Serwis innego auta" not in page
    damage = Damage.objects.get(place="Parking B")
    html = client.get(reverse("fleet:vehicle", args=[vehicle.pk])).content.decode()
    assert reverse("fleet:claim_detail", args=[damage.pk]) in html


def test_the_timeline_is_paginated(fleet):
    vehicle = fleet["vehicle"]
    for n in range(25):
        FuelTransactionFactory(asset=vehicle, occurred_at=at(today() - dt.timedelta(days=n)))
    client = signed_in(fleet["user"])
    first = client.get(reverse("fleet:vehicle", args=[vehicle.pk]))
    assert len(first.context["page_obj"].object_list) == 20
    second = client.get(reverse("fleet:vehicle", args=[vehicle.pk]) + "?page=2")
    assert len(second.context["page_obj"].object_list) == 5


def test_the_cost_chart_splits_installments_and_counts_damages_not_covered(fleet):
    vehicle, contract = fleet["vehicle"], fleet["contract"]
    this_month = today().replace(day=1)
    last_year = this_month - relativedelta(years=1)
    FuelTransactionFactory(asset=vehicle, occurred_at=at(this_month), gross=D("300.01"))
    ServiceVisitFactory(asset=vehicle, date=this_month, net=D("100.00"), gross=D("123.00"))
    DamageFactory(
        asset=vehicle,
        occurred_on=this_month,
        repair_cost=D("5000.00"),
        covered_amount=D("4000.55"),
    )
    ServiceVisitFactory(asset=vehicle, date=last_year, net=D("400.00"), gross=D("492.00"))
    FuelTransactionFactory(asset=fleet["second"], occurred_at=at(this_month), gross=D("999.99"))
    response = signed_in(fleet["user"]).get(reverse("fleet:vehicle", args=[vehicle.pk]))
    groups = response.context["chart"]["groups"]
    assert len(groups) == 12
    current = groups[-1].month
    assert current.month == this_month
    installments = contract.installments.filter(
        due_date__gte=this_month, due_date__lt=this_month + relativedelta(months=1)
    )
    share = sum(((i.gross / 2).quantize(D("0.01"), ROUND_HALF_UP) for i in installments), D(0))
    assert share > 0
    assert current.current.installments == share
    assert current.current.fuel == D("300.01")
    assert current.current.service == D("123.00")
    assert current.current.damages == D("999.45")
    assert current.current.total == share + D("300.01") + D("123.00") + D("999.45")
    assert current.previous.service == D("492.00")
    page = text(response)
    assert "dzielimy po równo" in page
    assert f"{current.current.total:,.2f}".replace(",", " ").replace(".", ",") + " zł" in page


def test_consumption_per_100_km_from_mileage_readings_and_fuel(fleet):
    vehicle = fleet["vehicle"]
    start = today() - dt.timedelta(days=60)
    MileageReadingFactory(asset=vehicle, read_on=start, mileage_km=20000)
    # Bought before the first reading: not counted.
    FuelTransactionFactory(
        asset=vehicle, occurred_at=at(start - dt.timedelta(days=1)), litres=D("40")
    )
    FuelTransactionFactory(
        asset=vehicle, occurred_at=at(start + dt.timedelta(days=10)), litres=D("45.50")
    )
    FuelTransactionFactory(
        asset=vehicle,
        occurred_at=at(start + dt.timedelta(days=20)),
        litres=D("10"),
        product=FuelTransaction.Product.WASH,  # not fuel
    )
    FuelTransactionFactory(
        asset=vehicle,
        occurred_at=at(start + dt.timedelta(days=30)),
        litres=D("44.50"),
        mileage_km=21600,  # the fuel card's odometer counts as a reading
    )
    response = signed_in(fleet["user"]).get(reverse("fleet:vehicle", args=[vehicle.pk]))
    consumption = response.context["consumption"]
    assert consumption.litres == D("90.00")
    assert consumption.km == 1600
    assert consumption.per_100_km == D("5.6")
    assert "5,6 l/100 km" in text(response)


def test_consumption_says_no_data_without_two_readings(fleet):
    vehicle = fleet["vehicle"]
    MileageReadingFactory(asset=vehicle, read_on=today(), mileage_km=20000)
    FuelTransactionFactory(asset=vehicle, occurred_at=at(today() - dt.timedelta(days=3)))
    response = signed_in(fleet["user"]).get(reverse("fleet:vehicle", args=[vehicle.pk]))
    assert response.context["consumption"] is None
    assert "Średnie zużycie paliwa brak danych" in text(response)
