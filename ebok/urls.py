from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from accounts.admin_site import EbokAdminSite
from ebok import views
from ebok.health import PROBES
from notifications import views as notification_views

# Staff sign in to the back office with a password and a TOTP code.
admin.site.__class__ = EbokAdminSite

# Branded, self-contained 500 page in the user's language; an outage (Redis down) is a 503.
handler500 = "ebok.errors.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    *(path(route, view, name=name) for route, (name, view) in PROBES.items()),
    # Django's language switch, wrapped: the user's notifications follow the language chosen.
    path("i18n/setlang/", notification_views.set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/core/v1/", include("feed.urls")),
    path("eksporty/", include("ebok.urls_exports")),
    path("", include("contracts.urls")),
    path("", include("invoices.urls")),
    path("", include("invoices.online.urls")),
    path("", include("accounts.urls")),
    path("", include("notifications.urls")),
    path("", include("requests_app.urls")),
    path("dokumenty/", include("documents.urls")),
    path("flota/", include("contracts.fleet.urls")),
]
