from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from notifications.models import Message


class PermanentError(Exception):
    """The message can never be delivered as it is (e.g. an invalid phone number)."""


class TransientError(Exception):
    """The provider is unavailable for now; the message stays queued and is retried."""


class Transport:
    # Whether the outbox row is the delivery itself (development): then one-time codes stay
    # readable in it; a real gateway has the row's sensitive body redacted after delivery.
    keeps_sensitive_body = False

    def send(self, message: Message) -> str:
        """Deliver `message`; return the provider's id. Raise Permanent/TransientError."""
        raise NotImplementedError


class InboxTransport(Transport):
    """The portal inbox: the outbox row is what the user reads, so delivery is immediate."""

    keeps_sensitive_body = True

    def send(self, message: Message) -> str:
        return f"inbox-{message.pk}"
