"""The "Flota" pages: vehicles, a vehicle with its timeline, cost chart and consumption, the
lists of service, fuel, damages and costs with their Excel downloads."""

from __future__ import annotations

import datetime as dt
import io
from decimal import ROUND_HALF_UP, Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from contracts.fleet.models import Damage, FuelTransaction
from tests.contracts.fleet.factories import (
    DamageFactory,
    FuelTransactionFactory,
    MileageReadingFactory,
    ServiceVisitFactory,
)
from tests.factories import InsurancePolicyFactory, LeasedAssetFactory
from tests.portal_helpers import client_user, count_queries, make_contract, signed_in, text, today

pytestmark = pytest.mark.django_db

D = Decimal


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def fleet_user(company, **kwargs):
    return client_user(company, can_view_fleet=True, **kwargs)


def cfm_contract(company, **kwargs):
    """A CFM contract started 14 months ago (24 monthly installments) with one vehicle."""
    kwargs.setdefault("start", today() - relativedelta(months=14))
    return make_contract(company, months=24, fleet_management=True, **kwargs)


@pytest.fixture
def fleet(company, other_company):
    """Two vehicles on a CFM contract, a car on a plain contract, another company's CFM car."""
    contract = cfm_contract(company, number="CFM/2026/001")
    first = contract.assets.get()
    first.registration_number = "WA12345"
    first.save()
    second = LeasedAssetFactory(contract=contract, registration_number="KR98765", make="Toyota")
    plain = make_contract(company, number="UL/2026/777")
    foreign = cfm_contract(other_company, number="CFM/OBCA/1")
    return {
        "contract": contract,
        "vehicle": first,
        "second": second,
        "plain_vehicle": plain.assets.get(),
        "foreign_vehicle": foreign.assets.get(),
        "user": fleet_user(company),
    }


# --- Access ------------------------------------------------------------------------------------

LIST_URLS = [
    "fleet:vehicles",
    "fleet:service",
    "fleet:fuel",
    "fleet:damages",
    "fleet:costs",
    "fleet:vehicles_xlsx",
    "fleet:service_xlsx",
    "fleet:fuel_xlsx",
    "fleet:damages_xlsx",
    "fleet:costs_xlsx",
]


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


# --- Lists ------------------------------------------------------------------------------------


def test_the_service_list_filters_by_vehicle_dates_and_scope(fleet):
    vehicle, second = fleet["vehicle"], fleet["second"]
    ServiceVisitFactory(asset=vehicle, date=dt.date(2026, 2, 1), workshop="Luty Serwis")
    ServiceVisitFactory(
        asset=vehicle, date=dt.date(2026, 5, 1), workshop="Maj Opony", scope="tyres"
    )
    ServiceVisitFactory(asset=second, date=dt.date(2026, 5, 2), workshop="Toyota Serwis")
    ServiceVisitFactory(asset=fleet["foreign_vehicle"], workshop="Obcy Serwis")
    client = signed_in(fleet["user"])
    url = reverse("fleet:service")
    page = text(client.get(url))
    assert "Luty Serwis" in page and "Maj Opony" in page and "Toyota Serwis" in page
    assert "Obcy Serwis" not in page
    page = text(client.get(url + "?q=WA12345&date_from=01.04.2026&date_to=31.05.2026"))
    assert "Maj Opony" in page and "Luty Serwis" not in page and "Toyota Serwis" not in page
    page = text(client.get(url + "?kind=tyres"))
    assert "Maj Opony" in page and "Luty Serwis" not in page
    assert "01.05.2026" in page


def test_bad_filters_give_a_message_and_the_list(fleet):
    response = signed_in(fleet["user"]).get(
        reverse("fleet:fuel") + "?date_from=31.02.2026&kind=kerosene&page=abc"
    )
    assert response.status_code == 200
    page = text(response)
    assert "Podaj datę w formacie DD.MM.RRRR." in page
    assert "Nieznana wartość „kerosene”." in page


