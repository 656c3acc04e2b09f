"""Reporting a damage in the portal and the claim's page: what a fleet client sees and what is
stored; photos checked with the applications' upload rules; ownership and permission."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditEntry
from contracts.fleet.models import Damage, DamagePhoto, DamageStatusChange
from ebok.dates import today
from tests.contracts.fleet.claim_factories import (
    PDF_BYTES,
    fleet_user,
    fleet_vehicle,
    jpeg,
    jpeg_bytes,
    page_text,
    pdf,
    report,
    report_data,
    signed_in,
)
from tests.contracts.fleet.factories import DamageFactory, DamagePhotoFactory
from tests.factories import ContractFactory, LeasedAssetFactory, UserFactory
from tests.multipart import multipart

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(company):
    return fleet_user(company)


@pytest.fixture
def client(user):
    return signed_in(user)


@pytest.fixture
def vehicle(company):
    return fleet_vehicle(company)


def stored_files() -> list:
    root = settings.MEDIA_ROOT / "fleet"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_the_form_lists_only_cfm_vehicles_the_user_sees(client, company, other_company, vehicle):
    plain = LeasedAssetFactory(
        contract=ContractFactory(company=company), registration_number="WA 0000N"
    )
    foreign = fleet_vehicle(other_company, plate="KR 99999")
    response = client.get(reverse("fleet:claim_report"))
    assert response.status_code == 200
    text = page_text(response)
    assert "WA 12345" in text
    assert plain.registration_number not in text
    assert foreign.registration_number not in text


def test_the_vehicle_can_be_chosen_by_the_link(client, vehicle):
    response = client.get(reverse("fleet:claim_report"), {"pojazd": vehicle.pk})
    assert f'<option value="{vehicle.pk}" selected>' in response.content.decode()


def test_a_report_with_a_photo_opens_a_claim(client, user, vehicle):
    response = report(client, report_data(vehicle), {"photos": [jpeg(), pdf()]}, follow=True)
    damage = Damage.objects.get()
    assert response.redirect_chain[-1][0] == reverse("fleet:claim_detail", args=[damage.pk])
    text = page_text(response)
    assert "Przyjęliśmy zgłoszenie szkody" in text
    assert f"zgłoszenie nr {damage.pk}" in text  # to quote on the phone; the feed joins by it
    assert "zderzak.jpg" in text and "oswiadczenie.pdf" in text
    assert damage.source == Damage.Source.PORTAL
    assert damage.status == Damage.Status.REPORTED
    assert damage.reported_by == user
    assert damage.company_id == user.company_id and damage.contract_id == vehicle.contract_id
    assert damage.insurer == "TUiR Warta SA" and damage.policy.type == "ac"
    # the insurer's claims contact from the policy is on the claim's page
    assert "502 308 308" in text and "https://szkody.warta.example.pl/" in text
    photos = list(DamagePhoto.objects.order_by("pk"))
    assert [(p.name, p.content_type) for p in photos] == [
        ("zderzak.jpg", "image/jpeg"),
        ("oswiadczenie.pdf", "application/pdf"),
    ]
    assert photos[0].file.read() == jpeg_bytes()
    assert list(DamageStatusChange.objects.values_list("to_status", flat=True)) == ["reported"]
    entry = AuditEntry.objects.get(action="fleet.damage_reported")
    assert entry.user == user and entry.details["photos"] == 2


def test_a_photo_sent_with_its_name_as_the_browser_sends_it(client, vehicle):
    body, content_type = multipart(
        report_data(vehicle), [("photos", "zdjęcie 1.jpg", jpeg_bytes())]
    )
    response = client.post(reverse("fleet:claim_report"), body, content_type=content_type)
    assert response.status_code == 302
    assert DamagePhoto.objects.get().name == "zdjęcie 1.jpg"


def test_a_report_without_photos_is_fine(client, vehicle):
    response = report(client, report_data(vehicle))
    assert response.status_code == 302
    assert Damage.objects.count() == 1 and not DamagePhoto.objects.exists()


@pytest.mark.parametrize(
    "upload, message",
    [
        (
            SimpleUploadedFile("zdjecie.jpg", b"to nie jest zdjecie", "image/jpeg"),
            "Plik „zdjecie.jpg” nie jest poprawnym plikiem dozwolonego typu",
        ),
        (
            SimpleUploadedFile("skan.pdf", jpeg_bytes(), "application/pdf"),
            "Plik „skan.pdf” to JPG, a jego nazwa sugeruje inny typ",
        ),
    ],
)
def test_a_bad_photo_refuses_the_report_and_nothing_is_saved(client, vehicle, upload, message):
    response = report(client, report_data(vehicle), {"photos": [jpeg("dobre.jpg"), upload]})
    assert response.status_code == 200
    assert message in page_text(response)
    assert not Damage.objects.exists() and not DamagePhoto.objects.exists()
    assert stored_files() == []


def test_office_files_are_no_damage_photos(client, vehicle):
    from tests.requests_app.helpers import docx_bytes

    docx = SimpleUploadedFile("opis.docx", docx_bytes(), "application/octet-stream")
    response = report(client, report_data(vehicle), {"photos": [docx]})
    assert "Nie przyjmiemy: opis.docx" in page_text(response)
    assert not Damage.objects.exists()


def test_a_path_in_the_file_name_is_refused(client, vehicle):
    body, content_type = multipart(
        report_data(vehicle), [("photos", "../../etc/zdjecie.jpg", jpeg_bytes())]
    )
    response = client.post(reverse("fleet:claim_report"), body, content_type=content_type)
    assert "zawiera niedozwolone znaki" in page_text(response)
    assert not Damage.objects.exists()


def test_too_many_photos_are_refused(client, vehicle, settings):
    settings.REQUESTS_ATTACHMENTS_PER_POST = 2
    response = report(
        client, report_data(vehicle), {"photos": [jpeg(f"{i}.jpg") for i in range(3)]}
    )
    assert "najwyżej 2 plików" in page_text(response)
    assert not Damage.objects.exists()


def test_another_companys_vehicle_is_refused(client, other_company):
    foreign = fleet_vehicle(other_company, plate="KR 99999")
    response = report(client, report_data(foreign))
    assert "Wybierz pojazd z listy." in page_text(response)
    assert not Damage.objects.exists()


def test_a_vehicle_without_fleet_management_is_refused(client, company):
    plain = LeasedAssetFactory(contract=ContractFactory(company=company))
    response = report(client, report_data(plain))
    assert "Wybierz pojazd z listy." in page_text(response)
    assert not Damage.objects.exists()


def test_a_vehicle_of_a_contract_hidden_from_a_restricted_user_is_refused(company, vehicle):
    restricted = fleet_user(company, contracts_restricted=True)
    response = report(signed_in(restricted), report_data(vehicle))
    assert "Wybierz pojazd z listy." in page_text(response)
    assert not Damage.objects.exists()


@pytest.mark.parametrize(
    "day, message",
    [
        (lambda: today() + dt.timedelta(days=1), "Data zdarzenia nie może być z przyszłości."),
        (lambda: today() - dt.timedelta(days=4 * 365), "najpóźniej 3 lata po zdarzeniu"),
        (lambda: "31.02.2026", "Podaj datę w formacie DD.MM.RRRR."),
    ],
)
def test_a_date_that_cannot_be_is_refused(client, vehicle, day, message):
    value = day()
    value = value if isinstance(value, str) else f"{value:%d.%m.%Y}"
    response = report(client, report_data(vehicle, occurred_on=value))
    assert message in page_text(response)
    assert not Damage.objects.exists()


def test_empty_fields_are_named(client, vehicle):
    response = report(client, report_data(vehicle, place="  ", description="\x07\x1b"))
    text = page_text(response)
    assert "Podaj miejsce zdarzenia." in text and "Opisz zdarzenie." in text
    assert not Damage.objects.exists()


def test_the_same_form_sent_twice_opens_one_claim(client, vehicle):
    data = report_data(vehicle)
    first = report(client, data, {"photos": [jpeg()]})
    second = report(client, data, {"photos": [jpeg()]})
    damage = Damage.objects.get()
    assert (
        first["Location"] == second["Location"] == reverse("fleet:claim_detail", args=[damage.pk])
    )
    assert DamagePhoto.objects.count() == 1
    assert len(stored_files()) == 1


def test_the_htmx_submission_redirects_the_browser(client, vehicle):
    response = report(client, report_data(vehicle), HTTP_HX_REQUEST="true")
    damage = Damage.objects.get()
    assert response["HX-Redirect"] == reverse("fleet:claim_detail", args=[damage.pk])


def test_an_htmx_submission_with_errors_gets_the_form_back(client, vehicle):
    response = report(client, report_data(vehicle, place=""), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<form id="report-form"')
    assert "Podaj miejsce zdarzenia." in html


def test_without_the_fleet_permission_every_page_is_refused(company, vehicle):
    damage = DamageFactory(asset=vehicle)
    photo = DamagePhotoFactory(damage=damage)
    client = signed_in(UserFactory(company=company, can_view_fleet=False))
    for url in (
        reverse("fleet:claim_report"),
        reverse("fleet:claim_detail", args=[damage.pk]),
        reverse("fleet:claim_photo", args=[damage.pk, photo.pk]),
    ):
        assert client.get(url).status_code == 403, url
    assert report(client, report_data(vehicle)).status_code == 403
    assert Damage.objects.count() == 1


def test_a_company_admin_needs_no_flag(company, vehicle):
    admin = UserFactory(company=company, is_company_admin=True)
    assert signed_in(admin).get(reverse("fleet:claim_report")).status_code == 200


def test_signed_out_visitors_are_sent_to_sign_in(vehicle):
    from django.test import Client

    response = Client().get(reverse("fleet:claim_report"))
    assert response.status_code == 302


# --- the claim's page and photos ---------------------------------------------------------


def test_the_claim_page_shows_status_handler_and_costs(client, vehicle):
    damage = DamageFactory(
        asset=vehicle,
        status=Damage.Status.REPAIR,
        claim_number="2026/123456/SZ",
        repair_cost=Decimal("4321.50"),
        covered_amount=Decimal("3821.50"),
        handler_name="Marta Zając",
        handler_phone="+48 22 555 01 11",
        handler_email="m.zajac@likwidacja.example.pl",
    )
    DamageStatusChange.objects.create(damage=damage, to_status="reported")
    DamageStatusChange.objects.create(damage=damage, from_status="reported", to_status="repair")
    text = page_text(client.get(reverse("fleet:claim_detail", args=[damage.pk])))
    assert "w naprawie" in text and "zgłoszona" in text
    assert "2026/123456/SZ" in text and "Marta Zając" in text and "+48 22 555 01 11" in text
    assert "4 321,50 zł" in text and "3 821,50 zł" in text and "500,00 zł" in text


def test_a_photo_downloads_whole(client, vehicle):
    damage = DamageFactory(asset=vehicle)
    photo = DamagePhoto(damage=damage, name="list przewozowy.pdf", content_type="application/pdf")
    photo.size = len(PDF_BYTES)
    photo.file.save("x.pdf", SimpleUploadedFile("x.pdf", PDF_BYTES), save=True)
    response = client.get(reverse("fleet:claim_photo", args=[damage.pk, photo.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(len(PDF_BYTES))
    assert "attachment" in response["Content-Disposition"]
    assert "list" in response["Content-Disposition"]


def test_another_companys_claim_and_photo_are_not_found(client, other_company):
    foreign = DamageFactory(asset=fleet_vehicle(other_company, plate="KR 1"))
    photo = DamagePhotoFactory(damage=foreign)
    assert client.get(reverse("fleet:claim_detail", args=[foreign.pk])).status_code == 404
    url = reverse("fleet:claim_photo", args=[foreign.pk, photo.pk])
    assert client.get(url).status_code == 404


def test_a_photo_is_found_only_under_its_own_claim(client, vehicle, other_company):
    own = DamageFactory(asset=vehicle)
    foreign_photo = DamagePhotoFactory(damage=DamageFactory(asset=fleet_vehicle(other_company)))
    url = reverse("fleet:claim_photo", args=[own.pk, foreign_photo.pk])
    assert client.get(url).status_code == 404


def test_a_claim_on_a_contract_hidden_from_a_restricted_user_is_not_found(company, vehicle):
    damage = DamageFactory(asset=vehicle)
    photo = DamagePhotoFactory(damage=damage)
    restricted = signed_in(fleet_user(company, contracts_restricted=True))
    assert restricted.get(reverse("fleet:claim_detail", args=[damage.pk])).status_code == 404
    url = reverse("fleet:claim_photo", args=[damage.pk, photo.pk])
    assert restricted.get(url).status_code == 404
    seen = fleet_user(company, contracts_restricted=True)
    vehicle.contract.restricted_users.add(seen)
    assert signed_in(seen).get(reverse("fleet:claim_detail", args=[damage.pk])).status_code == 200


def _queries(client, url) -> int:
    client.get(url)  # the first request of a session fills its caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_claim_page_costs_the_same_queries_with_more_photos_and_history(client, vehicle):
    damage = DamageFactory(asset=vehicle)
    url = reverse("fleet:claim_detail", args=[damage.pk])
    DamagePhotoFactory(damage=damage)
    DamageStatusChange.objects.create(damage=damage, to_status="reported")
    few = _queries(client, url)
    for _ in range(6):
        DamagePhotoFactory(damage=damage)
        DamageStatusChange.objects.create(damage=damage, to_status="repair")
    assert _queries(client, url) == few


def test_the_report_form_costs_the_same_queries_with_more_vehicles(client, company, vehicle):
    url = reverse("fleet:claim_report")
    few = _queries(client, url)
    for n in range(8):
        fleet_vehicle(company, plate=f"WA 2000{n}")
    assert _queries(client, url) == few


def test_a_photo_over_the_size_limit_is_never_stored(client, vehicle, settings):
    settings.REQUESTS_ATTACHMENT_MAX_BYTES = 200
    response = report(client, report_data(vehicle), {"photos": [jpeg("duze.jpg")]})
    assert "Plik „duze.jpg” jest za duży" in page_text(response)
    assert not Damage.objects.exists() and stored_files() == []
