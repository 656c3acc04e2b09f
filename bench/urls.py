"""The project's URLs plus the reference views the page timings are compared with."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from accounts.permissions import client_required
from ebok.urls import urlpatterns as project_urlpatterns

_EMPTY_PAGE = engines["django"].from_string(
    '{% extends "base.html" %}{% block content %}{% endblock %}'
)


@client_required()
def minimal(request: HttpRequest) -> HttpResponse:
    """A signed-in page with the portal layout and nothing in it: the reference of the ratios."""
    return HttpResponse(_EMPTY_PAGE.render({}, request))


@client_required()
def bare(request: HttpRequest) -> HttpResponse:
    """Signed in, no template at all: the floor of the middleware and session cost."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/minimal/", minimal, name="bench_minimal"),
    path("bench/bare/", bare, name="bench_bare"),
    *project_urlpatterns,
]
