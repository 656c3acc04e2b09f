from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Konta i firmy")

    def ready(self) -> None:
        from ebok import datacache, navigation
        from notifications.selectors import unread_count

        # The e-mail change (profile) registers its audit action labels.
        from . import checks, signals  # noqa: F401
        from .company import exports
        from .models import Company
        from .permissions import Perm, has_perm
        from .profile import email_change  # noqa: F401
        from .public import registration  # noqa: F401 (its audit action labels)

        # The company's own row is part of its data: its name and NIP are printed on what the
        # per-company cache keeps (the schedule PDF), so an edit makes those entries stale.
        datacache.invalidate_on_change(Company, lambda company: company.pk)

        navigation.register(
            navigation.NavItem(
                key="company_users",
                label=_("Użytkownicy"),
                url_name="accounts:company_users",
                icon="bi-people",
                order=90,
                visible=lambda user: has_perm(user, Perm.ADMIN),
                active_for=("accounts:company_*",),
            )
        )
        navigation.register_user_menu(
            navigation.NavItem(
                key="profile",
                label=_("Mój profil"),
                url_name="accounts:profile",
                icon="bi-person-vcard",
                order=10,
                active_for=("accounts:profile*",),
            )
        )
        navigation.register_user_menu(
            navigation.NavItem(
                key="company_audit",
                label=_("Dziennik zdarzeń firmy"),
                url_name="accounts:company_audit",
                icon="bi-journal-text",
                order=20,
                visible=lambda user: has_perm(user, Perm.ADMIN),
            )
        )
        navigation.register_user_menu(
            navigation.NavItem(
                key="notification_settings",
                label=_("Ustawienia powiadomień"),
                url_name="accounts:notification_settings",
                icon="bi-bell",
                order=30,
            )
        )
        # In the top bar, not the main menu: with the fleet section, eleven entries no longer
        # fit one row at 1366 px.
        navigation.register_header(
            navigation.NavItem(
                key="inbox",
                label=_("Wiadomości"),
                url_name="accounts:inbox",
                icon="bi-envelope",
                order=95,
                active_for=("accounts:inbox*",),
                badge=lambda user: unread_count(user=user),
            )
        )
        navigation.register_user_menu(
            navigation.NavItem(
                key="password_change",
                label=_("Zmień hasło"),
                url_name="accounts:password_change",
                icon="bi-key",
                order=80,
            )
        )
        navigation.register_user_menu(
            navigation.NavItem(
                key="signout",
                label=_("Wyloguj"),
                url_name="accounts:signout",
                icon="bi-box-arrow-right",
                order=100,
                post=True,
            )
        )
        exports.register_reports()

        from .events import register_events

        register_events()
