"""The profile: own and company data, contact changes with SMS step-up, consents + history."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.audit import Action
from accounts.models import Consent
from notifications.models import Message
from tests.factories import CompanyFactory

from ..company_helpers import actions, admin_client, make_admin
from ..conftest import make_client_user
from ..helpers import last_code, last_sms

pytestmark = pytest.mark.django_db

CONTACT = reverse("accounts:profile_contact")


@pytest.fixture
def company():
    return CompanyFactory(
        name="Transbud Sp. z o.o.", nip="5260250274", regon="012345678", city="Radom"
    )


@pytest.fixture
def user(company):
    return make_client_user(
        company=company,
        login="anna.nowak",
        first_name="Anna",
        last_name="Nowak",
        email="anna@transbud.example.pl",
        phone="+48600100200",
    )


def test_the_profile_shows_own_and_company_data(user):
    page = admin_client(user).get(reverse("accounts:profile"))
    assert page.status_code == 200
    shown = page.text.replace("<wbr>", "")  # an e-mail address may wrap at its "@" and dots
    for value in (
        "Anna Nowak",
        "anna.nowak",
        "anna@transbud.example.pl",
        "+48 600 100 200",
        "Transbud Sp. z o.o.",
        user.company.client_number,
        "526-025-02-74",
        "012345678",
        "Radom",
    ):
        assert value in shown, value
    menu = admin_client(user).get("/").text
    assert reverse("accounts:profile") in menu  # in the user menu, for everyone


def test_changing_the_email_is_confirmed_with_a_code_to_the_current_phone(user):
    """The code starts the change; the new address then confirms itself (test_email_change)."""
    client = admin_client(user)
    data = {"email": "anna.nowak@nowa.example.pl", "phone": "600 100 200"}

    first = client.post(CONTACT, data)

    assert 'name="stepup_code"' in first.text
    assert last_sms(user).recipient == "+48600100200"
    user.refresh_from_db()
    assert user.email == "anna@transbud.example.pl"

    done = client.post(CONTACT, {**data, "stepup_code": last_code(user)})

    assert done.status_code == 302
    user.refresh_from_db()
    assert user.email == "anna@transbud.example.pl"  # until the link sent to the new one is used
    link = Message.objects.filter(channel="email", recipient="anna.nowak@nowa.example.pl").get()
    assert "/email/potwierdz/" in link.body
    notice = Message.objects.filter(channel="email", recipient="anna@transbud.example.pl").get()
    assert "poproszono o zmianę adresu e-mail" in notice.body
    assert Action.CONTACT_CHANGED not in actions(user=user)


def test_a_new_phone_needs_the_old_numbers_code_and_then_the_new_numbers(user, settings):
    settings.SMS_CODE_THROTTLE_FACTOR = 0  # retry at once after the wrong code below
    client = admin_client(user)
    data = {"email": user.email, "phone": "+48 602 300 400"}

    client.post(CONTACT, data)
    to_old = last_sms(user)
    assert to_old.recipient == "+48600100200"
    second = client.post(CONTACT, {**data, "stepup_code": last_code(user)})

    assert 'name="new_phone_code"' in second.text
    to_new = last_sms(user)
    assert to_new.recipient == "+48602300400"
    user.refresh_from_db()
    assert str(user.phone) == "+48600100200"  # not yet

    wrong = client.post(CONTACT, {**data, "new_phone_code": "000000"})
    assert "Nieprawidłowy lub nieważny kod SMS" in wrong.text
    user.refresh_from_db()
    assert str(user.phone) == "+48600100200"

    done = client.post(CONTACT, {**data, "new_phone_code": last_code(user)})
    assert done.status_code == 302
    user.refresh_from_db()
    assert str(user.phone) == "+48602300400"
    assert Message.objects.filter(recipient="+48600100200", body__contains="zostal zmieniony")
    assert actions(user=user, action__startswith="profile.") == [
        Action.CONTACT_NEW_PHONE_CODE_SENT,
        Action.CONTACT_NEW_PHONE_CODE_FAILED,
        Action.CONTACT_CHANGED,
    ]


def test_the_new_numbers_code_confirms_only_the_number_it_was_sent_to(user):
    client = admin_client(user)
    data = {"email": user.email, "phone": "+48 602 300 400"}
    client.post(CONTACT, data)
    client.post(CONTACT, {**data, "stepup_code": last_code(user)})

    # Swapping the number at the last step: the old number never confirmed this one.
    forged = client.post(
        CONTACT, {**data, "phone": "+48 603 999 999", "new_phone_code": last_code(user)}
    )

    assert "Zacznij od nowa" in forged.text
    user.refresh_from_db()
    assert str(user.phone) == "+48600100200"


def test_skipping_the_old_numbers_code_changes_nothing(user):
    client = admin_client(user)
    data = {"email": user.email, "phone": "+48 602 300 400"}
    response = client.post(CONTACT, {**data, "new_phone_code": "123456"})
    assert "Zacznij od nowa" in response.text
    user.refresh_from_db()
    assert str(user.phone) == "+48600100200"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "zly-adres", "phone": "600100200"}, "Podaj poprawny adres e-mail"),
        ({"email": "anna@transbud.example.pl", "phone": "22 123 45 67"}, "komórkowego"),
        ({"email": "anna@transbud.example.pl", "phone": "600 100 200"}, "Nie wprowadzono zmian."),
    ],
)
def test_bad_contact_data_gets_a_polish_message_and_no_code(user, data, message):
    response = admin_client(user).post(CONTACT, data)
    assert response.status_code == 200
    assert message in response.text
    assert not Message.objects.filter(user=user).exists()


def test_a_user_gives_and_withdraws_the_marketing_consent_with_history(user):
    client = admin_client(user)
    url = reverse("accounts:profile_consent")

    client.post(url, {"kind": "marketing", "granted": "1"}, REMOTE_ADDR="203.0.113.5")
    client.post(url, {"kind": "marketing", "granted": "1"})  # no change, no row
    client.post(url, {"kind": "marketing", "granted": "0"})

    rows = list(Consent.objects.filter(user=user).order_by("pk"))
    assert [(r.kind, r.granted) for r in rows] == [("marketing", True), ("marketing", False)]
    assert rows[0].by == user and rows[0].ip == "203.0.113.5" and rows[0].source == "portal"
    assert actions(user=user, action__startswith="consent.") == [
        Action.CONSENT_GRANTED,
        Action.CONSENT_WITHDRAWN,
    ]
    page = client.get(reverse("accounts:profile")).text
    assert "Historia zgód" in page and "wycofana" in page and "udzielona" in page
    with pytest.raises(TypeError):
        rows[0].delete()  # history is append-only


def test_only_a_company_admin_changes_the_companys_e_invoice_consent(user, company):
    client = admin_client(user)
    client.post(reverse("accounts:profile_consent"), {"kind": "e_invoices", "granted": "1"})
    assert not Consent.objects.exists()
    assert "Wyrażam zgodę" in client.get(reverse("accounts:profile")).text  # marketing only

    admin = make_admin(company, first_name="Ewa", last_name="Admin")
    admin_client(admin).post(
        reverse("accounts:profile_consent"), {"kind": "e_invoices", "granted": "1"}
    )
    row = Consent.objects.get()
    assert (row.user, row.company, row.by, row.granted) == (None, company, admin, True)
    page = client.get(reverse("accounts:profile")).text
    assert "Ewa Admin" in page  # every user sees who gave the company's consent


def test_forged_consent_kinds_are_refused(user):
    response = admin_client(user).post(
        reverse("accounts:profile_consent"), {"kind": "terms", "granted": "0"}, follow=True
    )
    assert "Nie udało się zmienić zgody" in response.text
    assert not Consent.objects.exists()


def test_a_user_without_a_company_role_sees_their_permissions(company):
    user = make_client_user(
        company=company, login="ola", contracts_restricted=True, can_view_finances=False
    )
    page = admin_client(user).get(reverse("accounts:profile")).text
    assert "finanse" not in page.split("Uprawnienia")[1].split("</dd>")[0]
    assert "tylko" in page