def test_the_damage_list_links_each_claim_and_sums_what_was_not_covered(fleet):
    damage = DamageFactory(asset=fleet["vehicle"], status=Damage.Status.REPAIR, place="Rondo ONZ")
    DamageFactory(asset=fleet["second"], status=Damage.Status.CLOSED, place="Stara szkoda")
    client = signed_in(fleet["user"])
    response = client.get(reverse("fleet:damages") + "?kind=repair")
    page = text(response)
    assert "Rondo ONZ" in page and "Stara szkoda" not in page
    assert reverse("fleet:claim_detail", args=[damage.pk]) in response.content.decode()
    assert response.context["totals"].not_covered == D("500.00")


def test_the_cost_list_merges_kinds_filters_by_kind_and_totals_months(fleet):
    vehicle = fleet["vehicle"]
    day = today().replace(day=1)
    FuelTransactionFactory(asset=vehicle, occurred_at=at(day), gross=D("250.00"), station="Orlen X")
    ServiceVisitFactory(asset=vehicle, date=day, gross=D("615.00"), net=D("500.00"))
    DamageFactory(asset=vehicle, occurred_on=day, repair_cost=D("100"), covered_amount=D("100"))
    client = signed_in(fleet["user"])
    response = client.get(reverse("fleet:costs") + "?q=WA12345")
    kinds = {row.kind for row in response.context["page_obj"].object_list}
    assert kinds == {"installment", "fuel", "service"}  # the damage was covered in full
    month = response.context["cost_summary"].months[0]
    assert month.month == day
    assert month.fuel == D("250.00") and month.service == D("615.00")
    response = client.get(reverse("fleet:costs") + "?kind=fuel")
    rows = response.context["page_obj"].object_list
    assert [row.detail for row in rows] == ["Orlen X"]
    assert response.context["cost_summary"].total == D("250.00")


# --- Excel ------------------------------------------------------------------------------------


