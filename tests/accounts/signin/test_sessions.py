"""Client sessions end after inactivity, after the absolute limit, and when blocked."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.audit import Action
from accounts.middleware import LAST_SEEN, SIGNED_IN_AT
from accounts.models import AuditEntry
from accounts.services import user_lock, user_unlock

from ..helpers import sign_in

pytestmark = pytest.mark.django_db

PAGE = "/konto/haslo/"  # any page that needs a signed-in client


def _shift_clocks(client, **seconds_ago):
    session = client.session
    for key, ago in seconds_ago.items():
        session[key] -= ago
    session.save()


@pytest.fixture
def signed_in(client, client_user):
    sign_in(client, client_user)
    assert client.get(PAGE).status_code == 200
    return client


def test_the_session_expires_after_the_idle_timeout(signed_in, client_user):
    _shift_clocks(signed_in, **{LAST_SEEN: 15 * 60 + 1})
    response = signed_in.get(PAGE)
    assert response["Location"] == reverse("accounts:session_expired") + "?powod=idle"
    page = signed_in.get(response["Location"])
    assert "Sesja wygasła" in page.text
    assert "braku aktywności" in page.text
    assert "_auth_user_id" not in signed_in.session
    entry = AuditEntry.objects.get(action=Action.SESSION_EXPIRED)
    assert entry.user == client_user and entry.details == {"reason": "idle"}


def test_activity_keeps_the_session_alive(signed_in):
    _shift_clocks(signed_in, **{LAST_SEEN: 14 * 60})
    assert signed_in.get(PAGE).status_code == 200
    _shift_clocks(signed_in, **{LAST_SEEN: 14 * 60})  # measured from the last request
    assert signed_in.get(PAGE).status_code == 200


def test_the_session_ends_after_the_absolute_timeout_despite_activity(signed_in):
    _shift_clocks(signed_in, **{SIGNED_IN_AT: 12 * 3600 + 1})
    response = signed_in.get(PAGE)
    assert response["Location"].endswith("?powod=absolute")
    assert "maksymalny czas" in signed_in.get(response["Location"]).text


def test_htmx_requests_are_redirected_by_header(signed_in):
    _shift_clocks(signed_in, **{LAST_SEEN: 16 * 60})
    response = signed_in.get(PAGE, headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith(reverse("accounts:session_expired"))


def test_locking_a_user_ends_their_sessions(signed_in, client_user, staff_user):
    user_lock(user=client_user, by=staff_user)
    response = signed_in.get(PAGE)
    assert response.status_code == 302
    assert "_auth_user_id" not in signed_in.session
    user_unlock(user=client_user, by=staff_user)
    assert signed_in.get(PAGE).status_code == 302  # still signed out: sign in again


def test_a_session_without_clocks_is_not_trusted(client, client_user):
    sign_in(client, client_user)
    session = client.session
    del session[SIGNED_IN_AT]
    session.save()
    assert client.get(PAGE)["Location"].endswith("?powod=absolute")


def test_force_login_starts_the_clocks_too(client, client_user):
    # Other apps' tests sign users in with force_login(); the sign-in signal starts the clocks.
    client.force_login(client_user)
    assert client.get(PAGE).status_code == 200
    assert client.session[SIGNED_IN_AT] <= timezone.now().timestamp()


def test_session_cookies_are_secure_in_production_settings():
    from django.conf import settings

    # settings_test runs with DEBUG off, like production, then relaxes only the cookie names
    # and Secure flags for plain-HTTP tests; the production module sets them:
    import ebok.settings as production

    assert production.SESSION_COOKIE_HTTPONLY
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_ABSOLUTE_TIMEOUT
    if not production.DEBUG:
        assert production.SESSION_COOKIE_SECURE and production.CSRF_COOKIE_SECURE
