"""Company administration pages (part of the `accounts` URL namespace: accounts/urls.py)."""

from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("firma/uzytkownicy/", views.user_list, name="company_users"),
    path("firma/uzytkownicy/nowy/", views.user_add, name="company_user_add"),
    path("firma/uzytkownicy/<int:pk>/", views.user_detail, name="company_user"),
    path("firma/uzytkownicy/<int:pk>/blokada/", views.user_lock, name="company_user_lock"),
    path(
        "firma/uzytkownicy/<int:pk>/odblokowanie/",
        views.user_unlock,
        name="company_user_unlock",
    ),
    path(
        "firma/uzytkownicy/<int:pk>/haslo-jednorazowe/",
        views.user_reinvite,
        name="company_user_reinvite",
    ),
    path(
        "firma/uzytkownicy/<int:pk>/dezaktywacja/",
        views.user_deactivate,
        name="company_user_deactivate",
    ),
    path(
        "firma/uzytkownicy/<int:pk>/powiadomienia/",
        views.user_notifications,
        name="company_user_notifications",
    ),
    path("firma/dziennik/", views.audit_list, name="company_audit"),
    path("firma/dziennik/eksport.xlsx", views.audit_xlsx, name="company_audit_xlsx"),
]
