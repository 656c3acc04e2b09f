"""The public access application and its verification by staff in the back office."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.audit import Action
from accounts.models import AccessApplication, AuditEntry, Consent, User
from accounts.public.services import (
    AccessApplicationError,
    access_application_approve,
    derive_login,
)
from notifications.models import Message
from tests.factories import CompanyFactory, ContractFactory, StaffUserFactory

from ..company_helpers import actions, without_csrf
from ..conftest import make_client_user
from ..helpers import one_time_password

pytestmark = pytest.mark.django_db

URL = reverse("accounts:access_application")


@pytest.fixture
def lessee():
    company = CompanyFactory(name="Transbud Sp. z o.o.", nip="5260250274")
    ContractFactory(company=company, number="UL/2026/00123")
    return company


def application_data(**overrides) -> dict:
    data = {
        "nip": "526-025-02-74",
        "contract_number": "UL/2026/00123",
        "first_name": "Łukasz",
        "last_name": "Żółtowski",
        "email": "l.zoltowski@transbud.example.pl",
        "phone": "+48 605 111 222",
        "accept_terms": "on",
        "marketing_consent": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_form_is_public_and_in_polish(client):
    page = client.get(URL)
    assert page.status_code == 200
    assert "Wniosek o nadanie dostępu do eBOK" in page.text
    assert reverse("accounts:terms") in page.text
    assert client.get(reverse("accounts:terms")).status_code == 200


def test_an_application_is_stored_and_acknowledged(client, lessee):
    response = client.post(URL, application_data(), REMOTE_ADDR="203.0.113.7")

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:access_application_sent")
    application = AccessApplication.objects.get()
    assert application.nip == "5260250274"
    assert str(application.phone) == "+48605111222"
    assert application.marketing_consent and application.terms_accepted_at
    assert application.ip == "203.0.113.7"
    assert application.status == AccessApplication.Status.NEW
    ack = Message.objects.get(channel="email")
    assert ack.recipient == "l.zoltowski@transbud.example.pl"
    assert str(application.pk) in ack.body
    assert actions() == [Action.ACCESS_APPLICATION_SUBMITTED]
    assert not User.objects.filter(company=lessee).exists()  # nothing until staff decide


@pytest.mark.parametrize(
    "unknown",
    [
        {"nip": "7740001454"},  # a valid NIP of no client
        {"contract_number": "UL/2026/99999"},  # the company's NIP, not its contract
    ],
)
def test_the_answer_does_not_tell_whether_the_company_or_contract_exists(lessee, unknown):
    real, fake = Client(), Client()
    real_post = real.post(URL, application_data())
    fake_post = fake.post(URL, application_data(**unknown))

    assert (real_post.status_code, real_post["Location"]) == (
        fake_post.status_code,
        fake_post["Location"],
    )
    assert real_post.content == fake_post.content
    real_page, fake_page = real.get(real_post["Location"]), fake.get(fake_post["Location"])
    assert without_csrf(real_page.text) == without_csrf(fake_page.text)
    assert AccessApplication.objects.count() == 2
    assert Message.objects.filter(channel="email").count() == 2  # both acknowledged


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"nip": "5260250275"}, "Nieprawidłowy NIP"),
        ({"nip": "12345"}, "Nieprawidłowy NIP"),
        ({"nip": ""}, "Podaj NIP firmy."),
        ({"contract_number": "<script>"}, "Numer umowy może zawierać"),
        ({"first_name": "J4n"}, "Wpisz tylko litery"),
        ({"email": "kowalski.pl"}, "Podaj poprawny adres e-mail"),
        ({"phone": "22 629 10 00"}, "To nie jest numer telefonu komórkowego"),
        ({"phone": "+48 605"}, "Podaj poprawny numer telefonu komórkowego"),
        ({"accept_terms": None}, "zaakceptuj regulamin"),
    ],
)
def test_bad_input_gets_a_clear_polish_message_and_stores_nothing(client, changes, message):
    response = client.post(URL, application_data(**changes))

    assert response.status_code == 200
    assert message in response.text
    assert "Popraw zaznaczone pola." in response.text
    assert not AccessApplication.objects.exists()
    assert not Message.objects.exists()


def test_applications_are_rate_limited_per_address(client, settings):
    settings.ACCESS_APPLICATION_RATE_LIMIT = "3/h"
    for _ in range(3):
        assert client.post(URL, application_data()).status_code == 302
    blocked = client.post(URL, application_data())
    assert blocked.status_code == 429
    assert "Zbyt wiele prób" in blocked.text
    assert AccessApplication.objects.count() == 3
    assert Client(REMOTE_ADDR="198.51.100.9").post(URL, application_data()).status_code == 302
    assert actions(action=Action.ACCESS_APPLICATION_RATE_LIMITED) == [
        Action.ACCESS_APPLICATION_RATE_LIMITED
    ]


def _submit(**overrides) -> AccessApplication:
    Client().post(URL, application_data(**overrides))
    return AccessApplication.objects.latest("pk")


def test_approving_creates_the_company_admin_and_sends_the_access(otp_admin_client, lessee):
    make_client_user(company=lessee, login="lukasz.zoltowski")  # the obvious login is taken
    application = _submit()
    Message.objects.all().delete()

    response = otp_admin_client.post(
        reverse("admin:accounts_accessapplication_changelist"),
        {"action": "approve", "_selected_action": [application.pk]},
        follow=True,
    )

    assert "Zatwierdzono wnioski: 1" in response.text
    user = User.objects.get(company=lessee, login="lukasz.zoltowski2")
    assert user.is_company_admin and user.must_change_password
    assert (user.first_name, user.last_name, user.email) == (
        "Łukasz",
        "Żółtowski",
        "l.zoltowski@transbud.example.pl",
    )
    assert one_time_password(user)  # the one-time password went by SMS to the given phone
    assert Message.objects.get(channel="sms", user=user).recipient == "+48605111222"
    email = Message.objects.get(channel="email", user=user)
    assert lessee.client_number in email.body and "lukasz.zoltowski2" in email.body
    assert "haslo" not in email.body.lower().replace("hasło", "")  # no password by e-mail
    application.refresh_from_db()
    assert application.status == AccessApplication.Status.APPROVED
    assert application.created_user == user and application.company == lessee
    consents = dict(Consent.objects.filter(user=user).values_list("kind", "granted"))
    assert consents == {"terms": True, "marketing": True}
    assert {Action.ACCESS_APPLICATION_APPROVED, Action.USER_CREATED, Action.ACCOUNT_INVITED} <= set(
        actions(company=lessee)
    )


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"nip": "7740001454"}, "Nie ma aktywnej firmy o NIP 7740001454"),
        ({"contract_number": "UL/2026/99999"}, "nie jest umową firmy"),
    ],
)
def test_an_application_that_does_not_match_cannot_be_approved(lessee, overrides, reason):
    application = _submit(**overrides)
    with pytest.raises(AccessApplicationError, match=reason):
        access_application_approve(application=application, by=StaffUserFactory())
    application.refresh_from_db()
    assert application.status == AccessApplication.Status.NEW
    assert not User.objects.filter(company__isnull=False).exists()


def test_the_admin_list_shows_staff_whether_the_data_matches(otp_admin_client, lessee):
    _submit()
    _submit(contract_number="UL/2026/99999")
    _submit(nip="7740001454")
    page = otp_admin_client.get(reverse("admin:accounts_accessapplication_changelist")).text
    assert "umowa należy do firmy Transbud" in page
    assert "firma istnieje, ale nie ma takiej umowy" in page
    assert "brak firmy o tym NIP" in page


def test_rejecting_tells_the_applicant_why(
    otp_admin_client, lessee, django_capture_on_commit_callbacks
):
    application = _submit(contract_number="UL/2026/99999")
    url = reverse("admin:accounts_accessapplication_changelist")
    form = otp_admin_client.post(url, {"action": "reject", "_selected_action": [application.pk]})
    assert "Powód odrzucenia" in form.text

    empty = otp_admin_client.post(
        url, {"action": "reject", "_selected_action": [application.pk], "apply": "1", "reason": ""}
    )
    assert "Podaj powód odrzucenia." in empty.text
    application.refresh_from_db()
    assert application.status == AccessApplication.Status.NEW

    with django_capture_on_commit_callbacks(execute=True):
        otp_admin_client.post(
            url,
            {
                "action": "reject",
                "_selected_action": [application.pk],
                "apply": "1",
                "reason": "Numer umowy nie zgadza się z naszymi danymi.",
            },
        )
    application.refresh_from_db()
    assert application.status == AccessApplication.Status.REJECTED
    email = Message.objects.filter(channel="email").latest("pk")
    assert email.recipient == application.email
    assert "Numer umowy nie zgadza się z naszymi danymi." in email.body
    delivered = mail.outbox[-1]  # through Django's e-mail backend, after commit
    assert delivered.to == [application.email]
    assert "Numer umowy nie zgadza się" in delivered.body
    entry = AuditEntry.objects.get(action=Action.ACCESS_APPLICATION_REJECTED)
    assert entry.details["reason"] == "Numer umowy nie zgadza się z naszymi danymi."
    # A decided application cannot be decided again.
    with pytest.raises(AccessApplicationError):
        access_application_approve(application=application, by=StaffUserFactory())


def test_derived_logins_are_readable_and_unique(lessee):
    assert derive_login(lessee, "Łukasz", "Żółtowski-Nowak") == "lukasz.zoltowski-nowak"
    make_client_user(company=lessee, login="jan.kowalski")
    make_client_user(company=lessee, login="jan.kowalski2")
    assert derive_login(lessee, "Jan", "Kowalski") == "jan.kowalski3"
    assert derive_login(CompanyFactory(), "Jan", "Kowalski") == "jan.kowalski"
