"""In Chromium: a fleet client sees a vehicle's history and cost chart, reports a damage
with a photo (double-clicking the button), finds the claim in the damages list, staff register
it in admin, and the client sees the new status, the claim number and the notification."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contracts.fleet.models import Damage
from ebok.dates import today
from notifications.models import Message
from tests.browser.conftest import signed_in_page, staff_page  # noqa: F401 (the fixture)
from tests.contracts.fleet.claim_factories import fleet_user, fleet_vehicle, jpeg_bytes
from tests.contracts.fleet.factories import FuelTransactionFactory, ServiceVisitFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_damage_reported_with_a_photo_and_handled_by_staff(
    signed_in_page,  # noqa: F811
    live_server,
    browser,
    browser_context_args,
    company,
    staff_user,
    tmp_path,
):
    vehicle = fleet_vehicle(company, plate="WE 2TK80")
    user = fleet_user(company, first_name="Katarzyna", email="k@firma.example.pl")
    day = f"{today() - dt.timedelta(days=1):%d.%m.%Y}"
    photo = tmp_path / "zderzak.jpg"
    photo.write_bytes(jpeg_bytes())

    # The vehicle's page: its history (a refuelling, a service visit) and the cost chart.
    FuelTransactionFactory(
        asset=vehicle,
        occurred_at=timezone.now() - dt.timedelta(days=3),
        station="Orlen Warszawa Puławska",
        gross=Decimal("300.00"),
    )
    ServiceVisitFactory(
        asset=vehicle, date=today() - dt.timedelta(days=20), gross=Decimal("800.00")
    )
    page = signed_in_page(user, path=f"/flota/pojazd/{vehicle.pk}/")
    history = page.get_by_role("table").filter(has_text="Orlen Warszawa Puławska")
    expect(history).to_be_visible()
    expect(history.get_by_role("cell", name="Serwis", exact=True)).to_be_visible()
    expect(page.get_by_role("img", name="Koszt pojazdu brutto według miesięcy")).to_be_visible()
    page.get_by_role("link", name="Zgłoś szkodę").click()
    page.wait_for_load_state("load")  # htmx ready: the form is sent by it, not natively
    expect(page.get_by_label("Pojazd")).to_have_value(str(vehicle.pk))
    page.get_by_role("textbox", name="Data zdarzenia").fill("31.12.2099")
    page.get_by_label("Miejsce zdarzenia").fill("Warszawa, ul. Puławska 145")
    page.get_by_label("Opis zdarzenia i uszkodzeń").fill("Otarcie prawych drzwi na parkingu.")
    page.get_by_label("Zdjęcia i dokumenty").set_input_files(str(photo))
    page.get_by_role("button", name="Wyślij zgłoszenie").click()
    expect(page.get_by_text("Data zdarzenia nie może być z przyszłości.")).to_be_visible()
    assert not Damage.objects.exists()
    # The corrected form goes out once htmx has settled the swapped-in one.
    page.wait_for_function("() => !document.querySelector('.htmx-settling, .htmx-request')")

    page.get_by_role("textbox", name="Data zdarzenia").fill(day)
    expect(page.get_by_role("textbox", name="Data zdarzenia")).to_have_value(day)
    page.get_by_label("Zdjęcia i dokumenty").set_input_files(str(photo))  # sent again
    page.get_by_role("button", name="Wyślij zgłoszenie").dblclick()
    expect(page.get_by_text("Przyjęliśmy zgłoszenie szkody")).to_be_visible()
    expect(page.get_by_role("heading", name=f"Szkoda WE 2TK80 z {day}")).to_be_visible()
    expect(page.get_by_role("link", name="zderzak.jpg")).to_be_visible()
    damage = Damage.objects.get()
    assert damage.photos.count() == 1

    page.get_by_role("navigation", name="Ścieżka").get_by_role("link", name="Szkody").click()
    expect(page.get_by_text("WE 2TK80").first).to_be_visible()

    admin = staff_page(live_server, browser, browser_context_args, staff_user)
    admin.goto(f"{live_server.url}/admin/fleet/damage/?queue=new")
    rows = admin.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    rows.first.locator("th a, td a").first.click()
    admin.locator("#id_status").select_option("registered")
    admin.locator("#id_claim_number").fill("2026/123456/SZ")
    admin.locator("#id_handler_name").fill("Marta Zając")
    admin.locator("#id_status_note").fill("Rzeczoznawca zadzwoni jutro.")
    admin.get_by_role("button", name="Zapisz", exact=True).click()
    expect(admin.locator(".messagelist")).to_be_visible()

    page.goto(f"{live_server.url}/flota/szkody/{damage.pk}/")
    expect(page.get_by_text("zarejestrowana u ubezpieczyciela").first).to_be_visible()
    expect(page.get_by_text("2026/123456/SZ").first).to_be_visible()
    expect(page.get_by_text("Rzeczoznawca zadzwoni jutro.")).to_be_visible()
    assert Message.objects.filter(event="fleet.claim_status_changed", user=user).exists()
