"""A new e-mail address replaces the old one only when the link sent to it is followed: single
use, time-limited, only its hash stored; resend and cancel on the profile; every step in the
audit log. The same for a company admin changing a user's address."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.audit import Action
from accounts.models import AuditEntry, EmailChange
from accounts.profile.email_change import EmailAction
from notifications.models import Message
from tests.admin_helpers import form_data
from tests.factories import CompanyFactory, StaffUserFactory

from ..company_helpers import actions, admin_client, make_admin, user_data
from ..conftest import make_client_user
from ..helpers import last_code

pytestmark = pytest.mark.django_db

CONTACT = reverse("accounts:profile_contact")
PROFILE = reverse("accounts:profile")
OLD = "anna@transbud.example.pl"
NEW = "anna.nowak@nowa.example.pl"
_LINK = re.compile(r"https?://\S+?(/email/potwierdz/[^/\s]+/)")


@pytest.fixture
def user():
    return make_client_user(
        company=CompanyFactory(),
        login="anna.nowak",
        first_name="Anna",
        last_name="Nowak",
        email=OLD,
        phone="+48600100200",
    )


def ask_for_new_email(user, address: str = NEW) -> Client:
    """The profile's contact form, confirmed with the SMS code to the current number."""
    client = admin_client(user)
    data = {"email": address, "phone": "600 100 200"}
    client.post(CONTACT, data)
    response = client.post(CONTACT, {**data, "stepup_code": last_code(user)})
    assert response.status_code == 302
    return client


def link_to(address: str) -> str:
    """The path of the latest confirmation link mailed to `address`."""
    body = Message.objects.filter(channel="email", recipient=address).latest("pk").body
    return _LINK.search(body).group(1)


def open_and_confirm(link: str, client: Client | None = None):
    """Follow the link as its reader does: open it, then press the button."""
    client = client or Client()
    opened = client.get(link)
    if opened.status_code != 302:
        return opened
    page = client.get(opened["Location"])
    assert "Potwierdzam nowy adres" in page.text
    return client.post(reverse("accounts:email_change_confirm"))


def email_of(user) -> str:
    user.refresh_from_db()
    return user.email


def test_a_new_email_takes_effect_only_when_the_link_sent_to_it_is_followed(user):
    client = ask_for_new_email(user)

    assert email_of(user) == OLD
    profile = client.get(PROFILE).text
    assert "oczekuje na potwierdzenie" in profile and NEW in profile
    assert "Wyślij link ponownie" in profile and "Anuluj zmianę" in profile
    link = link_to(NEW)
    assert Message.objects.get(recipient=NEW).sensitive  # the link is not kept once sent
    told = Message.objects.filter(recipient=OLD).get()
    assert "a***@nowa.example.pl" in told.body and "dopiero po potwierdzeniu" in told.body

    # Opening the link (or a mail scanner fetching it) changes nothing by itself.
    reader = Client()
    reader.get(link)
    assert email_of(user) == OLD

    done = open_and_confirm(link, reader)

    assert done.status_code == 200
    assert "Nowy adres e-mail jest potwierdzony" in done.text
    assert email_of(user) == NEW
    assert "oczekuje na potwierdzenie" not in client.get(PROFILE).text
    changed = Message.objects.filter(recipient=OLD).latest("pk")
    assert "został zmieniony na a***@nowa.example.pl" in changed.body
    assert actions(user=user, action__startswith="profile.") == [
        EmailAction.REQUESTED,
        Action.CONTACT_CHANGED,
    ]
    entry = AuditEntry.objects.get(action=Action.CONTACT_CHANGED)
    assert entry.details == {"changed": {"email": [OLD, NEW]}, "confirmed_by_link": True}


def test_only_a_hash_of_the_links_token_is_stored(user):
    ask_for_new_email(user)
    token = link_to(NEW).rstrip("/").rsplit("/", 1)[1]
    change = EmailChange.objects.get()
    assert change.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(EmailChange.objects.values().get())


def test_a_used_link_is_refused_the_second_time(user):
    ask_for_new_email(user)
    link = link_to(NEW)
    open_and_confirm(link)

    again = open_and_confirm(link)

    assert again.status_code == 400
    assert "Ten link został już użyty" in again.text
    assert email_of(user) == NEW


def test_an_expired_link_is_refused_and_changes_nothing(user, settings):
    client = ask_for_new_email(user)
    link = link_to(NEW)
    EmailChange.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    response = open_and_confirm(link)

    assert response.status_code == 400
    assert "Ten link wygasł" in response.text
    assert email_of(user) == OLD
    assert "Link wygasł – wyślij go ponownie." in client.get(PROFILE).text
    refused = AuditEntry.objects.get(action=EmailAction.LINK_REFUSED)
    assert refused.user == user and refused.details["reason"] == "expired"


def test_a_link_that_expires_between_opening_and_confirming_is_refused(user):
    ask_for_new_email(user)
    reader = Client()
    opened = reader.get(link_to(NEW))
    assert opened.status_code == 302
    EmailChange.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    response = reader.post(reverse("accounts:email_change_confirm"))

    assert response.status_code == 400 and "Ten link wygasł" in response.text
    assert email_of(user) == OLD


@pytest.mark.parametrize(
    "forge",
    [
        lambda link: link[:-10] + "/",  # cut short
        lambda link: link[:-2] + "x/",  # one character changed
        lambda link: "/email/potwierdz/" + "A" * 43 + "/",  # made up
    ],
)
def test_a_forged_link_is_refused_with_a_clear_message(user, forge):
    ask_for_new_email(user)

    response = open_and_confirm(forge(link_to(NEW)))

    assert response.status_code == 400
    assert "Ten link jest nieprawidłowy" in response.text
    assert email_of(user) == OLD


