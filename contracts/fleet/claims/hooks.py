"""Registrations of the claims part, made when the app is ready: the claim-status notification
event and the audit log's wording of claim actions."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register() -> None:
    from accounts.audit import register_actions
    from notifications.events import Event
    from notifications.events import register as register_event

    from . import services

    register_event(
        Event(
            services.EVENT_STATUS_CHANGED,
            _("Zmiana statusu szkody pojazdu"),
            group="contracts",
            sms_default=False,
            email_default=True,
        )
    )
    register_actions(
        {
            services.REPORTED: _("szkoda: zgłoszona w portalu"),
            services.STATUS_CHANGED: _("szkoda: zmiana statusu"),
            services.UPDATED: _("szkoda: zmiana danych"),
            services.REGISTERED: _("szkoda: wprowadzona przez leasingodawcę"),
        }
    )
