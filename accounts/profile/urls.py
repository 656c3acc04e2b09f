"""Profile pages (part of the `accounts` URL namespace: accounts/urls.py lists this)."""

from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("profil/", views.profile, name="profile"),
    path("profil/kontakt/", views.profile_contact, name="profile_contact"),
    path("profil/zgody/", views.profile_consent, name="profile_consent"),
    path("profil/email/ponownie/", views.profile_email_resend, name="profile_email_resend"),
    path("profil/email/anuluj/", views.profile_email_cancel, name="profile_email_cancel"),
    # The link sent to a new e-mail address (public: it may be opened on another device).
    path("email/potwierdz/", views.email_change_confirm, name="email_change_confirm"),
    path("email/potwierdz/<str:token>/", views.email_change_link, name="email_change_link"),
]
