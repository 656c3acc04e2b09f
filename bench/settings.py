"""Benchmark settings: the test settings (PostgreSQL, Redis, eager tasks), a database of its own."""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit


def _bench_database_url() -> str:
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"]
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ebok")
    return urlunsplit(urlsplit(base)._replace(path="/ebok_bench"))


os.environ["DATABASE_URL"] = _bench_database_url()

from ebok.settings_test import *  # noqa: E402, F403

ROOT_URLCONF = "bench.urls"
MEDIA_ROOT = BASE_DIR / "var" / "bench-media"  # noqa: F405
# Persistent connections, as in production (the test settings keep them too).
DATABASES["default"]["CONN_MAX_AGE"] = 600  # noqa: F405
