"""The language of a user's SMS and e-mails follows the language they switch the portal to."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation

from notifications.events import emit
from notifications.models import Message, NotificationSettings
from notifications.services import notify_message
from tests.factories import UserFactory
from tests.portal_helpers import signed_in, today

pytestmark = pytest.mark.django_db

SETLANG_URL = "/i18n/setlang/"


def invoice_issued(user) -> Message:
    context = {"number": "FV/7/2026", "amount": Decimal("1230.00"), "due_date": today()}
    messages = emit("invoice.issued", user=user, context=context, channels=["email"])
    return messages[0]


def test_switching_the_portal_to_english_makes_the_next_notification_english(company):
    user = UserFactory(company=company)
    client = signed_in(user)

    response = client.post(SETLANG_URL, {"language": "en", "next": "/wiadomosci/"})

    assert response.status_code == 302 and response["Location"] == "/wiadomosci/"
    assert NotificationSettings.objects.get(user=user).language == "en"
    assert invoice_issued(user).subject == "eBOK: new invoice FV/7/2026"
    code = notify_message("signin_code", channel="sms", recipient=user.phone, user=user)
    assert "kod logowania" not in code.body


def test_switching_back_to_polish_makes_them_polish_again(company):
    user = UserFactory(company=company)
    client = signed_in(user)
    client.post(SETLANG_URL, {"language": "en", "next": "/"})

    client.post(SETLANG_URL, {"language": "pl", "next": "/"})

    assert invoice_issued(user).subject == "eBOK: nowa faktura FV/7/2026"


def test_the_switch_keeps_the_users_other_notification_choices(company):
    user = UserFactory(company=company)
    NotificationSettings.objects.create(user=user, payment_due_days=3, language="pl")

    signed_in(user).post(SETLANG_URL, {"language": "en", "next": "/"})

    prefs = NotificationSettings.objects.get(user=user)
    assert (prefs.language, prefs.payment_due_days) == ("en", 3)


def test_a_user_who_never_chose_gets_the_portals_default_language(company, settings):
    user = UserFactory(company=company)
    assert settings.LANGUAGE_CODE == "pl"

    with translation.override("en"):  # e.g. an English-speaking colleague's action
        message = invoice_issued(user)

    assert message.subject == "eBOK: nowa faktura FV/7/2026"


def test_a_signed_out_switch_or_an_unknown_language_records_nothing(company):
    user = UserFactory(company=company)

    Client().post(SETLANG_URL, {"language": "en", "next": "/"})
    signed_in(user).post(SETLANG_URL, {"language": "xx", "next": "/"})
    signed_in(user).get(SETLANG_URL, {"language": "en", "next": "/"})

    assert not NotificationSettings.objects.filter(user=user).exists()


def test_the_preferences_page_shows_the_language_switched_to(company):
    user = UserFactory(company=company)
    client = signed_in(user)
    client.post(SETLANG_URL, {"language": "en", "next": "/"})

    page = client.get("/ustawienia/powiadomienia/").content.decode()

    assert '<option value="en" selected>' in page