def sheet_of(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    content = b"".join(response.streaming_content)
    return load_workbook(io.BytesIO(content)).active


def test_the_service_export_holds_the_filtered_rows_with_formulas_as_text(fleet):
    ServiceVisitFactory(
        asset=fleet["vehicle"],
        date=dt.date(2026, 5, 1),
        workshop='=HYPERLINK("http://zly.example","klik")',
        net=D("1000.00"),
        gross=D("1230.00"),
    )
    ServiceVisitFactory(asset=fleet["second"], workshop="Nie w filtrze")
    response = signed_in(fleet["user"]).get(reverse("fleet:service_xlsx") + "?q=WA12345")
    sheet = sheet_of(response)
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Data"
    data = rows[1]
    assert data[0] == dt.datetime(2026, 5, 1)
    assert data[1] == "WA12345"
    assert data[4] == '=HYPERLINK("http://zly.example","klik")'
    cell = sheet.cell(row=2, column=5)
    assert cell.data_type == "s"
    assert data[9] == 1230
    assert all("Nie w filtrze" not in str(row) for row in rows)


def test_the_fuel_damage_and_cost_exports_download(fleet):
    vehicle = fleet["vehicle"]
    FuelTransactionFactory(asset=vehicle, occurred_at=at(today()), station="Shell Y")
    DamageFactory(asset=vehicle, occurred_on=today(), place="Kraków")
    client = signed_in(fleet["user"])
    fuel = list(sheet_of(client.get(reverse("fleet:fuel_xlsx"))).iter_rows(values_only=True))
    assert fuel[1][5] == "Shell Y"
    damages = list(sheet_of(client.get(reverse("fleet:damages_xlsx"))).iter_rows(values_only=True))
    assert damages[1][4] == "Kraków"
    assert damages[1][11] == 500
    costs = list(
        sheet_of(client.get(reverse("fleet:costs_xlsx") + "?kind=fuel")).iter_rows(values_only=True)
    )
    assert costs[1][1] == "paliwo i karta paliwowa"
    assert costs[1][5] == "Shell Y"
    assert costs[1][6] == 300


# --- Queries ----------------------------------------------------------------------------------


def add_history(vehicle, n: int) -> None:
    for i in range(n):
        day = today() - dt.timedelta(days=7 * i)
        ServiceVisitFactory(asset=vehicle, date=day)
        FuelTransactionFactory(asset=vehicle, occurred_at=at(day), mileage_km=30000 - i * 300)
        DamageFactory(asset=vehicle, occurred_on=day)
        MileageReadingFactory(asset=vehicle, read_on=day, mileage_km=30000 - i * 300)


def fleet_urls(vehicle) -> list[str]:
    return [
        reverse("fleet:vehicles"),
        reverse("fleet:vehicle", args=[vehicle.pk]),
        reverse("fleet:service"),
        reverse("fleet:fuel"),
        reverse("fleet:damages"),
        reverse("fleet:costs"),
    ]


def test_every_page_costs_the_same_queries_for_a_small_or_large_fleet(fleet, company):
    client = signed_in(fleet["user"])
    vehicle = fleet["vehicle"]
    add_history(vehicle, 2)
    small = {url: count_queries(client, url)[0] for url in fleet_urls(vehicle)}
    for n in range(6):
        extra = cfm_contract(company, number=f"CFM/2026/1{n:02d}")
        LeasedAssetFactory(contract=extra)
        add_history(extra.assets.first(), 3)
    add_history(fleet["second"], 30)
    add_history(vehicle, 30)
    large = {url: count_queries(client, url)[0] for url in fleet_urls(vehicle)}
    assert large == small


def test_hostile_input_never_reaches_a_server_error(fleet):
    from tests.ebok.test_hostile_input import fuzz

    client = signed_in(fleet["user"])
    failures: list = []
    urls = [reverse(name) for name in LIST_URLS]
    urls.append(reverse("fleet:vehicle", args=[fleet["vehicle"].pk]))
    for url in urls:
        fuzz(client, url, failures)
    assert failures == []
    for number in ("99999999999999999999", "9223372036854775808"):
        response = client.get(f"/flota/pojazd/{number}/")
        assert response.status_code == 404


def test_the_vehicle_export_lists_each_vehicle_with_its_costs(fleet):
    vehicle = fleet["vehicle"]
    MileageReadingFactory(asset=vehicle, read_on=today(), mileage_km=54321)
    ServiceVisitFactory(asset=vehicle, date=today(), net=D("1000.00"), gross=D("1230.00"))
    client = signed_in(fleet["user"])
    response = client.get(reverse("fleet:vehicles"))
    listed = next(v for v in response.context["page_obj"] if v.pk == vehicle.pk)
    rows = list(sheet_of(client.get(reverse("fleet:vehicles_xlsx"))).iter_rows(values_only=True))
    by_registration = {row[0]: row for row in rows[1:]}
    assert set(by_registration) >= {"WA12345", "KR98765"}
    row = by_registration["WA12345"]
    assert row[5] == "CFM/2026/001"
    assert row[6] == 54321
    assert D(str(row[7])) == listed.costs_this_year


@pytest.mark.parametrize(
    ("url_name", "list_id"),
    [
        ("fleet:vehicles", "vehicle-list"),
        ("fleet:service", "service-list"),
        ("fleet:fuel", "fuel-list"),
        ("fleet:damages", "damage-list"),
        ("fleet:costs", "cost-list"),
    ],
)
def test_every_list_answers_its_filters_with_the_list_alone(fleet, url_name, list_id):
    client = signed_in(fleet["user"])
    results = client.get(
        reverse(url_name), {"date_from": "xx"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET=list_id
    ).content.decode()
    assert results.lstrip().startswith(f'<div id="{list_id}"')
    assert "<form" not in results


def test_the_timeline_pages_answer_with_the_timeline_alone(fleet):
    url = reverse("fleet:vehicle", args=[fleet["vehicle"].pk])
    results = signed_in(fleet["user"]).get(
        url, {"page": "2"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="vehicle-timeline"
    )
    assert results.content.decode().lstrip().startswith('<div id="vehicle-timeline"')


# --- Reporting a damage, cached figures -----------------------------------------------------


def test_the_damage_list_and_only_it_offers_to_report_a_damage(fleet):
    client = signed_in(fleet["user"])
    report = reverse("fleet:claim_report")
    html = client.get(reverse("fleet:damages")).content.decode()
    assert f'href="{report}"' in html and "Zgłoś szkodę" in html
    for name in ("fleet:vehicles", "fleet:service", "fleet:fuel", "fleet:costs"):
        assert f'href="{report}"' not in client.get(reverse(name)).content.decode()


def test_the_vehicle_page_offers_to_report_a_damage_of_it_beside_the_claims_contact(fleet):
    vehicle = fleet["vehicle"]
    html = signed_in(fleet["user"]).get(reverse("fleet:vehicle", args=[vehicle.pk]))
    html = html.content.decode()
    link = f'href="{reverse("fleet:claim_report")}?pojazd={vehicle.pk}"'
    claims = html.index('id="vehicle-claims"')
    assert claims < html.index(link) < html.index('id="vehicle-costs"')


def test_cached_figures_change_as_soon_as_the_fleet_data_does(fleet):
    vehicle = fleet["vehicle"]
    client = signed_in(fleet["user"])
    url = reverse("fleet:vehicle", args=[vehicle.pk])
    before = client.get(url).context
    costs_page = client.get(reverse("fleet:costs")).context
    costs_before = costs_page["cost_summary"]
    assert D("123.45") not in [row.cost for row in costs_page["page_obj"].object_list]
    fuel_before = client.get(reverse("fleet:fuel")).context["totals"]
    vehicles_before = client.get(reverse("fleet:vehicles")).context["page_obj"].object_list
    FuelTransactionFactory(
        asset=vehicle, occurred_at=at(today()), net=D("100.37"), gross=D("123.45")
    )
    after = client.get(url).context
    assert after["chart"]["total"] == before["chart"]["total"] + D("123.45")
    assert after["page_obj"].paginator.count == before["page_obj"].paginator.count + 1
    costs_page = client.get(reverse("fleet:costs")).context
    assert D("123.45") in [row.cost for row in costs_page["page_obj"].object_list]
    costs_after = costs_page["cost_summary"]
    assert costs_after.fuel == costs_before.fuel + D("123.45")
    assert costs_after.count == costs_before.count + 1
    fuel_after = client.get(reverse("fleet:fuel")).context["totals"]
    assert fuel_after.gross == fuel_before.gross + D("123.45")
    vehicles_after = client.get(reverse("fleet:vehicles")).context["page_obj"].object_list
    cost = {v.pk: v.costs_this_year for v in vehicles_before}[vehicle.pk]
    assert {v.pk: v.costs_this_year for v in vehicles_after}[vehicle.pk] == cost + D("123.45")


def test_the_cost_list_pages_are_the_whole_list_cut_in_pages(fleet):
    from django.http import QueryDict

    from contracts.fleet.pages import rows, selectors
    from contracts.fleet.pages.forms import CostFilterForm

    for n in range(45):
        day = today() - dt.timedelta(days=4 * n)
        vehicle = fleet["vehicle"] if n % 3 else fleet["second"]
        gross = D("10.01") + n
        FuelTransactionFactory(asset=vehicle, occurred_at=at(day), net=gross, gross=gross)
        if n % 5 == 0:
            ServiceVisitFactory(asset=vehicle, date=day, net=D("10"), gross=D("12.30"))
    client = signed_in(fleet["user"])
    shown = []
    response = client.get(reverse("fleet:costs"))
    pages = response.context["page_obj"].paginator.num_pages
    assert pages >= 3
    for number in range(1, pages + 1):
        response = client.get(reverse("fleet:costs") + f"?page={number}")
        shown += response.context["page_obj"].object_list
    filters = CostFilterForm(QueryDict("")).filters()
    whole = rows.cost_entries(selectors.cost_rows(user=fleet["user"], filters=filters))
    assert shown == whole
    assert sum(row.cost for row in shown) == response.context["cost_summary"].total
