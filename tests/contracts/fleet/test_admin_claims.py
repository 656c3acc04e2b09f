"""The back office of fleet data: the claims queue, a claim's status changed by staff (history,
audit, the client's notification), claim data edited, and the other fleet changelists."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.audit import BACKGROUND
from accounts.models import AuditEntry
from contracts.fleet.claims import services
from contracts.fleet.models import (
    Damage,
    DamageStatusChange,
    FuelTransaction,
    MileageReading,
    ServiceVisit,
)
from notifications.models import Message
from tests.admin_helpers import form_data, messages_of, run_action
from tests.contracts.fleet.claim_factories import (
    fleet_user,
    fleet_vehicle,
    report,
    report_data,
    signed_in,
)
from tests.contracts.fleet.factories import (
    DamageFactory,
    DamagePhotoFactory,
    FuelTransactionFactory,
    MileageReadingFactory,
    ServiceVisitFactory,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def vehicle(company):
    return fleet_vehicle(company)


@pytest.fixture
def reporter(company):
    return fleet_user(company, email="zglaszajacy@firma.example.pl")


@pytest.fixture
def reported(reporter, vehicle) -> Damage:
    """A claim the way a client opens it in the portal."""
    response = report(signed_in(reporter), report_data(vehicle))
    assert response.status_code == 302
    return Damage.objects.get()


def change_url(damage) -> str:
    return reverse("admin:fleet_damage_change", args=[damage.pk])


def post_change(client, damage, **changes):
    data = form_data(client.get(change_url(damage)))
    for name, value in changes.items():
        data[name] = [value]
    return client.post(change_url(damage), data, follow=True)


def test_the_queue_lists_new_portal_reports(otp_admin_client, reported, vehicle):
    DamageFactory(asset=vehicle, claim_number="2026/777/SZ")  # from the core system
    url = reverse("admin:fleet_damage_changelist")
    response = otp_admin_client.get(url, {"queue": "new"})
    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == [reported]
    # the number the core system sends back (`portal_claim`) to join its record to this report
    numbers = response.context["cl"].model_admin.portal_number
    assert numbers(reported) == str(reported.pk)
    assert f'<td class="field-portal_number">{reported.pk}</td>' in response.content.decode()
    found = otp_admin_client.get(url, {"q": "2026/777/SZ"}).context["cl"].queryset
    assert [d.claim_number for d in found] == ["2026/777/SZ"]
    by_plate = otp_admin_client.get(url, {"q": vehicle.registration_number}).context["cl"]
    assert by_plate.result_count == 2


def test_a_status_change_is_recorded_audited_and_notified(
    otp_admin_client, staff_user, company, other_company, reported, reporter
):
    manager = fleet_user(company, email="flota@firma.example.pl")
    admin = UserFactory(company=company, is_company_admin=True, email="szef@firma.example.pl")
    UserFactory(company=company, can_view_fleet=False, email="ksiegowa@firma.example.pl")
    fleet_user(other_company, email="obcy@inna.example.pl")
    response = post_change(
        otp_admin_client,
        reported,
        status="registered",
        claim_number="2026/123456/SZ",
        handler_name="Marta Zając",
        handler_phone="+48 22 555 01 11",
        status_note="Rzeczoznawca zadzwoni w ciągu 2 dni.",
    )
    assert response.status_code == 200
    reported.refresh_from_db()
    assert reported.status == "registered" and reported.claim_number == "2026/123456/SZ"
    change = DamageStatusChange.objects.get(to_status="registered")
    assert (change.from_status, change.by, change.note) == (
        "reported",
        staff_user,
        "Rzeczoznawca zadzwoni w ciągu 2 dni.",
    )
    entry = AuditEntry.objects.get(action="fleet.claim_status_changed")
    assert entry.user == staff_user and entry.company == company
    assert entry.details["before"] == "reported" and entry.details["after"] == "registered"
    assert AuditEntry.objects.filter(action="fleet.claim_updated").exists()
    sent = Message.objects.filter(event="fleet.claim_status_changed")
    assert {m.recipient for m in sent if m.channel == "email"} == {
        reporter.email,
        manager.email,
        admin.email,
    }
    email = sent.get(recipient=reporter.email)
    assert "zarejestrowana u ubezpieczyciela" in email.subject
    assert "2026/123456/SZ" in email.body and "Rzeczoznawca zadzwoni" in email.body
    assert email.link == reverse("fleet:claim_detail", args=[reported.pk])


def test_a_restricted_user_hears_only_of_claims_on_their_contracts(
    otp_admin_client, company, reported, vehicle
):
    outsider = fleet_user(company, contracts_restricted=True, email="inny@firma.example.pl")
    insider = fleet_user(company, contracts_restricted=True, email="swoj@firma.example.pl")
    vehicle.contract.restricted_users.add(insider)
    post_change(otp_admin_client, reported, status="inspection")
    recipients = set(
        Message.objects.filter(event="fleet.claim_status_changed").values_list(
            "recipient", flat=True
        )
    )
    assert insider.email in recipients and outsider.email not in recipients


def test_editing_costs_does_not_notify(otp_admin_client, reported):
    post_change(otp_admin_client, reported, repair_cost="3200.00", covered_amount="2700.00")
    reported.refresh_from_db()
    assert reported.repair_cost == Decimal("3200.00") and reported.not_covered == Decimal("500")
    assert not Message.objects.filter(event="fleet.claim_status_changed").exists()
    entry = AuditEntry.objects.get(action="fleet.claim_updated")
    assert "repair_cost" in entry.details["fields"]


def test_covered_above_the_repair_cost_is_refused(otp_admin_client, reported):
    response = post_change(
        otp_admin_client, reported, repair_cost="1000.00", covered_amount="1500.00"
    )
    assert "nie może przekraczać kosztu naprawy" in response.content.decode()
    reported.refresh_from_db()
    assert reported.repair_cost == 0


def test_the_bulk_action_changes_status_and_notifies(otp_admin_client, reported, reporter):
    response = run_action(
        otp_admin_client,
        Damage,
        "change_status",
        [reported],
        apply="1",
        status="settled",
        note="Wypłacono odszkodowanie.",
    )
    assert "Zmieniono status: 1." in messages_of(response)
    reported.refresh_from_db()
    assert reported.status == "settled"
    assert Message.objects.filter(
        event="fleet.claim_status_changed", recipient=reporter.email
    ).exists()


def test_the_service_is_usable_by_the_feed_and_ignores_the_same_status(reported, reporter):
    """The feed calls it without a staff member; sending the same status again is a no-op."""
    services.damage_change_status(damage=reported, to="repair", audit=BACKGROUND)
    sent = Message.objects.filter(event="fleet.claim_status_changed", user=reporter)
    assert sent.count() == 1
    services.damage_change_status(damage=reported, to="repair", audit=BACKGROUND)
    assert DamageStatusChange.objects.filter(to_status="repair", by=None).count() == 1
    assert sent.count() == 1
    assert AuditEntry.objects.filter(action="fleet.claim_status_changed").count() == 1


def test_an_unknown_status_is_refused(reported):
    with pytest.raises(services.ClaimError):
        services.damage_change_status(damage=reported, to="lost", audit=BACKGROUND)


def test_staff_can_enter_a_damage(otp_admin_client, staff_user, vehicle):
    url = reverse("admin:fleet_damage_add")
    data = form_data(otp_admin_client.get(url))
    data.update(
        asset=[str(vehicle.pk)],
        occurred_on_0=[],
        occurred_on=["2026-10-01"],
        place=["Radom"],
        description=["Stłuczka"],
        status=["registered"],
        repair_cost=["0"],
        covered_amount=["0"],
    )
    data.pop("occurred_on_0", None)
    response = otp_admin_client.post(url, data, follow=True)
    assert response.status_code == 200
    damage = Damage.objects.get()
    assert damage.company_id == vehicle.contract.company_id
    assert damage.status_changes.get().to_status == "registered"
    assert AuditEntry.objects.filter(action="fleet.claim_registered", user=staff_user).exists()


def test_staff_download_a_claims_photo(otp_admin_client, vehicle):
    photo = DamagePhotoFactory(damage=DamageFactory(asset=vehicle))
    response = otp_admin_client.get(reverse("admin:fleet_damage_photo", args=[photo.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"


def test_a_damage_cannot_be_deleted(otp_admin_client, reported):
    url = reverse("admin:fleet_damage_delete", args=[reported.pk])
    assert otp_admin_client.get(url).status_code == 403


@pytest.mark.parametrize(
    "model, factory",
    [
        (ServiceVisit, ServiceVisitFactory),
        (FuelTransaction, FuelTransactionFactory),
        (MileageReading, MileageReadingFactory),
        (Damage, DamageFactory),
    ],
)
def test_every_fleet_changelist_opens_and_searches(otp_admin_client, vehicle, model, factory):
    row = factory(asset=vehicle)
    url = reverse(f"admin:fleet_{model._meta.model_name}_changelist")
    response = otp_admin_client.get(url, {"q": vehicle.registration_number})
    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == [row]
    change = reverse(f"admin:fleet_{model._meta.model_name}_change", args=[row.pk])
    assert otp_admin_client.get(change).status_code == 200
