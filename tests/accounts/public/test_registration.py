"""Self-registration: client number + NIP + a recent invoice + the contact data on file ->
an e-mailed single-use link (72 h) -> login and password -> SMS code -> the company's admin."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.audit import Action, details_text
from accounts.models import AuditEntry, Consent, Registration, User
from accounts.permissions import PERMISSION_FIELDS
from accounts.public.registration import RegistrationAction
from notifications.models import Message

from ..company_helpers import actions, make_admin, without_csrf
from ..helpers import last_code, sign_in
from .registration_helpers import (
    PASSWORD,
    URL,
    activation_link,
    form_data,
    recent_invoice,
    register,
    registrable_company,
    run,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def company():
    return registrable_company()


@pytest.fixture
def invoice(company):
    return recent_invoice(company)


def credentials(**overrides) -> dict:
    data = {
        "first_name": "Łucja",
        "last_name": "Wiśniewska",
        "login": "lucja.w",
        "new_password1": PASSWORD,
        "new_password2": PASSWORD,
    }
    data.update(overrides)
    return data


def registered(client, company, invoice, capture, **overrides) -> str:
    """Register with matching data, run the check; return the e-mailed link."""
    response, callbacks = register(client, form_data(company, invoice, **overrides), capture)
    assert response.status_code == 302, response.text
    run(callbacks)
    return activation_link(company)


def activate(client: Client, link: str, **overrides):
    """Open the link, choose the login and password, confirm the SMS code."""
    assert client.get(link).status_code == 302
    response = client.post(reverse("accounts:registration_activate"), credentials(**overrides))
    assert response.status_code == 302, response.text
    user = Registration.objects.get(status="pending").user
    return client.post(reverse("accounts:registration_phone"), {"code": last_code(user)})


def test_the_whole_registration(client, company, invoice, django_capture_on_commit_callbacks):
    response, callbacks = register(
        client, form_data(company, invoice), django_capture_on_commit_callbacks
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:registration_sent")
    assert "Jeśli podane dane są zgodne z naszymi" in client.get(response["Location"]).text
    run(callbacks)

    email = Message.objects.get(channel="email", recipient="biuro@transbud.example.pl")
    assert email.sensitive and company.client_number in email.body
    link = activation_link(company)
    opened = client.get(link)
    assert opened.status_code == 302
    assert opened["Location"] == reverse("accounts:registration_activate")  # token out of URL
    page = client.get(opened["Location"])
    assert "Transbud Sp. z o.o." in page.text and "Wymagania dotyczące hasła" in page.text

    step = client.post(reverse("accounts:registration_activate"), credentials())
    assert step["Location"] == reverse("accounts:registration_phone")
    user = User.objects.get(company=company, login="lucja.w")
    assert not user.is_active  # not before the phone is confirmed
    phone_page = client.get(step["Location"])
    assert "+48 *** *** 300" in phone_page.text
    sms = Message.objects.filter(channel="sms", user=user).latest("pk")
    assert sms.recipient == "+48601200300" and "aktywacji konta" in sms.body

    done = client.post(reverse("accounts:registration_phone"), {"code": last_code(user)})
    assert done["Location"] == reverse("accounts:signin")
    assert "Konto jest aktywne" in client.get(done["Location"]).text
    user.refresh_from_db()
    assert user.is_active and not user.must_change_password
    assert all(getattr(user, field) for field in PERMISSION_FIELDS)  # the company's admin
    assert (user.email, str(user.phone)) == ("biuro@transbud.example.pl", "+48601200300")
    consents = Consent.objects.filter(user=user, source="registration")
    assert sorted(consents.values_list("kind", "version", "granted")) == [
        ("privacy_notice", "2026-01", True),
        ("terms", "2026-01", True),
    ]
    assert sign_in(Client(), user, PASSWORD).status_code == 302  # the three steps work
    assert actions(action__startswith="registration.") == [
        RegistrationAction.SUBMITTED,
        RegistrationAction.LINK_SENT,
        RegistrationAction.CREDENTIALS_SET,
        RegistrationAction.CODE_SENT,
        RegistrationAction.ACTIVATED,
    ]
    assert actions(action=Action.USER_CREATED, object_id=str(user.pk)) == [Action.USER_CREATED]
    assert Registration.objects.get().status == "activated"


WRONG = {
    "nip": {"nip": "7740001454"},
    "invoice number": {"invoice_number": "FV/1999/00001"},
    "amount": {"invoice_gross": "1 234,57"},
    "e-mail": {"email": "ktos@inny.example.pl"},
    "phone": {"phone": "601 200 301"},
    "client number": {"client_number": "99999999"},
}


def _answer(client: Client, data: dict, capture) -> tuple[int, str, str, int, int]:
    with CaptureQueriesContext(connection) as queries:
        response, callbacks = register(client, data, capture)
    page = client.get(response["Location"])
    return (
        response.status_code,
        response["Location"],
        without_csrf(page.text),
        len(queries.captured_queries),
        len(callbacks),
    ), callbacks


def test_wrong_data_gets_the_same_answer_and_does_the_same_work(
    company, invoice, django_capture_on_commit_callbacks
):
    """Nothing in the answer - page, redirect, the work done while answering (queries, queued
    check) - tells a match from a mismatch; only the check, later and elsewhere, differs."""
    cache.clear()
    match, callbacks = _answer(
        Client(), form_data(company, invoice), django_capture_on_commit_callbacks
    )
    for overrides in WRONG.values():
        cache.clear()
        answer, wrong_callbacks = _answer(
            Client(), form_data(company, invoice, **overrides), django_capture_on_commit_callbacks
        )
        assert answer == match, overrides
        run(wrong_callbacks)
    # A company that already has a user: the same answer too (its admin is told later).
    taken = registrable_company(client_number="20269999", nip="7740001454", email="a@b.pl")
    make_admin(taken)
    cache.clear()
    answer, _callbacks = _answer(
        Client(),
        form_data(taken, recent_invoice(taken), nip="7740001454", email="a@b.pl"),
        django_capture_on_commit_callbacks,
    )
    assert answer == match
    assert not Message.objects.exists()  # no mismatch sent anything
    assert list(Registration.objects.order_by("pk").values_list("mismatches", flat=True)[1:7]) == [
        ["nip"],
        ["invoice_number"],
        ["invoice_gross"],
        ["email"],
        ["phone"],
        ["client_number"],
    ]
    statuses = Registration.objects.order_by("pk").values_list("status", flat=True)
    assert set(statuses[1:7]) == {"not_matched"}
    assert actions(action=RegistrationAction.NOT_MATCHED) == [RegistrationAction.NOT_MATCHED] * 6
    wrong_email = AuditEntry.objects.filter(action=RegistrationAction.NOT_MATCHED).order_by("pk")[3]
    assert "niezgodne dane: e-mail" in details_text(wrong_email)
    assert actions(action=RegistrationAction.SUBMITTED) == [RegistrationAction.SUBMITTED] * 8

    run(callbacks)  # the matching one
    assert Message.objects.filter(channel="email", recipient=company.email).count() == 1


def test_an_invoice_older_than_90_days_does_not_match(company, django_capture_on_commit_callbacks):
    old = recent_invoice(company, days_ago=91)
    response, callbacks = register(
        Client(), form_data(company, old), django_capture_on_commit_callbacks
    )
    assert response.status_code == 302
    run(callbacks)
    assert Registration.objects.get().mismatches == ["invoice_number"]
    assert not Message.objects.exists()


def test_a_company_with_an_active_user_cannot_register_and_its_admin_is_told(
    company, invoice, django_capture_on_commit_callbacks
):
    make_admin(company, email="szef@transbud.example.pl")
    for _ in range(2):
        response, callbacks = register(
            Client(), form_data(company, invoice), django_capture_on_commit_callbacks
        )
        assert response["Location"] == reverse("accounts:registration_sent")
        run(callbacks)

    assert not Message.objects.filter(recipient=company.email).exists()  # no link
    # One notice however many attempts (at most one an hour).
    notice = Message.objects.get(channel="email", recipient="szef@transbud.example.pl")
    assert "próbował zarejestrować" in notice.body and company.client_number in notice.body
    assert list(Registration.objects.values_list("status", flat=True)) == ["has_users"] * 2
    assert (
        AuditEntry.objects.filter(
            company=company, action=RegistrationAction.COMPANY_HAS_USERS
        ).count()
        == 2
    )  # the company's admin sees the attempts in the company's audit log


def test_the_link_works_once(client, company, invoice, django_capture_on_commit_callbacks):
    link = registered(client, company, invoice, django_capture_on_commit_callbacks)
    activate(client, link)

    again = Client().get(link)
    assert again.status_code == 400 and "Ten link już nie działa" in again.text
    assert client.get(reverse("accounts:registration_activate")).status_code == 400


def test_the_link_expires_after_72_hours(company, invoice, django_capture_on_commit_callbacks):
    link = registered(Client(), company, invoice, django_capture_on_commit_callbacks)
    registration = Registration.objects.get()
    assert registration.expires_at - registration.created_at > dt.timedelta(hours=71, minutes=59)
    assert Client().get(link).status_code == 302
    Registration.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert Client().get(link).status_code == 400


def test_bad_and_forged_links_are_refused(company, invoice, django_capture_on_commit_callbacks):
    link = registered(Client(), company, invoice, django_capture_on_commit_callbacks)
    for bad in (link[:-4] + "/", link[:-1] + "x/", "/rejestracja/aktywacja/" + "A" * 300 + "/"):
        assert Client().get(bad).status_code == 400, bad
    fresh = Client()
    assert fresh.get(reverse("accounts:registration_activate")).status_code == 400
    assert fresh.post(reverse("accounts:registration_phone"), {"code": "123456"}).status_code == 400
    assert fresh.post(reverse("accounts:registration_code")).status_code == 400
    assert not User.objects.exists()


def test_a_newer_registration_replaces_the_older_link(
    company, invoice, django_capture_on_commit_callbacks
):
    first = registered(Client(), company, invoice, django_capture_on_commit_callbacks)
    second = registered(Client(), company, invoice, django_capture_on_commit_callbacks)
    assert first != second
    assert Client().get(first).status_code == 400
    assert Client().get(second).status_code == 302


def test_the_form_explains_bad_input_and_stores_nothing(client, company, invoice):
    data = form_data(
        company,
        invoice,
        client_number="1234",
        nip="123",
        invoice_gross="dużo",
        phone="22 123 45 67",
        accept_terms=None,
        accept_privacy=None,
    )
    response = client.post(URL, data)
    assert response.status_code == 200
    for message in (
        "Numer klienta to 8 cyfr.",
        "Nieprawidłowy NIP",
        "Podaj kwotę brutto z faktury, np. 1 234,56.",
        "To nie jest numer telefonu komórkowego",
        "zaakceptuj regulamin",
        "informacją o przetwarzaniu danych osobowych.",
    ):
        assert message in response.text, message
    assert not Registration.objects.exists()


@pytest.mark.parametrize("typed", ["1234.56", "1 234,56 zł", "1234,56", " 1\u00a0234,56 "])
def test_the_amount_is_read_as_people_type_it(
    company, invoice, typed, django_capture_on_commit_callbacks
):
    registered(Client(), company, invoice, django_capture_on_commit_callbacks, invoice_gross=typed)
    assert Registration.objects.get().status == "pending"


def test_attempts_are_limited_per_ip(settings, company, invoice):
    settings.REGISTRATION_RATE_LIMIT = "2/h"
    client = Client()
    answers = [client.post(URL, form_data(company, invoice)).status_code for _ in range(3)]
    assert answers == [302, 302, 429]
    assert Registration.objects.count() == 2
    assert actions(action=RegistrationAction.RATE_LIMITED) == [RegistrationAction.RATE_LIMITED]


def test_attempts_are_limited_per_client_number(settings, company, invoice):
    settings.REGISTRATION_CLIENT_RATE_LIMIT = "2/d"
    answers = [
        Client(REMOTE_ADDR=f"198.51.100.{n}").post(URL, form_data(company, invoice)).status_code
        for n in range(3)
    ]
    assert answers == [302, 302, 429]
    refused = Client(REMOTE_ADDR="198.51.100.8").post(URL, form_data(company, invoice))
    assert "Dla tego numeru klienta było dziś zbyt wiele prób" in refused.text
    other = Client(REMOTE_ADDR="198.51.100.9").post(
        URL, form_data(company, invoice, client_number="12345678")
    )
    assert other.status_code == 302  # another client number is counted on its own
    entry = AuditEntry.objects.get(action=RegistrationAction.RATE_LIMITED)
    assert entry.details["client_number"] == company.client_number


def test_the_password_follows_the_policy_and_the_login_must_be_free(
    client, company, invoice, django_capture_on_commit_callbacks
):
    make_admin(company, login="zajety", is_active=False)  # an inactive user blocks no one
    link = registered(client, company, invoice, django_capture_on_commit_callbacks)
    client.get(link)
    url = reverse("accounts:registration_activate")
    response = client.post(
        url, credentials(login="zajety", new_password1="wisniewska", new_password2="wisniewska")
    )
    assert response.status_code == 200
    assert "Ten login jest już zajęty" in response.text
    assert "Hasło nie może zawierać nazwiska." in response.text
    assert "Hasło musi zawierać wielką literę." in response.text
    assert Registration.objects.get(status="pending").user is None


def test_a_wrong_sms_code_is_refused_and_three_lock_the_link(
    client, company, invoice, django_capture_on_commit_callbacks, settings
):
    settings.SMS_CODE_THROTTLE_FACTOR = 0  # no waiting between the tries
    link = registered(client, company, invoice, django_capture_on_commit_callbacks)
    client.get(link)
    client.post(reverse("accounts:registration_activate"), credentials())
    url = reverse("accounts:registration_phone")
    wrong = client.post(url, {"code": "000000"})
    assert wrong.status_code == 200 and "kod" in wrong.text.lower()
    client.post(url, {"code": "000000"})
    locked = client.post(url, {"code": "000000"})
    assert locked.status_code == 403
    assert Client().get(link).status_code == 400
    assert not User.objects.filter(is_active=True).exists()


def test_a_company_that_got_a_user_meanwhile_is_not_taken_over(
    client, company, invoice, django_capture_on_commit_callbacks
):
    link = registered(client, company, invoice, django_capture_on_commit_callbacks)
    client.get(link)
    client.post(reverse("accounts:registration_activate"), credentials())
    make_admin(company)  # staff created an admin in the meantime
    user = Registration.objects.get().user
    done = client.post(reverse("accounts:registration_phone"), {"code": last_code(user)})
    assert done["Location"] == reverse("accounts:signin")
    assert "Firma ma już użytkownika eBOK" in client.get(done["Location"]).text
    user.refresh_from_db()
    assert not user.is_active
    assert Client().get(link).status_code == 400


def test_staff_see_pending_registrations_and_revoke_them(
    company, invoice, otp_admin_client, django_capture_on_commit_callbacks
):
    link = registered(Client(), company, invoice, django_capture_on_commit_callbacks)
    changelist = reverse("admin:accounts_registration_changelist")
    page = otp_admin_client.get(changelist, {"link": "live"})
    assert page.status_code == 200 and company.client_number in page.text
    registration = Registration.objects.get()
    assert (
        otp_admin_client.get(
            reverse("admin:accounts_registration_change", args=[registration.pk])
        ).status_code
        == 200
    )

    otp_admin_client.post(changelist, {"action": "revoke", "_selected_action": [registration.pk]})

    registration.refresh_from_db()
    assert registration.status == "revoked" and registration.revoked_by is not None
    assert Client().get(link).status_code == 400
    assert actions(action=RegistrationAction.REVOKED) == [RegistrationAction.REVOKED]


def test_the_sign_in_page_offers_registration(client):
    page = client.get(reverse("accounts:signin"))
    assert reverse("accounts:registration") in page.text and "Zarejestruj się" in page.text
    assert client.get(URL).status_code == 200
    assert client.get(reverse("accounts:privacy_notice")).status_code == 200


def test_the_check_runs_later_if_the_queue_was_down(company, invoice):
    from accounts.tasks import sweep_registrations

    Client().post(URL, form_data(company, invoice))  # the queued check is never run here
    Registration.objects.update(created_at=timezone.now() - dt.timedelta(minutes=5))
    assert sweep_registrations() == 1
    assert Registration.objects.get().status == "pending"
    assert Message.objects.filter(recipient=company.email).count() == 1
