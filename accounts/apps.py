from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Konta i firmy")

    def ready(self) -> None:
        from ebok import navigation

        from . import checks, signals  # noqa: F401

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
