"""The account and security notification events: always sent, not on the preferences page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from notifications.events import Event, register

ACCOUNT_EVENTS = (
    Event("account.locked", _("Konto zablokowane"), "account", always=True, sms_default=True),
    Event("account.unlocked", _("Konto odblokowane"), "account", always=True, sms_default=True),
    Event(
        "account.password_changed",
        _("Hasło zmienione"),
        "account",
        always=True,
        sms_default=True,
        template="password_changed",
    ),
    Event(
        "account.phone_changed",
        _("Numer telefonu zmieniony"),
        "account",
        always=True,
        sms_default=True,
        email_default=False,
        template="phone_changed",
    ),
    Event(
        "account.email_changed",
        _("Adres e-mail zmieniony"),
        "account",
        always=True,
        template="email_changed",
    ),
    Event("account.user_added", _("Nowy użytkownik w firmie"), "account", always=True),
)


def register_events() -> None:
    for event in ACCOUNT_EVENTS:
        register(event)
