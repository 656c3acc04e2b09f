"""Message texts are templates (templates/notifications/<name>/): rendered in one language, plain
text as typed, HTML escaped, and the same words as before they left the services' code."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.template import TemplateDoesNotExist

from notifications.models import Message
from notifications.render import render_message
from notifications.services import notify_message

FOLDER = Path(settings.BASE_DIR) / "templates" / "notifications"
MESSAGES = sorted(p.name for p in FOLDER.iterdir() if p.is_dir())


def test_every_message_has_a_text_and_every_e_mail_a_subject_and_html():
    assert len(MESSAGES) >= 15
    for name in MESSAGES:
        files = {p.name for p in (FOLDER / name).iterdir()}
        assert "body.txt" in files, name
        assert ("subject.txt" in files) == ("body.html" in files), name


@pytest.mark.parametrize("name", MESSAGES)
@pytest.mark.parametrize("language", ["pl", "en"])
def test_every_message_renders(name, language):
    subject, text, html = render_message(
        name, {"url": "https://ebok.example.pl/x/", "login": "jan"}, language=language
    )
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
    polish = render_message("account_unlocked", language="pl")[1]
    english = render_message("account_unlocked", language="en")[1]
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
