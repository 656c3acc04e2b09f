from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from .base import Transport

if TYPE_CHECKING:
    from notifications.models import Message


class ConsoleSmsTransport(Transport):
    """Print the SMS on standard output (the row is redacted like with a real gateway)."""

    def send(self, message: Message) -> str:
        sys.stdout.write(f"[SMS to {message.recipient}] {message.body}\n")
        sys.stdout.flush()
        return f"console-{message.pk}"


class OutboxSmsTransport(ConsoleSmsTransport):
    """The embedded default and tests: console output, and the outbox row keeps the text."""

    keeps_sensitive_body = True

    def send(self, message: Message) -> str:
        super().send(message)
        return f"outbox-{message.pk}"
