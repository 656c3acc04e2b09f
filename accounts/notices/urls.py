"""Notification pages (part of the `accounts` URL namespace: accounts/urls.py lists this)."""

from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("wiadomosci/", views.inbox, name="inbox"),
    path("wiadomosci/<int:pk>/", views.inbox_detail, name="inbox_message"),
    path("wiadomosci/przeczytane/", views.inbox_read_all, name="inbox_read_all"),
    path("ustawienia/powiadomienia/", views.preferences, name="notification_settings"),
]
