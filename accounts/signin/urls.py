"""Sign-in pages (part of the `accounts` URL namespace: accounts/urls.py lists this)."""

from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("logowanie/", views.signin, name="signin"),
    path("logowanie/haslo/", views.signin_password, name="signin_password"),
    path("logowanie/kod-sms/", views.signin_code, name="signin_code"),
    path("logowanie/kod-sms/ponownie/", views.signin_code_resend, name="signin_code_resend"),
    path("logowanie/nowe-haslo/", views.signin_new_password, name="signin_new_password"),
    path("wyloguj/", views.signout, name="signout"),
    path("sesja-wygasla/", views.session_expired, name="session_expired"),
    path("konto/haslo/", views.password_change, name="password_change"),
    path("konto/haslo/kod-sms/", views.password_change_code, name="password_change_code"),
]
