"""Redis down and server errors, as a user and an orchestrator see them: a branded page in the
user's language with the right status (503 for an outage, never a 500), and health probes that
tell the truth.

The outage is real: the cache points at a closed port on loopback (connection refused) or at a
socket that never answers, not a mock.
"""

from __future__ import annotations

import socket
import time

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEntry
from tests.accounts.conftest import make_client_user
from tests.accounts.helpers import identify

pytestmark = pytest.mark.django_db

CLOSED_PORT = "redis://127.0.0.1:1/0"
POLISH_503 = "Usługa chwilowo niedostępna, spróbuj ponownie za chwilę."
ENGLISH_503 = "The service is temporarily unavailable, please try again shortly."


def _redis_cache_at(location: str) -> dict:
    # The production cache configuration (its timeouts included), pointed elsewhere.
    return {"default": {**django_settings.CACHES["default"], "LOCATION": location}}


@pytest.fixture
def redis_down(settings):
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    settings.CACHES = _redis_cache_at(CLOSED_PORT)


@pytest.fixture
def client_user(db):
    return make_client_user(login="anna.nowak")


# --- Redis down: the user's side -------------------------------------------------------------


def test_sign_in_answers_503_in_polish_when_redis_is_down(client, client_user, redis_down):
    page = client.get(reverse("accounts:signin"))
    assert page.status_code == 200  # the form itself needs no cache

    response = identify(client, client_user.company.client_number, client_user.login)

    assert response.status_code == 503
    assert POLISH_503 in response.text
    assert '<html lang="pl">' in response.text
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    # Refused before anything happened: nothing audited, no sign-in step taken.
    assert not AuditEntry.objects.exists()


def test_sign_in_answers_503_in_english_when_the_user_chose_english(
    client, client_user, redis_down
):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"

    response = identify(client, client_user.company.client_number, client_user.login)

    assert response.status_code == 503
    assert ENGLISH_503 in response.text
    assert '<html lang="en">' in response.text


def test_public_forms_answer_503_when_redis_is_down(client, redis_down):
    reset = client.post(reverse("accounts:password_reset"), {"client_number": "12345678"})
    application = client.post(reverse("accounts:access_application"), {})

    assert reset.status_code == 503
    assert application.status_code == 503
    assert POLISH_503 in reset.text


def test_a_redis_that_never_answers_fails_the_request_within_seconds(client, settings):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # the kernel accepts the connection; nobody ever answers
    settings.CACHES = _redis_cache_at(f"redis://127.0.0.1:{silent.getsockname()[1]}/0")
    try:
        started = time.monotonic()
        response = identify(client, "12345678", "anna.nowak")
        elapsed = time.monotonic() - started
    finally:
        silent.close()

    assert response.status_code == 503
    assert elapsed < 10


class CacheFirstMiddleware:
    """Stands for any middleware that reads the cache before the view runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        cache.get("throttle")
        return self.get_response(request)


def test_an_outage_outside_a_view_is_a_503_too(settings, redis_down):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.CacheFirstMiddleware"]

    response = Client(raise_request_exception=False).get(reverse("accounts:signin"))

    assert response.status_code == 503
    assert POLISH_503 in response.text


# --- Health probes ----------------------------------------------------------------------------


def test_liveness_answers_without_touching_the_database_or_redis(
    client, redis_down, django_assert_num_queries
):
    with django_assert_num_queries(0):
        for path in ("/healthz", "/health/live"):
            response = client.get(path)
            assert response.status_code == 200
            assert response.json() == {"status": "ok"}
            assert "no-store" in response["Cache-Control"]


def test_readiness_is_200_when_postgresql_and_redis_answer(client):
    response = client.get("/health/ready")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "broker": "ok"},
    }


def test_readiness_is_503_naming_redis_when_the_cache_is_down(client, redis_down):
    response = client.get("/health/ready")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "cache": "down (redis)", "broker": "ok"},
    }


def test_readiness_is_503_naming_the_broker_when_it_is_down(client, settings):
    settings.CELERY_BROKER_URL = CLOSED_PORT

    response = client.get("/health/ready")

    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "cache": "ok", "broker": "down (redis)"}


# --- Branded error pages ----------------------------------------------------------------------


@pytest.fixture
def failing_urls(settings):
    settings.ROOT_URLCONF = "tests.ebok.urls_failing"


def test_a_server_error_shows_the_branded_page_in_polish(failing_urls):
    response = Client(raise_request_exception=False).get("/test-explode/")

    assert response.status_code == 500
    text = response.text
    assert '<html lang="pl">' in text
    assert "Wystąpił błąd serwera" in text
    assert 'class="ebok-brand"' in text and "css/ebok.css" in text
    assert "Server Error" not in text


def test_a_server_error_shows_the_branded_page_in_english(failing_urls):
    browser = Client(raise_request_exception=False)
    browser.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"

    response = browser.get("/test-explode/")

    assert response.status_code == 500
    assert '<html lang="en">' in response.text
    assert "A server error occurred" in response.text
    assert "Wystąpił" not in response.text


def test_a_view_that_needs_redis_while_it_is_down_shows_the_503_page(failing_urls, redis_down):
    response = Client(raise_request_exception=False).get("/test-needs-the-cache/")

    assert response.status_code == 503
    assert POLISH_503 in response.text


def test_a_foreign_host_gets_the_branded_400_page(client, settings):
    settings.ALLOWED_HOSTS = ["ebok.example.pl"]

    response = client.get("/", HTTP_HOST="attacker.example")

    assert response.status_code == 400
    assert "Nieprawidłowe żądanie" in response.text
    assert 'class="ebok-brand"' in response.text


def test_a_form_without_its_csrf_token_gets_the_branded_403_page():
    response = Client(enforce_csrf_checks=True).post(
        reverse("accounts:signin"), {"client_number": "12345678", "login": "x"}
    )

    assert response.status_code == 403
    assert "Formularz wygasł" in response.text
    assert "CSRF verification failed" not in response.text


def test_an_unknown_page_gets_the_branded_404_page(client):
    response = client.get("/nie-ma-takiej-strony/")

    assert response.status_code == 404
    assert "Nie znaleziono strony" in response.text
    assert 'class="ebok-brand"' in response.text
