"""Self-service password reset: e-mailed single-use link (72 h) + SMS code -> new password."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlsafe_base64_encode

from accounts.audit import Action
from accounts.codes import code_send
from accounts.models import AuditEntry, User
from accounts.public.services import reset_tokens
from notifications.models import Message
from tests.factories import CompanyFactory

from ..company_helpers import actions, admin_client, make_admin, without_csrf
from ..conftest import make_client_user
from ..helpers import last_code, one_time_password, sign_in

pytestmark = pytest.mark.django_db

URL = reverse("accounts:password_reset")
NEW_PASSWORD = "Nowy#Kierunek2027"


@pytest.fixture
def user(company):
    return make_client_user(
        company=company, login="anna.nowak", first_name="Anna", last_name="Nowak"
    )


def reset_link(user: User) -> str:
    body = Message.objects.filter(channel="email", user=user).latest("pk").body
    return re.search(r"https?://\S+", body).group(0)


def request_reset(client: Client, user: User):
    return client.post(URL, {"client_number": user.company.client_number, "login": user.login})


def open_link(client: Client, user: User) -> str:
    """Follow the e-mailed link; return the page where the new password is set."""
    response = client.get(reset_link(user))
    assert response.status_code == 302, response.status_code
    return response["Location"]


def set_password(client: Client, page: str, user: User, password: str = NEW_PASSWORD):
    client.post(page.rstrip("/") + "/kod-sms/")
    return client.post(
        page, {"new_password1": password, "new_password2": password, "code": last_code(user)}
    )


def test_the_whole_reset(client, user):
    request_reset(client, user)
    email = Message.objects.get(channel="email", user=user)
    assert email.sensitive
    assert user.company.client_number in email.body and "anna.nowak" in email.body

    page = open_link(client, user)
    assert reset_link(user) not in page  # the token leaves the address bar
    form = client.get(page)
    assert "Ustaw nowe hasło" in form.text and "+48 *** *** 200" in form.text

    client.post(page.rstrip("/") + "/kod-sms/")
    sms = Message.objects.filter(channel="sms", user=user).latest("pk")
    assert "do ustawienia nowego hasla" in sms.body
    done = client.post(
        page,
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD, "code": last_code(user)},
    )

    assert done.status_code == 302 and done["Location"] == reverse("accounts:signin")
    assert "Nowe hasło jest ustawione" in client.get(done["Location"]).text
    assert sign_in(Client(), user, NEW_PASSWORD).status_code == 302  # the new password works
    assert actions(user=user, action__startswith="password.") == [
        Action.PASSWORD_RESET_REQUESTED,
        Action.PASSWORD_RESET_SENT,
        Action.PASSWORD_RESET_CODE_SENT,
        Action.PASSWORD_CHANGED,
        Action.PASSWORD_RESET_DONE,
    ]


def test_the_link_works_once(client, user):
    request_reset(client, user)
    link = reset_link(user)
    set_password(client, open_link(client, user), user)

    again = Client().get(link)
    assert again.status_code == 400
    assert "Ten link już nie działa" in again.text


def test_the_link_expires_after_72_hours(client, user, monkeypatch):
    request_reset(client, user)
    link = reset_link(user)
    issued = reset_tokens._now()
    monkeypatch.setattr(reset_tokens, "_now", lambda: issued + timezone.timedelta(hours=71))
    assert Client().get(link).status_code == 302
    monkeypatch.setattr(reset_tokens, "_now", lambda: issued + timezone.timedelta(hours=73))
    assert Client().get(link).status_code == 400


def test_other_sessions_end(client, user):
    elsewhere = admin_client(user)
    assert elsewhere.get(reverse("contracts:list")).status_code == 200
    request_reset(client, user)

    set_password(client, open_link(client, user), user)

    response = elsewhere.get(reverse("contracts:list"))
    assert response.status_code == 302 and "logowanie" in response["Location"]


def test_the_new_password_must_follow_the_policy(client, user):
    request_reset(client, user)
    page = open_link(client, user)
    before = user.masked_password.secret_hash

    weak = set_password(client, page, user, password="annanowak")

    assert weak.status_code == 200
    assert "Hasło musi zawierać wielką literę." in weak.text
    assert "Hasło nie może zawierać imienia." in weak.text
    user.masked_password.refresh_from_db()
    assert user.masked_password.secret_hash == before


def test_a_wrong_code_sets_nothing_and_three_lock_the_account(client, user, settings):
    settings.SMS_CODE_THROTTLE_FACTOR = 0  # no back-off between the attempts of this test
    request_reset(client, user)
    page = open_link(client, user)
    client.post(page.rstrip("/") + "/kod-sms/")
    data = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD, "code": "000000"}

    wrong = client.post(page, data)
    assert "Nieprawidłowy lub nieważny kod SMS" in wrong.text
    user.refresh_from_db()
    assert user.failed_signin_count == 1 and not user.password_changed_at

    client.post(page, data)
    locked = client.post(page, data)
    user.refresh_from_db()
    assert user.is_locked
    assert locked.status_code == 403
    assert client.get(page).status_code == 400  # the link died with the lock


def test_a_code_sent_for_something_else_does_not_set_the_password(client, user):
    request_reset(client, user)
    page = open_link(client, user)
    code_send(user=user, purpose="signin", text="eBOK: kod logowania {code}")

    response = client.post(
        page,
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD, "code": last_code(user)},
    )

    assert "Nieprawidłowy lub nieważny kod SMS" in response.text
    user.refresh_from_db()
    assert user.password_changed_at is None


def test_a_locked_user_gets_no_link_and_reset_does_not_unlock(client, user):
    User.objects.filter(pk=user.pk).update(locked_at=timezone.now(), lock_reason="password")
    response = request_reset(client, user)
    assert response.status_code == 302
    assert not Message.objects.filter(channel="email", user=user).exists()


@pytest.mark.parametrize(
    "case", ["unknown_login", "unknown_client_number", "locked", "inactive", "no_email"]
)
def test_the_answer_is_the_same_for_any_account(company, user, case):
    if case == "locked":
        User.objects.filter(pk=user.pk).update(locked_at=timezone.now())
    elif case == "inactive":
        User.objects.filter(pk=user.pk).update(is_active=False)
    elif case == "no_email":
        User.objects.filter(pk=user.pk).update(email="")
    identifiers = {
        "unknown_login": (company.client_number, "nikt.taki"),
        "unknown_client_number": ("99999999", user.login),
    }.get(case, (company.client_number, user.login))

    real, other = Client(), Client()
    real_form, other_form = real.get(URL), other.get(URL)
    real_answer = request_reset(real, user)
    other_answer = other.post(URL, {"client_number": identifiers[0], "login": identifiers[1]})

    assert without_csrf(real_form.text) == without_csrf(other_form.text)
    assert real_answer.status_code == other_answer.status_code == 302
    assert real_answer["Location"] == other_answer["Location"]
    assert real_answer.content == other_answer.content
    assert without_csrf(real.get(real_answer["Location"]).text) == without_csrf(
        other.get(other_answer["Location"]).text
    )
    emails = Message.objects.filter(channel="email")
    assert emails.count() == (1 if case in ("unknown_login", "unknown_client_number") else 0)


def test_bad_input_gets_a_polish_message(client):
    response = client.post(URL, {"client_number": "12ab", "login": ""})
    assert response.status_code == 200
    assert "Numer klienta to 8 cyfr." in response.text
    assert not AuditEntry.objects.exists()


def test_one_email_per_account_per_interval(client, user):
    for _ in range(3):
        request_reset(Client(), user)
    assert Message.objects.filter(channel="email", user=user).count() == 1


def test_requests_are_rate_limited_per_address(settings, user):
    settings.PASSWORD_RESET_RATE_LIMIT = "2/h"
    client = Client()
    assert request_reset(client, user).status_code == 302
    assert request_reset(client, user).status_code == 302
    blocked = request_reset(client, user)
    assert blocked.status_code == 429
    assert Action.PASSWORD_RESET_RATE_LIMITED in actions()


def test_a_forged_or_foreign_link_is_refused(client, user):
    other = make_client_user(company=CompanyFactory(), login="ktos.inny")
    request_reset(client, user)
    uid, token = reset_link(user).rstrip("/").split("/")[-2:]
    other_uid = urlsafe_base64_encode(str(other.pk).encode())
    for bad in (
        reverse("accounts:password_reset_link", args=[other_uid, token]),
        reverse("accounts:password_reset_link", args=[uid, token[:-2] + "xx"]),
        reverse("accounts:password_reset_link", args=["!!", token]),
    ):
        assert Client().get(bad).status_code == 400, bad
    # The set-password page, without the link opened in this browser:
    assert Client().get(reverse("accounts:password_reset_confirm", args=[uid])).status_code == 400
    assert Client().post(reverse("accounts:password_reset_code", args=[uid])).status_code == 400
    assert not Message.objects.filter(channel="sms", user=user).exists()


def test_staff_and_company_admins_can_reset_a_user_to_the_first_sign_in(
    user, company, otp_admin_client
):
    admin = make_admin(company)
    admin_client(admin).post(reverse("accounts:company_user_reinvite", args=[user.pk]))
    user.refresh_from_db()
    assert user.must_change_password and user.masked_password.is_temporary
    first = one_time_password(user)

    otp_admin_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "send_one_time_password", "_selected_action": [user.pk]},
    )
    assert one_time_password(user) != first
    assert (
        actions(object_id=str(user.pk), action=Action.ACCOUNT_INVITED)
        == [Action.ACCOUNT_INVITED] * 2
    )


def test_the_link_points_to_the_configured_site_whatever_the_host_header(settings, user):
    settings.PUBLIC_BASE_URL = "https://ebok.leasing.example.pl"
    Client(HTTP_HOST="evil.example.com").post(
        URL, {"client_number": user.company.client_number, "login": user.login}
    )
    assert reset_link(user).startswith("https://ebok.leasing.example.pl/logowanie/reset/")
