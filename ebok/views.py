from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ebok import dashboard


def _is_portal_user(user) -> bool:
    # ebok knows no accounts code: a client user is a signed-in user with a company.
    return bool(user.is_authenticated and user.company_id and user.company.is_active)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """`/`: the dashboard ("Widok 360") for a signed-in client user, the landing page otherwise."""
    if not _is_portal_user(request.user):
        return render(request, "home.html")
    return render(request, "ebok/dashboard.html", {"tiles": dashboard.tiles_for(request)})


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for the load balancer: the process answers and the database is reachable."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
