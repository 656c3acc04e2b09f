from __future__ import annotations

import os

import pytest
from django.core.cache import cache

# Playwright's sync API runs an event loop in the test thread; Django then refuses ORM calls
# from that thread unless told it is safe (it is: one thread, no concurrency).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _clear_test_cache() -> None:
    # Only this run's keys: Redis' FLUSHDB would also empty the Celery broker's queues.
    backend = cache._cache if hasattr(cache, "_cache") else None
    prefix = getattr(cache, "key_prefix", "")
    if backend is not None and hasattr(backend, "get_client") and prefix:
        client = backend.get_client(None, write=True)
        keys = list(client.scan_iter(f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate limits and throttles live in Redis; each test starts with none."""
    _clear_test_cache()
    yield
    _clear_test_cache()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def company(db):
    from tests.factories import CompanyFactory

    return CompanyFactory()


@pytest.fixture
def other_company(db):
    from tests.factories import CompanyFactory

    return CompanyFactory()


@pytest.fixture
def staff_user(db):
    from tests.factories import StaffUserFactory

    return StaffUserFactory()


@pytest.fixture
def otp_admin_client(staff_user):
    """A staff member signed in to the admin with password + a verified TOTP device
    (its own browser: the `client` fixture stays free for a client user)."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    device = TOTPDevice.objects.create(user=staff_user, name="test", confirmed=True)
    client.force_login(staff_user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


# Browser tests (pytest-playwright): the system Chromium, never a downloaded one.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "pl-PL", "timezone_id": "Europe/Warsaw"}
