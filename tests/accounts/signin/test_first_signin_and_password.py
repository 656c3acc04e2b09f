"""First sign-in with a one-time SMS password, the password policy, and password change."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.audit import Action
from accounts.models import AuditEntry, MaskedPassword
from accounts.password_policy import validate_client_password
from accounts.services import user_invite
from notifications.models import Message
from tests.factories import CompanyFactory, UserFactory

from ..helpers import (
    PASSWORD,
    enter_password,
    identify,
    last_code,
    one_time_password,
    sign_in,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def invited(staff_user):
    company = CompanyFactory(name="Transbud Logistyka Sp. z o.o.")
    user = UserFactory(
        company=company,
        login="piotr.zielinski",
        first_name="Piotr",
        last_name="Zieliński",
        phone="+48601200300",
        email="piotr@transbud.example.pl",
    )
    user_invite(user=user, by=staff_user)
    return user


def test_an_invitation_sends_a_one_time_password_by_sms_and_the_login_by_email(invited):
    sms = Message.objects.get(channel="sms", user=invited)
    assert sms.recipient == "+48601200300"
    assert sms.sensitive
    password = one_time_password(invited)
    assert len(password) == 12
    assert invited.login not in sms.body  # the identifiers travel by e-mail
    email = Message.objects.get(channel="email", user=invited)
    assert email.recipient == "piotr@transbud.example.pl"
    assert invited.login in email.body and invited.company.client_number in email.body
    assert password not in email.body
    invited.refresh_from_db()
    assert invited.must_change_password
    assert not invited.has_usable_password()
    assert MaskedPassword.objects.get(user=invited).is_temporary
    assert AuditEntry.objects.filter(action=Action.ACCOUNT_INVITED, company=invited.company)


def test_the_first_sign_in_forces_an_own_password(client, invited):
    identify(client, invited.company.client_number, invited.login)
    enter_password(client, one_time_password(invited))
    response = client.post(reverse("accounts:signin_code"), {"code": last_code(invited)})
    assert response["Location"] == reverse("accounts:signin_new_password")
    assert "_auth_user_id" not in client.session  # nothing else before the new password
    assert client.get("/").status_code == 200 and "_auth_user_id" not in client.session

    weak = client.post(
        reverse("accounts:signin_new_password"),
        {"new_password1": "piotr", "new_password2": "piotr"},
    )
    assert weak.status_code == 200
    for message in (
        "Hasło musi mieć od 12 do 24 znaków.",
        "Hasło musi zawierać wielką literę.",
        "Hasło musi zawierać cyfrę.",
        "Hasło musi zawierać znak specjalny",
        "Hasło nie może zawierać imienia.",
    ):
        assert message in weak.text, message

    response = client.post(
        reverse("accounts:signin_new_password"),
        {"new_password1": "Mocne#Haslo2026", "new_password2": "Mocne#Haslo2026"},
    )
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(invited.pk)
    invited.refresh_from_db()
    assert not invited.must_change_password
    assert not MaskedPassword.objects.get(user=invited).is_temporary
    assert AuditEntry.objects.filter(action=Action.PASSWORD_SET, user=invited).exists()

    client.post(reverse("accounts:signout"))
    assert sign_in(client, invited, "Mocne#Haslo2026")["Location"] == "/"


def test_an_expired_one_time_password_does_not_open_the_account(client, invited):
    MaskedPassword.objects.filter(user=invited).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    identify(client, invited.company.client_number, invited.login)
    response = enter_password(client, one_time_password(invited))
    assert "Nieprawidłowe dane logowania" in response.text
    invited.refresh_from_db()
    assert invited.failed_signin_count == 0  # not a guess: no step toward lockout
    assert AuditEntry.objects.filter(details__one_time_password_expired=True).exists()


def test_an_invitation_lifts_a_lock_and_replaces_the_password(client, client_user, staff_user):
    client_user.locked_at = timezone.now()
    client_user.save()
    user_invite(user=client_user, by=staff_user)
    client_user.refresh_from_db()
    assert not client_user.is_locked
    identify(client, client_user.company.client_number, client_user.login)
    assert "Nieprawidłowe" in enter_password(client, PASSWORD).text


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Krotkie#1", "Hasło musi mieć od 12 do 24 znaków."),
        ("Bardzo#Dlugie#Haslo#2026#X", "Hasło musi mieć od 12 do 24 znaków."),
        ("bez#wielkich#2026", "Hasło musi zawierać wielką literę."),
        ("Bez#Cyfr#Zadnych", "Hasło musi zawierać cyfrę."),
        ("BezZnakow2026ab", "Hasło musi zawierać znak specjalny, np. ! ? # $ % & *."),
        ("Zażółć#Gęślą2026", "Hasło może zawierać tylko litery bez polskich znaków"),
        ("Ze spacja#2026", "Hasło może zawierać tylko litery bez polskich znaków"),
        ("Anna.Nowak#2026", "Hasło nie może zawierać loginu."),
        ("Moje#Anna#2026x", "Hasło nie może zawierać imienia."),
        ("Moje#NOWAK#2026x", "Hasło nie może zawierać nazwiska."),
        ("Moje#Testowa#2026", "Hasło nie może zawierać nazwy firmy."),
        ("John!20130605at1753", "Hasło jest zbyt popularne"),
        ("Password2026!", "Hasło jest zbyt popularne"),
        ("#Qwerty123456", "Hasło jest zbyt popularne"),
    ],
)
def test_each_policy_rule_is_explained(client_user, password, message):
    with pytest.raises(ValidationError) as error:
        validate_client_password(password, client_user)
    assert message in " ".join(error.value.messages)


def test_a_good_password_passes(client_user):
    validate_client_password("Wiosenny#Deszcz7", client_user)


def test_a_signed_in_user_changes_the_password_with_a_fresh_sms_code(client, client_user):
    sign_in(client, client_user)
    other_session = client.__class__()
    sign_in(other_session, client_user)
    assert client.get(reverse("accounts:password_change")).status_code == 200

    without_code = client.post(
        reverse("accounts:password_change"),
        {"new_password1": "Nowe#Haslo2027x", "new_password2": "Nowe#Haslo2027x", "code": "123456"},
    )
    assert "Nieprawidłowy lub nieważny kod SMS." in without_code.text

    client_user.refresh_from_db()
    from accounts.models import SmsDevice

    SmsDevice.objects.filter(user=client_user).update(
        throttling_failure_timestamp=None, last_generated_timestamp=None
    )
    response = client.post(reverse("accounts:password_change_code"), follow=True)
    assert "Wysłaliśmy kod SMS" in response.text
    assert "zmiana hasla" in Message.objects.filter(user=client_user).latest("pk").body
    code = last_code(client_user)

    weak = client.post(
        reverse("accounts:password_change"),
        {"new_password1": "slabe", "new_password2": "slabe", "code": code},
    )
    assert "Hasło musi zawierać cyfrę." in weak.text

    response = client.post(
        reverse("accounts:password_change"),
        {"new_password1": "Nowe#Haslo2027x", "new_password2": "Nowe#Haslo2027x", "code": code},
    )
    assert response.status_code == 302
    assert client.get("/").wsgi_request.user.is_authenticated  # this session stays
    assert not other_session.get("/").wsgi_request.user.is_authenticated  # others end
    assert AuditEntry.objects.filter(action=Action.PASSWORD_CHANGED, user=client_user).exists()
    assert "haslo do Twojego konta zostalo zmienione" in (
        Message.objects.filter(user=client_user, channel="sms").latest("pk").body
    )
    client.post(reverse("accounts:signout"))
    assert sign_in(client, client_user, "Nowe#Haslo2027x")["Location"] == "/"


def test_a_sign_in_code_cannot_change_the_password(client, client_user):
    identify(client, client_user.company.client_number, client_user.login)
    enter_password(client, PASSWORD)
    code = last_code(client_user)
    client.post(reverse("accounts:signin_code"), {"code": code})
    # A second sign-in code, not used, must not confirm a password change.
    from accounts.codes import code_send
    from accounts.models import SmsDevice

    SmsDevice.objects.filter(user=client_user).update(last_generated_timestamp=None)
    code_send(user=client_user, purpose="signin", text="kod {code}")
    response = client.post(
        reverse("accounts:password_change"),
        {
            "new_password1": "Nowe#Haslo2027x",
            "new_password2": "Nowe#Haslo2027x",
            "code": last_code(client_user),
        },
    )
    assert "Nieprawidłowy lub nieważny kod SMS." in response.text


def test_password_change_needs_a_signed_in_client(client):
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:signin"))
