"""The portal's URLs plus views that fail, for the error page tests."""

from __future__ import annotations

from django.core.cache import cache
from django.urls import path

from ebok.urls import handler500
from ebok.urls import urlpatterns as portal_urlpatterns


def explode(request):
    raise RuntimeError("a bug in a view")


def needs_the_cache(request):
    cache.get("anything")
    raise AssertionError("the cache answered although it should be down")


urlpatterns = [
    path("test-explode/", explode),
    path("test-needs-the-cache/", needs_the_cache),
    *portal_urlpatterns,
]

__all__ = ["handler500", "urlpatterns"]
