from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EbokConfig(AppConfig):
    name = "ebok"
    verbose_name = "eBOK"

    def ready(self) -> None:
        from ebok import navigation

        navigation.register(
            navigation.NavItem(
                key="dashboard",
                label=_("Pulpit"),
                url_name="home",
                icon="bi-speedometer2",
                order=10,
            )
        )
