"""Message texts live in templates, one folder per message:

    templates/notifications/<name>/subject.txt   (e-mail)
    templates/notifications/<name>/body.txt      (SMS text, or the e-mail's plain text)
    templates/notifications/<name>/body.html     (e-mail, optional)

`render_message(name, context)` renders them in one language. The `.txt` templates are plain
text: write them inside `{% autoescape off %}`, so "&" or "<" in a value stays as typed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import translation


def _render(path: str, context: Mapping[str, Any], *, required: bool = False) -> str:
    try:
        template = get_template(path)
    except TemplateDoesNotExist:
        if required:
            raise
        return ""
    return template.render(dict(context))


def render_message(
    name: str, context: Mapping[str, Any] | None = None, *, language: str | None = None
) -> tuple[str, str, str]:
    """(subject, text, html) of the message `name`; "" for a part it does not have.

    `language` defaults to the one active now (the request's, or LANGUAGE_CODE in a task).
    The subject is one line. A text of several lines ends with a line break, like any text
    file; a one-line text (an SMS) has none.
    """
    context = context or {}
    folder = f"notifications/{name}"
    with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
        subject = _render(f"{folder}/subject.txt", context)
        text = _render(f"{folder}/body.txt", context, required=True)
        html = _render(f"{folder}/body.html", context)
    subject = " ".join(subject.split())
    text = text.strip()
    if "\n" in text:
        text += "\n"
    return subject, text, html.strip()


def render_event(
    name: str, context: Mapping[str, Any] | None = None, *, language: str | None = None
) -> tuple[str, str, str, str]:
    """(subject, text, html, sms) of an event's message; the SMS text is `sms.txt` when the
    folder has one (short, for 160 GSM-7 characters), else the plain text."""
    subject, text, html = render_message(name, context, language=language)
    with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
        sms = _render(f"notifications/{name}/sms.txt", context or {})
    sms = " ".join(sms.split()) or " ".join(text.split())
    return subject, text, html, sms
