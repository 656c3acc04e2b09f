"""The three-step client sign-in through its pages, as a user (or an attacker) sees it."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts.audit import Action
from accounts.models import AuditEntry, MaskedPassword
from notifications.models import Message
from tests.factories import CompanyFactory, StaffUserFactory

from ..conftest import make_client_user
from ..helpers import (
    PASSWORD,
    asked_positions,
    characters,
    enter_password,
    identify,
    last_code,
    sign_in,
)

pytestmark = pytest.mark.django_db


def actions(user=None) -> list[str]:
    entries = AuditEntry.objects.order_by("pk")
    if user is not None:
        entries = entries.filter(user=user)
    return list(entries.values_list("action", flat=True))


def test_it_signs_in_in_three_steps_with_a_new_session_key(client, client_user):
    client.get(reverse("accounts:signin"))
    identify(client, client_user.company.client_number, client_user.login)
    anonymous_key = client.session.session_key
    assert "_auth_user_id" not in client.session

    response = enter_password(client, PASSWORD)
    assert response["Location"] == reverse("accounts:signin_code")
    assert "_auth_user_id" not in client.session  # a correct password alone signs nobody in

    response = client.post(reverse("accounts:signin_code"), {"code": last_code(client_user)})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(client_user.pk)
    assert client.session.session_key != anonymous_key
    assert actions(client_user) == [
        Action.SIGNIN_IDENTIFIED,
        Action.SIGNIN_PASSWORD_OK,
        Action.SIGNIN_CODE_SENT,
        Action.SIGNIN_SUCCEEDED,
    ]
    entry = AuditEntry.objects.get(action=Action.SIGNIN_SUCCEEDED)
    assert entry.company == client_user.company
    assert entry.ip == "127.0.0.1"


def test_the_sms_code_page_and_text_show_what_the_user_needs(
    client, client_user, django_capture_on_commit_callbacks
):
    identify(client, client_user.company.client_number, client_user.login)
    with django_capture_on_commit_callbacks(execute=True):
        enter_password(client, PASSWORD)

    page = client.get(reverse("accounts:signin_code"))

    assert "+48 *** *** 200" in page.text
    sms = Message.objects.get(channel="sms", user=client_user)
    assert sms.recipient == "+48600100200"
    assert re.fullmatch(r"eBOK: kod logowania \d{6}\. .*", sms.body)
    assert sms.status == Message.Status.SENT


def test_it_goes_to_a_safe_next_page_only(client, client_user):
    client.get(reverse("accounts:signin") + "?next=/faktury/")
    client.post(
        reverse("accounts:signin"),
        {
            "client_number": client_user.company.client_number,
            "login": client_user.login,
            "next": "/faktury/",
        },
    )
    enter_password(client, PASSWORD)
    response = client.post(reverse("accounts:signin_code"), {"code": last_code(client_user)})
    assert response["Location"] == "/faktury/"

    other = make_client_user(login="ewa", company=client_user.company, phone="+48600100201")
    client.post(reverse("accounts:signout"))
    client.post(
        reverse("accounts:signin"),
        {
            "client_number": other.company.client_number,
            "login": "ewa",
            "next": "https://evil.example.com/",
        },
    )
    enter_password(client, PASSWORD)
    response = client.post(reverse("accounts:signin_code"), {"code": last_code(other)})
    assert response["Location"] == "/"


def test_login_is_case_insensitive(client, client_user):
    identify(client, client_user.company.client_number, "Anna.Nowak")
    assert enter_password(client, PASSWORD)["Location"] == reverse("accounts:signin_code")


def _normalised(html: str, *identifiers: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", html)
    html = re.sub(r'"X-CSRFToken": "[^"]+"', "CSRF", html)
    # The asked positions differ between any two identifiers, real or not.
    html = re.sub(r'<div class="ebok-masked-cell[^"]*">.*?</div>', "BOX", html, flags=re.S)
    for value in identifiers:
        html = html.replace(value, "ID")
    return html


def _walk(client, client_number: str, login: str):
    step1 = identify(client, client_number, login)
    step2 = client.get(reverse("accounts:signin_password"))
    positions = asked_positions(step2.text)
    wrong = client.post(reverse("accounts:signin_password"), {f"c{p}": "x" for p in positions})
    return step1, step2, wrong, positions


def _same(responses_a, responses_b, ids_a, ids_b):
    for a, b in zip(responses_a[:3], responses_b[:3], strict=True):
        assert a.status_code == b.status_code
        assert a.get("Location") == b.get("Location")
        assert _normalised(a.text, *ids_a) == _normalised(b.text, *ids_b)
    assert len(responses_a[3]) == len(responses_b[3])


def test_unknown_blocked_and_real_identifiers_get_the_same_pages(client, client_user):
    cn = client_user.company.client_number
    real = _walk(client, cn, client_user.login)
    client.cookies.clear()
    unknown_login = _walk(client, cn, "nieznany.login")
    client.cookies.clear()
    unknown_company = _walk(client, "99999999", client_user.login)
    blocked = make_client_user(
        company=client_user.company, login="zablokowany", phone="+48600100202"
    )
    blocked.locked_at = blocked.date_joined
    blocked.save()
    client.cookies.clear()
    locked = _walk(client, cn, "zablokowany")
    inactive = make_client_user(company=client_user.company, login="nieaktywny", is_active=False)
    client.cookies.clear()
    deactivated = _walk(client, cn, "nieaktywny")

    ids_real = (cn, client_user.login)
    _same(real, unknown_login, ids_real, (cn, "nieznany.login"))
    _same(real, unknown_company, ids_real, ("99999999", client_user.login))
    _same(real, locked, ids_real, (cn, "zablokowany"))
    _same(real, deactivated, ids_real, (cn, inactive.login))
    assert "Nieprawidłowe dane logowania" in real[2].text


def test_an_unknown_identifier_sees_a_stable_challenge(client, company):
    _, page, _, first = _walk(client, company.client_number, "ktos")
    client.cookies.clear()
    _, _, _, again = _walk(client, company.client_number, "ktos")
    assert first == again
    assert len(first) == 5
    assert page.text.count('class="form-control ebok-masked-input"') == 24  # all boxes


def test_a_real_users_challenge_is_pinned_until_a_successful_sign_in(client, client_user):
    first = _walk(client, client_user.company.client_number, client_user.login)[3]
    client.cookies.clear()
    second = _walk(client, client_user.company.client_number, client_user.login)[3]
    assert first == second
    assert MaskedPassword.objects.get(user=client_user).challenge == first

    client_user.refresh_from_db()
    client_user.failed_signin_count = 0
    client_user.save()
    client.cookies.clear()
    sign_in(client, client_user)
    assert MaskedPassword.objects.get(user=client_user).challenge is None


def test_answers_for_other_positions_than_asked_are_refused(client, client_user):
    identify(client, client_user.company.client_number, client_user.login)
    page = client.get(reverse("accounts:signin_password"))
    asked = asked_positions(page.text)
    others = [p for p in range(1, len(PASSWORD) + 1) if p not in asked][: len(asked)]
    response = client.post(reverse("accounts:signin_password"), characters(PASSWORD, others))
    assert response.status_code == 200
    assert "Wpisz wszystkie wskazane znaki" in response.text


def test_three_wrong_passwords_lock_the_user_and_tell_them_by_sms(client, client_user):
    identify(client, client_user.company.client_number, client_user.login)
    for _ in range(3):
        response = enter_password(client, "Q" * len(PASSWORD))
        assert "Nieprawidłowe dane logowania" in response.text

    client_user.refresh_from_db()
    assert client_user.is_locked
    assert client_user.lock_reason == "password"
    sms = Message.objects.filter(channel="sms", user=client_user).latest("pk")
    assert "zablokowany" in sms.body
    assert actions(client_user) == [
        Action.SIGNIN_IDENTIFIED,
        Action.SIGNIN_PASSWORD_FAILED,
        Action.SIGNIN_PASSWORD_FAILED,
        Action.SIGNIN_PASSWORD_FAILED,
        Action.ACCOUNT_LOCKED,
    ]

    # Now even the right password only gets the generic error, and no SMS code goes out.
    sms_before = Message.objects.count()
    response = enter_password(client, PASSWORD)
    assert response.status_code == 200
    assert "Nieprawidłowe dane logowania" in response.text
    assert Message.objects.count() == sms_before
    assert AuditEntry.objects.filter(
        action=Action.SIGNIN_PASSWORD_FAILED, details__locked=True
    ).exists()


def test_wrong_sms_codes_count_toward_lockout(client, client_user):
    identify(client, client_user.company.client_number, client_user.login)
    enter_password(client, PASSWORD)  # failures: 0
    enter_password_failures = 1
    client.post(reverse("accounts:signin_code"), {"code": "000000"})
    client_user.refresh_from_db()
    assert client_user.failed_signin_count == enter_password_failures
    # The device backs off after a failure: step past it by moving its clock back.
    from accounts.models import SmsDevice

    SmsDevice.objects.filter(user=client_user).update(throttling_failure_timestamp=None)
    client.post(reverse("accounts:signin_code"), {"code": "000001"})
    SmsDevice.objects.filter(user=client_user).update(throttling_failure_timestamp=None)
    response = client.post(reverse("accounts:signin_code"), {"code": "000002"})

    assert response.status_code == 403
    assert "Dostęp zablokowany" in response.text
    client_user.refresh_from_db()
    assert client_user.is_locked
    assert client_user.lock_reason == "sms_code"
    assert actions(client_user).count(Action.SIGNIN_CODE_FAILED) == 3
    assert "_auth_user_id" not in client.session


def test_a_throttled_code_attempt_does_not_count(client, client_user):
    identify(client, client_user.company.client_number, client_user.login)
    enter_password(client, PASSWORD)
    client.post(reverse("accounts:signin_code"), {"code": "000000"})
    response = client.post(reverse("accounts:signin_code"), {"code": last_code(client_user)})
    assert "Zbyt wiele prób" in response.text
    client_user.refresh_from_db()
    assert client_user.failed_signin_count == 1


def test_a_successful_sign_in_forgets_earlier_failures(client, client_user):
    identify(client, client_user.company.client_number, client_user.login)
    enter_password(client, "Q" * 15)
    enter_password(client, "Q" * 15)
    client.cookies.clear()
    sign_in(client, client_user)
    client_user.refresh_from_db()
    assert client_user.failed_signin_count == 0


def test_the_code_can_be_resent_after_the_cooldown_only(client, client_user, settings):
    from accounts.models import SmsDevice

    identify(client, client_user.company.client_number, client_user.login)
    enter_password(client, PASSWORD)
    first = last_code(client_user)

    response = client.post(reverse("accounts:signin_code_resend"), follow=True)
    assert "Nowy możesz zamówić za" in response.text
    assert Message.objects.filter(user=client_user, channel="sms").count() == 1

    device = SmsDevice.objects.get(user=client_user)
    device.last_generated_timestamp -= __import__("datetime").timedelta(seconds=61)
    device.save()
    response = client.post(reverse("accounts:signin_code_resend"), follow=True)
    assert "Wysłaliśmy kod SMS" in response.text
    second = last_code(client_user)
    # Only the newest code works.
    if first != second:
        assert "Nieprawidłowy" in client.post(reverse("accounts:signin_code"), {"code": first}).text
        device = SmsDevice.objects.get(user=client_user)
        device.throttling_failure_timestamp = None
        device.save()
    response = client.post(reverse("accounts:signin_code"), {"code": second})
    assert response.status_code == 302


def test_sms_codes_stop_at_the_daily_cap(client, client_user, settings):
    settings.SMS_DAILY_LIMIT_PER_USER = 2
    settings.SMS_CODE_RESEND_COOLDOWN = 0
    identify(client, client_user.company.client_number, client_user.login)
    enter_password(client, PASSWORD)  # 1st code
    client.post(reverse("accounts:signin_code_resend"))  # 2nd
    response = client.post(reverse("accounts:signin_code_resend"), follow=True)  # refused

    assert "dzienny limit" in response.text
    assert Message.objects.filter(user=client_user, channel="sms").count() == 2
    assert AuditEntry.objects.filter(
        action=Action.SIGNIN_CODE_REFUSED, details__reason="daily_limit"
    ).exists()


def test_steps_cannot_be_skipped(client, client_user):
    assert client.get(reverse("accounts:signin_password"))["Location"] == reverse("accounts:signin")
    assert client.get(reverse("accounts:signin_code"))["Location"] == reverse("accounts:signin")
    identify(client, client_user.company.client_number, client_user.login)
    assert client.get(reverse("accounts:signin_code"))["Location"] == reverse("accounts:signin")
    assert client.get(reverse("accounts:signin_new_password"))["Location"] == reverse(
        "accounts:signin"
    )


def test_an_abandoned_sign_in_times_out(client, client_user):
    identify(client, client_user.company.client_number, client_user.login)
    session = client.session
    session["ebok_signin"]["at"] -= 11 * 60
    session.save()
    response = client.get(reverse("accounts:signin_password"), follow=True)
    assert "Czas na zalogowanie minął" in response.text


def test_staff_cannot_use_the_client_sign_in(client, db):
    staff = StaffUserFactory(username="10000001.admin")
    CompanyFactory(client_number="10000001")
    _, _, wrong, _ = _walk(client, "10000001", "admin")
    assert "Nieprawidłowe dane logowania" in wrong.text
    assert AuditEntry.objects.filter(
        action=Action.SIGNIN_PASSWORD_FAILED, details__known=False
    ).exists()
    assert not staff.is_client


def test_invalid_identifier_formats_are_explained(client, db):
    response = client.post(reverse("accounts:signin"), {"client_number": "12ab", "login": ""})
    assert response.status_code == 200
    assert "Numer klienta to 8 cyfr." in response.text


def test_sign_out_is_a_post_and_is_audited(client, client_user):
    sign_in(client, client_user)
    assert client.get(reverse("accounts:signout")).status_code == 405
    response = client.post(reverse("accounts:signout"))
    assert response["Location"] == reverse("accounts:signin")
    assert "_auth_user_id" not in client.session
    assert actions(client_user)[-1] == Action.SIGNOUT


def test_each_sign_in_step_is_rate_limited_per_ip(client, client_user, settings):
    settings.SIGNIN_RATE_LIMIT = "4/m"
    for _ in range(2):
        identify(client, client_user.company.client_number, "nikt")
    client.post(reverse("accounts:signin_password"), {})
    client.post(reverse("accounts:signin_password"), {})

    response = identify(client, client_user.company.client_number, client_user.login)

    assert response.status_code == 429
    assert "Zbyt wiele prób logowania" in response.text
    assert client.post(reverse("accounts:signin_password"), {}).status_code == 429
    # Another address is not affected; the limited one is audited once, not per request.
    other = client.__class__(REMOTE_ADDR="10.0.0.9")
    assert identify(other, client_user.company.client_number, client_user.login).status_code == 302
    assert AuditEntry.objects.filter(action=Action.SIGNIN_RATE_LIMITED).count() == 1


def test_signed_in_client_skips_the_sign_in_page(client, client_user):
    sign_in(client, client_user)
    assert client.get(reverse("accounts:signin"))["Location"] == "/"


def test_unknown_and_real_users_cost_the_same_slow_hash(client, client_user, monkeypatch):
    from accounts import masked

    calls = []
    real_hash = masked.slow_hash
    monkeypatch.setattr(masked, "slow_hash", lambda *a: calls.append(1) or real_hash(*a))
    for login in (client_user.login, "nieznany"):
        client.cookies.clear()
        _walk(client, client_user.company.client_number, login)
        assert len(calls) == 1, login  # one scrypt per password check, whoever asks
        calls.clear()


def test_the_log_keeps_only_a_hint_of_an_unknown_login(client, company):
    identify(client, company.client_number, "Tajne#Haslo2026")  # a password in the login box
    entry = AuditEntry.objects.get(action=Action.SIGNIN_IDENTIFIED)
    assert "Tajne#Haslo2026" not in str(entry.details)
    assert entry.details == {
        "client_number": company.client_number,
        "login_hint": "Taj…",
        "known": False,
    }
