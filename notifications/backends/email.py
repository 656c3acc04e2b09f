from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from .base import PermanentError, TransientError, Transport

if TYPE_CHECKING:
    from notifications.models import Message


class EmailTransport(Transport):
    """Django's configured e-mail backend (SMTP in production), text + optional HTML."""

    def send(self, message: Message) -> str:
        if not message.recipient:
            raise PermanentError("Brak adresu e-mail odbiorcy.")
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.recipient],
            headers={"X-Ebok-Message-Id": str(message.pk)},
        )
        if message.html_body:
            email.attach_alternative(message.html_body, "text/html")
        try:
            email.send()
        except OSError as exc:  # SMTP down, connection refused, TLS failure...
            raise TransientError(f"SMTP: {exc}") from exc
        return f"email-{message.pk}"
