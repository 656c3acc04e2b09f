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