def test_posting_the_confirmation_without_opening_a_link_changes_nothing(user):
    ask_for_new_email(user)
    response = Client().post(reverse("accounts:email_change_confirm"))
    assert response.status_code == 400
    assert email_of(user) == OLD


def test_a_resent_link_replaces_the_older_one(user):
    client = ask_for_new_email(user)
    first = link_to(NEW)

    too_soon = client.post(reverse("accounts:profile_email_resend"), follow=True)
    assert "Spróbuj ponownie za minutę" in too_soon.text
    assert Message.objects.filter(recipient=NEW).count() == 1

    EmailChange.objects.update(created_at=timezone.now() - dt.timedelta(minutes=2))
    resent = client.post(reverse("accounts:profile_email_resend"), follow=True)
    assert "Wysłaliśmy nowy link" in resent.text
    second = link_to(NEW)
    assert second != first

    old_link = open_and_confirm(first)
    assert old_link.status_code == 400 and "wysłaliśmy nowszy" in old_link.text
    assert email_of(user) == OLD
    assert open_and_confirm(second).status_code == 200
    assert email_of(user) == NEW
    assert actions(user=user, action__startswith="profile.email") == [
        EmailAction.REQUESTED,
        EmailAction.RESENT,
        EmailAction.LINK_REFUSED,
    ]


def test_cancelling_keeps_the_old_address_and_voids_the_link(user):
    client = ask_for_new_email(user)
    link = link_to(NEW)

    cancelled = client.post(reverse("accounts:profile_email_cancel"), follow=True)

    assert "Anulowano zmianę adresu e-mail" in cancelled.text
    assert "oczekuje na potwierdzenie" not in cancelled.text
    response = open_and_confirm(link)
    assert response.status_code == 400 and "została anulowana" in response.text
    assert email_of(user) == OLD
    assert EmailAction.CANCELLED in actions(user=user)


def test_a_new_request_voids_the_link_of_the_previous_one(user):
    ask_for_new_email(user)
    first = link_to(NEW)
    ask_for_new_email(user, "anna@inny.example.pl")

    assert open_and_confirm(first).status_code == 400
    assert open_and_confirm(link_to("anna@inny.example.pl")).status_code == 200
    assert email_of(user) == "anna@inny.example.pl"
    assert EmailChange.objects.filter(status="pending").count() == 0


def test_a_blocked_user_cannot_confirm_a_new_address(user):
    ask_for_new_email(user)
    user.locked_at = timezone.now()
    user.save(update_fields=["locked_at"])

    response = open_and_confirm(link_to(NEW))

    assert response.status_code == 400 and "zablokowany" in response.text
    assert email_of(user) == OLD


def test_a_company_admin_changing_a_users_email_needs_the_new_address_confirmed(user):
    admin = make_admin(user.company, first_name="Ewa", last_name="Admin")
    url = reverse("accounts:company_user", args=[user.pk])

    saved = admin_client(admin).post(url, user_data(user, email=NEW), follow=True)

    assert "wysłaliśmy link potwierdzający" in saved.text
    assert email_of(user) == OLD
    told = Message.objects.filter(recipient=OLD).get()
    assert "administrator Twojej firmy poprosił" in told.body
    entry = AuditEntry.objects.get(action=EmailAction.REQUESTED)
    assert (entry.user, entry.object_id, entry.details["by_admin"]) == (admin, str(user.pk), True)
    assert not AuditEntry.objects.filter(action=Action.USER_UPDATED).exists()  # nothing else

    assert open_and_confirm(link_to(NEW)).status_code == 200
    assert email_of(user) == NEW


def test_a_phone_change_alone_still_applies_at_once(user):
    client = admin_client(user)
    data = {"email": OLD, "phone": "+48 602 300 400"}
    client.post(CONTACT, data)
    client.post(CONTACT, {**data, "stepup_code": last_code(user)})
    client.post(CONTACT, {**data, "new_phone_code": last_code(user)})
    user.refresh_from_db()
    assert str(user.phone) == "+48602300400"
    assert not EmailChange.objects.exists()


def test_staff_changing_a_client_users_email_in_the_back_office_need_it_confirmed_too(
    user, otp_admin_client
):
    url = reverse("admin:accounts_user_change", args=[user.pk])
    data = form_data(otp_admin_client.get(url))
    data["email"] = NEW

    saved = otp_admin_client.post(url, data, follow=True)

    assert saved.status_code == 200
    assert f"Na adres {NEW} wysłano link potwierdzający" in saved.text
    assert email_of(user) == OLD
    told = Message.objects.filter(recipient=OLD).get()
    assert "na prośbę złożoną w eBOK Leasing" in told.body
    assert "administrator Twojej firmy" not in told.body
    entry = AuditEntry.objects.get(action=EmailAction.REQUESTED)
    assert (entry.details["by_staff"], entry.details["by_admin"]) == (True, False)
    page = otp_admin_client.get(url).text
    assert f"{NEW}: czeka na potwierdzenie linkiem" in page

    assert open_and_confirm(link_to(NEW)).status_code == 200
    assert email_of(user) == NEW
    assert "czeka na potwierdzenie" not in otp_admin_client.get(url).text


def test_staff_users_own_addresses_change_at_once(otp_admin_client):
    staff = StaffUserFactory(email="jan.kowalski@ebok-leasing.example.pl")
    url = reverse("admin:accounts_user_change", args=[staff.pk])
    data = {**form_data(otp_admin_client.get(url)), "email": "j.kowalski@ebok-leasing.example.pl"}

    otp_admin_client.post(url, data)

    assert email_of(staff) == "j.kowalski@ebok-leasing.example.pl"
    assert not EmailChange.objects.exists()
