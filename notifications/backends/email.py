from __future__ import annotations

import smtplib
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
        except smtplib.SMTPRecipientsRefused as exc:
            # 5xx for the address (no such mailbox, domain does not exist): it will never
            # be accepted; a 4xx (greylisting, mailbox full) may be later.
            codes = [code for code, _ in exc.recipients.values()]
            if codes and all(500 <= code < 600 for code in codes):
                raise PermanentError(f"SMTP: adres odrzucony ({codes[0]})") from exc
            raise TransientError(f"SMTP: adres chwilowo odrzucony ({codes})") from exc
        except smtplib.SMTPDataError as exc:
            # The server refused this message itself (5xx: too large, judged spam): sending
            # the same text again changes nothing. A 4xx is a "try later".
            if 500 <= exc.smtp_code < 600:
                raise PermanentError(f"SMTP: wiadomość odrzucona ({exc.smtp_code})") from exc
            raise TransientError(f"SMTP: {exc.smtp_code}") from exc
        except OSError as exc:
            # SMTP down, connection refused, TLS or sign-in failure, or no answer within
            # EMAIL_TIMEOUT. Retried with backoff: an answer lost after the server took the
            # message may deliver it twice, which for e-mail beats not delivering it.
            raise TransientError(f"SMTP: {exc}") from exc
        return f"email-{message.pk}"
