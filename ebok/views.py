from __future__ import annotations

import logging
from collections.abc import Callable

import redis
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from ebok import dashboard

logger = logging.getLogger(__name__)


def _is_portal_user(user) -> bool:
    # ebok knows no accounts code: a client user is a signed-in user with a company.
    return bool(user.is_authenticated and user.company_id and user.company.is_active)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """`/`: the dashboard ("Widok 360") for a signed-in client user, the landing page otherwise."""
    if not _is_portal_user(request.user):
        return render(request, "home.html")
    return render(request, "ebok/dashboard.html", {"tiles": dashboard.tiles_for(request)})


# The orchestrator's probes. `ebok.health.HealthCheckMiddleware` answers them before any other
# middleware, so a probe over plain HTTP to 127.0.0.1 gets its answer in production too (no
# host validation, no redirect to HTTPS).


@never_cache
@require_safe
def liveness(request: HttpRequest) -> JsonResponse:
    """`/healthz`, `/health/live`: the process is up and answering. No I/O: a database or Redis
    outage must not get healthy web processes restarted."""
    return JsonResponse({"status": "ok"})


def _database_ping() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache_ping() -> None:
    # A read of a key that never exists: a real round trip to Redis through the cache's own
    # connection pool (and its timeouts), as a request would make it.
    caches["default"].get("ebok:health:ready")


def _broker_ping() -> None:
    client = redis.Redis.from_url(
        settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=1
    )
    try:
        client.ping()
    finally:
        client.close()


def _readiness_checks() -> list[tuple[str, str, Callable[[], None]]]:
    """(name, backend, ping) of what this process needs; a process-local cache and the
    in-memory broker of the embedded default have nothing to reach."""
    checks = [("database", connection.vendor, _database_ping)]
    if isinstance(caches["default"], RedisCache):
        checks.append(("cache", "redis", _cache_ping))
    if settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        checks.append(("broker", "redis", _broker_ping))
    return checks


@never_cache
@require_safe
def readiness(request: HttpRequest) -> JsonResponse:
    """`/health/ready`: may this process take traffic? 200 when the database answers `SELECT 1`
    and Redis (cache and broker) answers; else 503 naming what is down, e.g.
    `{"status": "unavailable", "checks": {"database": "ok", "cache": "down (redis)", ...}}`."""
    results: dict[str, str] = {}
    for name, backend, ping in _readiness_checks():
        try:
            ping()
        except Exception as exc:
            logger.warning(
                "Readiness: %s (%s) is down: %s: %s", name, backend, type(exc).__name__, exc
            )
            results[name] = f"down ({backend})"
        else:
            results[name] = "ok"
    ready = all(value == "ok" for value in results.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": results},
        status=200 if ready else 503,
    )
