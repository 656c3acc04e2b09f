"""Public self-service pages (part of the `accounts` URL namespace: accounts/urls.py)."""

from __future__ import annotations

from django.urls import path

from . import views

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
]
