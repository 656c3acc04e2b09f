"""Delivery transports, one module per channel/provider behind the tiny `Transport` base."""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from .base import DeliveryReport, PermanentError, TransientError, Transport, UncertainError

__all__ = [
    "DeliveryReport",
    "PermanentError",
    "TransientError",
    "Transport",
    "UncertainError",
    "get_transport",
]

SMS_BACKENDS = {
    "outbox": "notifications.backends.console.OutboxSmsTransport",
    "console": "notifications.backends.console.ConsoleSmsTransport",
    "twilio": "notifications.backends.twilio_sms.TwilioSmsTransport",
}
EMAIL_TRANSPORT = "notifications.backends.email.EmailTransport"
INBOX_TRANSPORT = "notifications.backends.base.InboxTransport"


def get_transport(channel: str) -> Transport:
    if channel == "sms":
        path = SMS_BACKENDS.get(settings.SMS_BACKEND, settings.SMS_BACKEND)
    elif channel == "email":
        path = EMAIL_TRANSPORT
    else:
        path = INBOX_TRANSPORT
    return import_string(path)()
