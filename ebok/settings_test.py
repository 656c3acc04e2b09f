"""Test settings: real PostgreSQL and Redis (DATABASE_URL / REDIS_URL, else localhost's ports)."""

from __future__ import annotations

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ebok")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("CACHE_KEY_PREFIX", f"ebok-test-{os.getpid()}")
# Parallel workers (pytest-xdist) inherit the controller's prefix: each gets its own, so one
# worker's cache clear does not wipe another's sessions mid-test.
_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker and not os.environ["CACHE_KEY_PREFIX"].endswith(f"-{_worker}"):
    os.environ["CACHE_KEY_PREFIX"] += f"-{_worker}"
os.environ["DEBUG"] = "false"
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-" + "x" * 40)
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SMS_BACKEND", "outbox")
os.environ.setdefault("MASKED_PASSWORD_PEPPER", "test-pepper-not-for-production-" + "y" * 32)

from ebok.settings import *  # noqa: E402, F403

# Ordinary tests run tasks in-process; the worker tests switch this off and start a real worker.
CELERY_TASK_ALWAYS_EAGER = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A cheap slow hash keeps the masked-password tests fast (production: 2**15).
MASKED_PASSWORD_SCRYPT_N = 2**10
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
ALLOWED_HOSTS = ["*"]
# Tests talk plain HTTP to the test client and live_server.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SESSION_COOKIE_NAME = "sessionid"
CSRF_COOKIE_NAME = "csrftoken"
SECURE_HSTS_SECONDS = 0
# Static files come from the app/project folders (no collectstatic before tests).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
