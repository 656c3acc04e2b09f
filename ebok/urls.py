from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from accounts.admin_site import EbokAdminSite
from ebok import views

# Staff sign in to the back office with a password and a TOTP code.
admin.site.__class__ = EbokAdminSite

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("eksporty/", include("ebok.urls_exports")),
    path("", include("contracts.urls")),
    path("", include("invoices.urls")),
    path("", include("accounts.urls")),
    path("", include("notifications.urls")),
]
