"""SMS through Twilio's Programmable Messaging, with the official SDK."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import requests
from django.conf import settings
from django.http import HttpRequest, QueryDict
from django.urls import reverse
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError, SSLError

from .base import DeliveryReport, PermanentError, TransientError, Transport, UncertainError

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
        callback = status_callback_url(message)
        if callback:
            sender["status_callback"] = callback
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
        except requests.RequestException as exc:
            if _may_have_reached_twilio(exc):
                raise UncertainError(
                    f"Twilio nie odpowiedział po przyjęciu żądania: {exc}"
                ) from exc
            logger.error("SMS %s not sent, Twilio unreachable: %s", message.pk, exc)
            raise TransientError(f"Twilio niedostępny: {exc}") from exc
        except TwilioException as exc:
            logger.error("SMS %s not sent, Twilio unreachable: %s", message.pk, exc)
            raise TransientError(f"Twilio niedostępny: {exc}") from exc
        return sent.sid or ""


def _may_have_reached_twilio(exc: requests.RequestException) -> bool:
    """Whether the request may have been sent whole before it failed.

    A connection never made (refused, DNS, connect timeout, TLS handshake) sent nothing: safe to
    retry. A read timeout or a connection dropped while waiting for the answer may mean Twilio
    accepted the message and its answer was lost: retrying could send the SMS twice.
    """
    if isinstance(exc, requests.ConnectTimeout):
        return False
    if isinstance(exc, requests.ConnectionError):
        cause = exc.args[0] if exc.args else None
        cause = getattr(cause, "reason", cause)  # urllib3's MaxRetryError wraps the cause
        return not isinstance(cause, (ConnectTimeoutError, NewConnectionError, SSLError))
    return isinstance(exc, (requests.ReadTimeout, requests.exceptions.ChunkedEncodingError))


# --- delivery reports (status callbacks) -------------------------------------------------------

# Twilio's message statuses, as its status callbacks report them, mapped to the row's status
# (notifications.models.Message.Status). Unlisted ones (e.g. "receiving") change nothing.
REPORTED_STATUS = {
    "accepted": "sent",
    "scheduled": "sent",
    "queued": "sent",
    "sending": "sent",
    "sent": "sent",
    "delivered": "delivered",
    "read": "delivered",
    "undelivered": "undelivered",
    "failed": "failed",
    "canceled": "failed",
}


def status_callback_url(message: Message) -> str:
    """Where Twilio reports this message's delivery: the public address, with the row's id (a
    worker killed before it stored the SID leaves the report no other way to find the row)."""
    if not settings.PUBLIC_BASE_URL:
        return ""
    path = reverse("notifications:twilio_status_for_message", args=[message.pk])
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def signature_is_valid(request: HttpRequest) -> bool:
    """Twilio signs each callback with the account's auth token over the URL it called (as it
    was given, the public one) and the POST parameters."""
    signature = request.headers.get("X-Twilio-Signature", "")
    if not settings.TWILIO_AUTH_TOKEN or not signature:
        return False  # an empty key would make the signature something anyone can compute
    if settings.PUBLIC_BASE_URL:
        # Behind a proxy the request's own view of its URL (scheme, host, port) may differ.
        url = settings.PUBLIC_BASE_URL.rstrip("/") + request.get_full_path()
    else:
        url = request.build_absolute_uri()
    return RequestValidator(settings.TWILIO_AUTH_TOKEN).validate(url, request.POST, signature)


def parse_report(data: QueryDict) -> DeliveryReport | None:
    """The delivery report in a status callback's parameters; None if it is not one."""
    sid, reported = data.get("MessageSid", ""), data.get("MessageStatus", "")
    if not sid or not reported:
        return None
    code = data.get("ErrorCode", "")
    return DeliveryReport(
        provider_id=sid[:64],
        status=REPORTED_STATUS.get(reported, ""),
        provider_status=reported[:32],
        error=f"Twilio: {reported} (kod {code})" if code else "",
    )
