"""Per-IP limits on the forms anyone may post: the sign-in steps and the self-service pages.

The counters live in the cache shared by all web processes (django-ratelimit).
"""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited

from .audit import audit_log, client_ip


def over_limit(request: HttpRequest, *, group: str, rate: str, action: str) -> bool:
    """Count this POST against the IP's limit; True (and one audit line a minute, not one per
    hammered request) when over."""
    if request.method != "POST":
        return False
    if not is_ratelimited(request, group=group, key="ip", rate=rate, method="POST", increment=True):
        return False
    if cache.add(f"{group}-rl-audited:{client_ip(request)}", 1, 60):
        audit_log(request=request, action=action)
    return True
