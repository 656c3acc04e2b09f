"""SMS through Twilio's Programmable Messaging, with the official SDK."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import requests
from django.conf import settings
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from .base import PermanentError, TransientError, Transport

if TYPE_CHECKING:
    from notifications.models import Message

logger = logging.getLogger(__name__)

# Twilio error codes that will not go away by retrying: invalid 'To' number, not a mobile
# number, recipient unsubscribed, region not enabled, unroutable destination.
PERMANENT_CODES = {21211, 21214, 21408, 21610, 21612, 21614}


class BaseUrlHttpClient(TwilioHttpClient):
    """Send the SDK's requests to another scheme/host (a staging proxy or a test server)."""

    def __init__(self, base_url: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.base = urlsplit(base_url)

    def request(self, method: str, url: str, *args, **kwargs):
        parts = urlsplit(url)
        url = urlunsplit((self.base.scheme, self.base.netloc, parts.path, parts.query, ""))
        return super().request(method, url, *args, **kwargs)


class TwilioSmsTransport(Transport):
    def __init__(self) -> None:
        timeout = settings.TWILIO_TIMEOUT
        http_client = (
            BaseUrlHttpClient(settings.TWILIO_API_BASE_URL, timeout=timeout)
            if settings.TWILIO_API_BASE_URL
            else TwilioHttpClient(timeout=timeout)
        )
        self.client = Client(
            settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=http_client
        )

    def send(self, message: Message) -> str:
        sender = (
            {"messaging_service_sid": settings.TWILIO_MESSAGING_SERVICE_SID}
            if settings.TWILIO_MESSAGING_SERVICE_SID
            else {"from_": settings.TWILIO_FROM_NUMBER}
        )
        try:
            sent = self.client.messages.create(to=message.recipient, body=message.body, **sender)
        except TwilioRestException as exc:
            detail = f"Twilio {exc.status} (kod {exc.code}): {exc.msg}"
            if exc.code in PERMANENT_CODES or (
                400 <= exc.status < 500 and exc.status not in (401, 403, 429)
            ):
                raise PermanentError(detail) from exc
            # 5xx, throttling, and credentials being rotated: keep the message and retry.
            logger.error("SMS %s not sent, will retry: %s", message.pk, detail)
            raise TransientError(detail) from exc
        except (requests.RequestException, TwilioException) as exc:
            logger.error("SMS %s not sent, Twilio unreachable: %s", message.pk, exc)
            raise TransientError(f"Twilio niedostępny: {exc}") from exc
        return sent.sid or ""
