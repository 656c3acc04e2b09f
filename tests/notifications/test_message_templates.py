"""Message texts are templates (templates/notifications/<name>/): rendered in one language, plain
text as typed, HTML escaped, and the same words as before they left the services' code."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.template import TemplateDoesNotExist

from notifications.events import get_event
from notifications.models import Message
from notifications.render import render_event, render_message
from notifications.services import gsm_text, notify_message

FOLDER = Path(settings.BASE_DIR) / "templates" / "notifications"
MESSAGES = sorted(p.name for p in FOLDER.iterdir() if p.is_dir())
# What the messages' callers give them (an event's template gets its event's context).
SAMPLE = {
    "url": "https://ebok.example.pl/x/",
    "login": "jan",
    "name": "Jan Kowalski",
    "number": "FV/2026/12/000001",
    "amount": Decimal("1234.50"),
    "due_date": dt.date(2026, 12, 21),
    "days": 7,
    "policy": "PZU/00000001",
    "insurer": "PZU S.A.",
    "contract": "UL/2026/00001",
    "valid_to": dt.date(2026, 12, 31),
}


def test_every_message_has_a_text_and_every_e_mail_a_subject_and_html():
    assert len(MESSAGES) >= 15
    for name in MESSAGES:
        files = {p.name for p in (FOLDER / name).iterdir()}
        assert "body.txt" in files, name
        assert ("subject.txt" in files) == ("body.html" in files), name


@pytest.mark.parametrize("name", MESSAGES)
@pytest.mark.parametrize("language", ["pl", "en"])
def test_every_message_renders(name, language):
    subject, text, html = render_message(name, SAMPLE, language=language)
    assert text and "{{" not in text and "{%" not in text
    assert "\n" not in subject
    assert bool(html) == bool(subject)


def test_an_e_mail_keeps_its_text_word_for_word():
    subject, text, html = render_message(
        "first_signin_access", {"client_number": "12345678", "login": "jan.kowalski"}
    )
    assert subject == "Dostęp do eBOK"
    assert text == (
        "Dzień dobry,\n\nzałożyliśmy Ci dostęp do eBOK.\n\n"
        "Numer klienta: 12345678\nLogin: jan.kowalski\n\n"
        "Hasło jednorazowe do pierwszego logowania wysłaliśmy SMS-em na numer "
        "telefonu podany we wniosku. Po zalogowaniu ustawisz własne hasło.\n"
    )
    assert "<p>założyliśmy Ci dostęp do eBOK.</p>" in html
    assert "Numer klienta: 12345678<br>" in html


def test_an_sms_is_one_line_with_its_code_placeholder():
    _subject, text, _html = render_message("signin_code", {"minutes": 5})
    assert text == (
        "eBOK: kod logowania {code}. Wazny 5 min. Nie podawaj go nikomu - nigdy o niego nie "
        "prosimy."
    )


def test_values_stay_as_typed_in_the_text_and_are_escaped_in_html():
    _subject, text, html = render_message(
        "access_application_rejected", {"number": 7, "reason": 'Umowa <b>"A&B"</b>'}
    )
    assert 'Powód: Umowa <b>"A&B"</b>\n' in text
    assert "Powód: Umowa &lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt;" in html


def test_the_language_is_chosen_per_message():
    polish = render_event("account_unlocked", language="pl")[3]
    english = render_event("account_unlocked", language="en")[3]
    assert polish == "eBOK: dostep do Twojego konta zostal odblokowany."
    assert english != polish


def test_a_message_without_a_text_is_a_mistake_not_an_empty_sms():
    with pytest.raises(TemplateDoesNotExist):
        render_message("no_such_message")


@pytest.mark.django_db
def test_a_sensitive_e_mail_goes_without_an_html_copy_of_its_secret():
    context = {"url": "https://ebok.example.pl/reset/abc/", "login": "jan", "valid_to": "jutro"}
    plain = notify_message(
        "password_reset_link", channel=Message.Channel.EMAIL, recipient="a@b.pl", context=context
    )
    secret = notify_message(
        "password_reset_link",
        channel=Message.Channel.EMAIL,
        recipient="a@b.pl",
        context=context,
        sensitive=True,
    )
    assert "https://ebok.example.pl/reset/abc/" in plain.html_body
    assert secret.html_body == "" and "https://ebok.example.pl/reset/abc/" in secret.body


OWN_EVENTS = (
    "invoice.issued",
    "invoice.payment_due",
    "invoice.overdue",
    "contract.policy_expiring",
    "account.locked",
    "account.unlocked",
    "account.password_changed",
    "account.phone_changed",
    "account.user_added",
)


@pytest.mark.parametrize("code", OWN_EVENTS)
@pytest.mark.parametrize("language", ["pl", "en"])
def test_an_events_sms_fits_one_gsm_7_part(code, language):
    for by_admin in (False, True):
        context = {**SAMPLE, "by_admin": by_admin}
        sms = gsm_text(render_event(get_event(code).template_name, context, language=language)[3])
        assert len(sms) <= 160 and sms.isascii(), sms
