"""The orchestrator's probes, answered before anything looks at the Host header or the scheme.

The container's health check and a load balancer call `http://127.0.0.1:8000/health/live`
over plain HTTP with whatever Host they like. Behind `SecurityMiddleware` that is a 301 to
HTTPS, behind `CommonMiddleware` a 400 (host not in ALLOWED_HOSTS), so this middleware comes
first in MIDDLEWARE and answers the probe paths itself. The probes reveal nothing and change
nothing, so skipping host validation for them is safe.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from ebok import views

# Path (without the leading slash, as in urls.py) -> (URL name, view). ebok/urls.py routes the
# same paths, so `reverse()` knows them and they answer even without this middleware.
PROBES: dict[str, tuple[str, Callable[[HttpRequest], HttpResponse]]] = {
    "healthz": ("healthz", views.liveness),
    "health/live": ("health_live", views.liveness),
    "health/ready": ("health_ready", views.readiness),
}
_BY_PATH = {f"/{path}": view for path, (_name, view) in PROBES.items()}


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        view = _BY_PATH.get(request.path_info)
        if view is not None:
            return view(request)
        return self.get_response(request)
