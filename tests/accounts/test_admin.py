"""Staff sign in to the back office with a password and a TOTP code; users and companies."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Company, User
from tests.admin_helpers import form_data
from tests.factories import CompanyFactory, StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "Haslo!2026x"  # StaffUserFactory's


def current_token(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def admin_login(client: Client, user: User, *, device=None, token: str = ""):
    return client.post(
        reverse("admin:login") + "?next=/admin/",
        {
            "username": user.username,
            "password": PASSWORD,
            "otp_device": device.persistent_id if device else "",
            "otp_token": token,
        },
    )


def test_a_password_alone_does_not_open_the_back_office(client, staff_user):
    response = admin_login(client, staff_user)

    assert response.status_code == 200  # the login form again, with an error
    assert response.context["form"].errors
    assert client.get(reverse("admin:index")).status_code == 302


def test_a_wrong_code_does_not_open_it(client, staff_user):
    device = TOTPDevice.objects.create(user=staff_user, name="app", confirmed=True)
    wrong = f"{(int(current_token(device)) + 1) % 10**6:06d}"

    response = admin_login(client, staff_user, device=device, token=wrong)

    assert response.status_code == 200
    assert client.get(reverse("admin:index")).status_code == 302


def test_password_and_current_code_open_it(client, staff_user):
    device = TOTPDevice.objects.create(user=staff_user, name="app", confirmed=True)

    response = admin_login(client, staff_user, device=device, token=current_token(device))

    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_staff_with_one_device_sign_in_in_one_post_without_choosing_it(client, staff_user):
    device = TOTPDevice.objects.create(user=staff_user, name="app", confirmed=True)

    response = admin_login(client, staff_user, token=current_token(device))

    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_wrong_code_without_a_chosen_device_does_not_open_it(client, staff_user):
    device = TOTPDevice.objects.create(user=staff_user, name="app", confirmed=True)
    wrong = f"{(int(current_token(device)) + 1) % 10**6:06d}"

    response = admin_login(client, staff_user, token=wrong)

    assert response.status_code == 200
    assert client.get(reverse("admin:index")).status_code == 302


def test_a_session_without_a_verified_device_is_not_enough(client, staff_user):
    TOTPDevice.objects.create(user=staff_user, name="app", confirmed=True)
    client.force_login(staff_user)

    assert client.get(reverse("admin:index")).status_code == 302


def test_client_users_never_get_in(client):
    user = UserFactory()
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)

    admin_login(client, user, device=device, token=current_token(device))

    assert client.get(reverse("admin:index")).status_code == 302


# --- staff_totp: enrolling staff from the shell ---------------------------------------------


def test_staff_totp_creates_a_confirmed_device_and_prints_how_to_enrol(capsys, staff_user):
    call_command("staff_totp", staff_user.username)

    out = capsys.readouterr().out
    device = TOTPDevice.objects.get(user=staff_user)
    assert device.confirmed
    assert device.config_url in out
    assert "█" in out  # the QR code
    assert device.verify_token(current_token(device))


def test_staff_totp_replaces_a_device_only_when_asked(capsys, staff_user):
    call_command("staff_totp", staff_user.username, "--no-qr")
    old = TOTPDevice.objects.get(user=staff_user)

    with pytest.raises(CommandError, match="--reset"):
        call_command("staff_totp", staff_user.username)
    call_command("staff_totp", staff_user.username, "--reset", "--no-qr")

    new = TOTPDevice.objects.get(user=staff_user)
    assert new.pk != old.pk
    assert new.key != old.key


def test_staff_totp_is_for_staff_only():
    with pytest.raises(CommandError, match="not staff"):
        call_command("staff_totp", UserFactory().username)
    with pytest.raises(CommandError, match="No user"):
        call_command("staff_totp", "nobody")


def test_show_code_prints_a_working_code_only_in_debug(capsys, settings, staff_user):
    call_command("staff_totp", staff_user.username, "--no-qr")
    capsys.readouterr()
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("staff_totp", staff_user.username, "--show-code")

    settings.DEBUG = True
    call_command("staff_totp", staff_user.username, "--show-code")

    code = capsys.readouterr().out.strip()
    assert TOTPDevice.objects.get(user=staff_user).verify_token(code)


# --- companies and users ---------------------------------------------------------------------


def test_staff_add_a_company_with_a_valid_nip_only(otp_admin_client):
    url = reverse("admin:accounts_company_add")
    data = {
        **form_data(otp_admin_client.get(url)),
        "client_number": "40000001",
        "name": "Nowa Firma Sp. z o.o.",
        "nip": "1234567890",
        "street": "ul. Długa 1",
        "postal_code": "00-001",
        "city": "Warszawa",
    }

    refused = otp_admin_client.post(url, data)
    accepted = otp_admin_client.post(url, {**data, "nip": "526-025-02-74"})

    assert refused.status_code == 200
    assert "nip" in refused.context["adminform"].form.errors
    assert accepted.status_code == 302
    assert Company.objects.get(client_number="40000001").nip == "5260250274"


def test_a_new_client_user_gets_a_username_from_client_number_and_login(otp_admin_client):
    company = CompanyFactory()

    response = otp_admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "company": company.pk,
            "login": "Ewa.Nowak",
            "username": "",
            "first_name": "Ewa",
            "last_name": "Nowak",
            "email": "ewa@example.pl",
            "phone": "",
            "usable_password": "false",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(login="Ewa.Nowak")
    assert user.username == f"{company.client_number}.ewa.nowak"
    assert user.company == company


def test_staff_cannot_belong_to_a_company(otp_admin_client):
    response = otp_admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "company": CompanyFactory().pk,
            "login": "szef",
            "username": "",
            "is_staff": "on",
            "usable_password": "false",
        },
    )

    assert response.status_code == 200
    assert "is_staff" in response.context["adminform"].form.errors
    assert not User.objects.filter(login="szef").exists()


def test_restricted_contracts_must_be_the_users_companys(otp_admin_client):
    from tests.factories import ContractFactory

    user = UserFactory()
    foreign = ContractFactory()
    url = reverse("admin:accounts_user_change", args=[user.pk])
    form = otp_admin_client.get(url).context["adminform"].form
    data = {
        key: value
        for key, value in form.initial.items()
        if value is not None and key not in ("password", "groups", "user_permissions")
    }
    data.update(
        company=user.company.pk,
        contracts_restricted="on",
        allowed_contracts=[foreign.pk],
    )

    response = otp_admin_client.post(url, data)

    assert response.status_code == 200
    assert "allowed_contracts" in response.context["adminform"].form.errors
    assert not user.allowed_contracts.exists()


def test_a_device_added_in_the_admin_shows_its_qr_code_once(otp_admin_client):
    new_staff = StaffUserFactory()
    url = reverse("admin:otp_totp_totpdevice_add")
    data = {**form_data(otp_admin_client.get(url)), "user": new_staff.pk, "name": "telefon"}
    data["confirmed"] = "on"

    page = otp_admin_client.post(url, data)

    device = TOTPDevice.objects.get(user=new_staff)
    assert page.status_code == 200
    assert escape(device.config_url) in page.text
    assert "<svg" in page.text
    detail = otp_admin_client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    assert device.key not in detail.text  # afterwards the key stays hidden


def test_totp_devices_are_for_staff_only(otp_admin_client):
    url = reverse("admin:otp_totp_totpdevice_add")
    data = {**form_data(otp_admin_client.get(url)), "user": UserFactory().pk, "name": "x"}

    page = otp_admin_client.post(url, data)

    assert page.status_code == 200
    assert "user" in page.context["adminform"].form.errors
    assert not TOTPDevice.objects.filter(name="x").exists()
