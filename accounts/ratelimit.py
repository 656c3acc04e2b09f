"""Per-IP limits on the forms anyone may post: the sign-in steps and the self-service pages.

The counters live in the cache shared by all web processes (django-ratelimit). Without them
the limit cannot be enforced, so the limiter fails closed: when the cache cannot be reached the
POST is refused with the "service temporarily unavailable" page (503), never let through
uncounted and never answered with a 500.
"""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited

from ebok.errors import ServiceUnavailable

from .audit import audit_context, audit_log, client_ip


def over_limit(
    request: HttpRequest,
    *,
    group: str,
    rate: str,
    action: str,
    key: str | None = None,
    details: dict | None = None,
) -> bool:
    """Count this POST against the IP's limit (or, with `key`, against that value's: a client
    number, say); True (and one audit line a minute, not one per hammered request) when over."""
    if request.method != "POST":
        return False
    counted = key if key is not None else client_ip(request)
    try:
        limited = is_ratelimited(
            request,
            group=group,
            key="ip" if key is None else (lambda _group, _request: key),
            rate=rate,
            method="POST",
            increment=True,
        )
        first_this_minute = limited and cache.add(f"{group}-rl-audited:{counted}", 1, 60)
    except Exception as exc:
        # Whatever the cache backend raises (connection refused, timeout, a full Redis), the
        # count is unknown: refuse (ebok.errors.OutageMiddleware answers 503).
        raise ServiceUnavailable(f"rate limit {group}: {type(exc).__name__}: {exc}") from exc
    if first_this_minute:
        audit_log(audit=audit_context(request), action=action, details=details)
    return limited
