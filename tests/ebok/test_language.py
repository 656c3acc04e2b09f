from __future__ import annotations

from django.conf import settings
from django.urls import reverse


def test_it_opens_in_polish_on_an_english_browser(client, db):
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert response.headers["Content-Language"] == "pl"
    assert '<html lang="pl">' in response.content.decode()


def test_it_switches_to_english_and_stays_there(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    page = client.get(reverse("home"))

    assert page.headers["Content-Language"] == "en"
    assert '<html lang="en">' in page.content.decode()


def test_it_ignores_an_unknown_language_cookie(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"

    response = client.get(reverse("home"))

    assert response.headers["Content-Language"] == "pl"
