"""Public self-service pages (part of the `accounts` URL namespace: accounts/urls.py)."""

from __future__ import annotations

from django.urls import path

from . import registration_views, views

urlpatterns = [
    path("logowanie/nie-pamietam-hasla/", views.password_reset, name="password_reset"),
    path(
        "logowanie/nie-pamietam-hasla/wyslano/",
        views.password_reset_sent,
        name="password_reset_sent",
    ),
    path(
        "logowanie/reset/<str:uidb64>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path(
        "logowanie/reset/<str:uidb64>/kod-sms/",
        views.password_reset_code,
        name="password_reset_code",
    ),
    # After the fixed paths above: a token is any path segment.
    path(
        "logowanie/reset/<str:uidb64>/<str:token>/",
        views.password_reset_link,
        name="password_reset_link",
    ),
    path("dostep/wniosek/", views.access_application, name="access_application"),
    path(
        "dostep/wniosek/wyslany/",
        views.access_application_sent,
        name="access_application_sent",
    ),
    path("regulamin/", views.terms, name="terms"),
    path("informacja-o-danych/", registration_views.privacy_notice, name="privacy_notice"),
    path("rejestracja/", registration_views.registration, name="registration"),
    path(
        "rejestracja/wyslano/",
        registration_views.registration_sent,
        name="registration_sent",
    ),
    path(
        "rejestracja/aktywacja/",
        registration_views.registration_activate,
        name="registration_activate",
    ),
    path(
        "rejestracja/aktywacja/telefon/",
        registration_views.registration_phone,
        name="registration_phone",
    ),
    path(
        "rejestracja/aktywacja/telefon/wyslij-kod/",
        registration_views.registration_code,
        name="registration_code",
    ),
    # After the fixed paths above: a token is any path segment.
    path(
        "rejestracja/aktywacja/<str:token>/",
        registration_views.registration_link,
        name="registration_link",
    ),
]
