from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FleetConfig(AppConfig):
    name = "contracts.fleet"
    label = "fleet"
    verbose_name = _("Flota")

    def ready(self) -> None:
        from .claims import hooks as claim_hooks
        from .pages import hooks as page_hooks

        page_hooks.register()  # navigation, dashboard tile, exports
        claim_hooks.register()  # notification events, audit actions
