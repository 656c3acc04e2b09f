from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequestsAppConfig(AppConfig):
    name = "requests_app"
    verbose_name = _("Wnioski")

    def ready(self) -> None:
        from accounts.audit import register_actions
        from accounts.permissions import Perm, has_perm
        from ebok import dashboard, navigation
        from notifications.events import Event, register

        from . import exports, selectors, services, tiles

        def may_submit(user) -> bool:
            return has_perm(user, Perm.REQUESTS)

        navigation.register(
            navigation.NavItem(
                key="requests",
                label=_("Wnioski"),
                url_name="requests_app:list",
                icon="bi-send",
                order=70,
                visible=may_submit,
                active_for=("requests_app:*",),
                badge=lambda user: selectors.unread_count(user=user),
            )
        )
        dashboard.register_tile("requests_app.open", tiles.open_applications_tile, order=70)
        exports.register_reports()
        register(
            Event(
                services.EVENT_STATUS_CHANGED,
                _("Zmiana statusu wniosku lub sprawy"),
                group="applications",
                sms_default=False,
                email_default=True,
            )
        )
        register(
            Event(
                services.EVENT_REPLY,
                _("Odpowiedź leasingodawcy we wniosku lub sprawie"),
                group="applications",
                sms_default=False,
                email_default=True,
            )
        )
        register_actions(
            {
                services.SUBMITTED: _("wniosek: złożony"),
                services.CONFIRMED: _("wniosek: potwierdzony kodem SMS"),
                services.REPLIED: _("wniosek: odpowiedź klienta"),
                services.STATUS_CHANGED: _("wniosek: zmiana statusu"),
                services.LESSOR_REPLIED: _("wniosek: odpowiedź leasingodawcy"),
                services.ASSIGNED: _("wniosek: przypisanie pracownika"),
            }
        )
