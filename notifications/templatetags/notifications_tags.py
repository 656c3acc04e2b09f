"""How the inbox shows a message to its recipient: a plain status, the text with secrets hidden."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from notifications.events import get_event
from notifications.models import Message

register = template.Library()

S = Message.Status
# The outbox's working states, as the recipient understands them.
CLIENT_STATUS = {
    S.QUEUED: ("queued", _("w kolejce")),
    S.SENDING: ("queued", _("w kolejce")),
    S.UNCERTAIN: ("sent", _("wysłana")),
    S.SENT: ("sent", _("wysłana")),
    S.DELIVERED: ("delivered", _("doręczona")),
    S.UNDELIVERED: ("failed", _("niedoręczona")),
    S.FAILED: ("failed", _("błąd wysyłki")),
    S.CANCELLED: ("failed", _("anulowana")),
}
TONES = {"queued": "secondary", "sent": "info", "delivered": "success", "failed": "danger"}
HIDDEN = _("Kod lub hasło jednorazowe – treść ukryta ze względów bezpieczeństwa.")


@register.filter
def client_status(message: Message) -> str:
    if message.channel == Message.Channel.INBOX:
        return str(_("w portalu"))
    return str(CLIENT_STATUS.get(message.status, ("queued", message.status))[1])


@register.filter
def status_tone(message: Message) -> str:
    if message.channel == Message.Channel.INBOX:
        return "primary"
    return TONES[CLIENT_STATUS.get(message.status, ("queued", ""))[0]]


@register.filter
def shown_body(message: Message) -> str:
    """The text as the inbox shows it: one-time codes and passwords never (sensitive rows)."""
    if message.sensitive:
        return str(HIDDEN)
    return message.body


@register.filter
def event_label(message: Message) -> str:
    if not message.event:
        return str(_("wiadomość systemowa"))
    try:
        return str(get_event(message.event).label)
    except LookupError:
        return message.event


@register.filter
def safe_link(message: Message) -> str:
    """The message's portal link, only when it points inside the portal."""
    link = message.link or ""
    return link if link.startswith("/") and not link.startswith("//") else ""
