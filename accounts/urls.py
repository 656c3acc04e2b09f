from __future__ import annotations

from django.urls import path

from . import company_views, profile_views, public_views, views

app_name = "accounts"

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
    # Self-service, public: password reset (link by e-mail + SMS code), access application.
    path("logowanie/nie-pamietam-hasla/", public_views.password_reset, name="password_reset"),
    path(
        "logowanie/nie-pamietam-hasla/wyslano/",
        public_views.password_reset_sent,
        name="password_reset_sent",
    ),
    path(
        "logowanie/reset/<str:uidb64>/",
        public_views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path(
        "logowanie/reset/<str:uidb64>/kod-sms/",
        public_views.password_reset_code,
        name="password_reset_code",
    ),
    # After the fixed paths above: a token is any path segment.
    path(
        "logowanie/reset/<str:uidb64>/<str:token>/",
        public_views.password_reset_link,
        name="password_reset_link",
    ),
    path("dostep/wniosek/", public_views.access_application, name="access_application"),
    path(
        "dostep/wniosek/wyslany/",
        public_views.access_application_sent,
        name="access_application_sent",
    ),
    path("regulamin/", public_views.terms, name="terms"),
    # The user's profile.
    path("profil/", profile_views.profile, name="profile"),
    path("profil/kontakt/", profile_views.profile_contact, name="profile_contact"),
    path("profil/zgody/", profile_views.profile_consent, name="profile_consent"),
    path("profil/email/ponownie/", profile_views.profile_email_resend, name="profile_email_resend"),
    path("profil/email/anuluj/", profile_views.profile_email_cancel, name="profile_email_cancel"),
    # The link sent to a new e-mail address (public: it may be opened on another device).
    path("email/potwierdz/", profile_views.email_change_confirm, name="email_change_confirm"),
    path("email/potwierdz/<str:token>/", profile_views.email_change_link, name="email_change_link"),
    # Company administration (company admins only).
    path("firma/uzytkownicy/", company_views.user_list, name="company_users"),
    path("firma/uzytkownicy/nowy/", company_views.user_add, name="company_user_add"),
    path("firma/uzytkownicy/<int:pk>/", company_views.user_detail, name="company_user"),
    path("firma/uzytkownicy/<int:pk>/blokada/", company_views.user_lock, name="company_user_lock"),
    path(
        "firma/uzytkownicy/<int:pk>/odblokowanie/",
        company_views.user_unlock,
        name="company_user_unlock",
    ),
    path(
        "firma/uzytkownicy/<int:pk>/haslo-jednorazowe/",
        company_views.user_reinvite,
        name="company_user_reinvite",
    ),
    path(
        "firma/uzytkownicy/<int:pk>/dezaktywacja/",
        company_views.user_deactivate,
        name="company_user_deactivate",
    ),
    path("firma/dziennik/", company_views.audit_list, name="company_audit"),
    path("firma/dziennik/eksport.xlsx", company_views.audit_xlsx, name="company_audit_xlsx"),
]
