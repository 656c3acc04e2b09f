from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from notifications.models import Message


class PermanentError(Exception):
    """The message can never be delivered as it is (e.g. an invalid phone number)."""


class TransientError(Exception):
    """The provider is unavailable for now; the message stays queued and is retried."""


class UncertainError(Exception):
    """The request may have reached the provider but its answer did not come back (a read
    timeout, a connection dropped mid-response): sending again could deliver it twice, so the
    row is marked uncertain and waits for a delivery report or staff."""


@dataclass(frozen=True)
class DeliveryReport:
    """What a provider's delivery report says about one message it was given."""

    provider_id: str
    status: str  # the Message.Status it means; "" for a provider status that means none
    provider_status: str  # the provider's own word, kept on the row
    error: str = ""


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
