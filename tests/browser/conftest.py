"""Browser-test fixtures of the client portal (Chromium and its options: tests/conftest.py)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client


@pytest.fixture
def signed_in_page(live_server, browser, browser_context_args):
    """`signed_in_page(user, path="/", **context_options)` -> a Playwright page signed in as `user`.

    The session is made with `force_login` and handed to the browser as its session cookie
    (the sign-in flow has its own browser tests); `login()` starts the session clocks that the
    session middleware checks, as the real sign-in does. Console errors and page errors (CSP
    violations among them) are collected in `page.console_errors`.
    """
    contexts = []

    def open_page(user, *, path: str = "/", **context_options):
        client = Client()
        client.force_login(user)
        context = browser.new_context(**{**browser_context_args, **context_options})
        contexts.append(context)
        name = settings.SESSION_COOKIE_NAME
        context.add_cookies(
            [{"name": name, "value": client.cookies[name].value, "url": live_server.url}]
        )
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.console_errors = errors
        page.goto(live_server.url + path)
        return page

    yield open_page
    for context in contexts:
        context.close()


def staff_page(live_server, browser, browser_context_args, staff_user):
    """The back office signed in with password + TOTP, as the admin requires."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    device = TOTPDevice.objects.create(user=staff_user, name="browser", confirmed=True)
    client.force_login(staff_user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    context = browser.new_context(**browser_context_args)
    name = settings.SESSION_COOKIE_NAME
    context.add_cookies([{"name": name, "value": session.session_key, "url": live_server.url}])
    return context.new_page()
