"""The fleet lists of service, fuel, damages and costs: filters, Excel downloads, constant
queries whatever the fleet's size, hostile input, reporting a damage, cached figures."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from contracts.fleet.models import Damage
from tests.contracts.fleet.factories import (
    DamageFactory,
    FuelTransactionFactory,
    MileageReadingFactory,
    ServiceVisitFactory,
)
from tests.contracts.fleet.page_helpers import LIST_URLS, D, at, cfm_contract
from tests.factories import LeasedAssetFactory
from tests.portal_helpers import count_queries, signed_in, text, today

pytestmark = pytest.mark.django_db


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
