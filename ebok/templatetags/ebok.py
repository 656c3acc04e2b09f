from __future__ import annotations

import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from stdnum.pl import nip as nip_number

from ebok.dates import format_date
from ebok.money import format_amount, format_count, format_money

register = template.Library()


@register.filter(name="money")
def money_filter(value):
    return format_money(value)


@register.filter(name="amount")
def amount_filter(value):
    return format_amount(value)


@register.filter(name="grouped")
def grouped_filter(value):
    """A count grouped like the amounts (`47 904`); anything that is not a number as it is."""
    try:
        return format_count(int(value))
    except (TypeError, ValueError):
        return value


@register.filter(name="d")
def date_filter(value):
    return format_date(value)


@register.filter(name="nip")
def nip_filter(value):
    """A NIP the one way the portal writes it: `526-025-02-74`."""
    if not value:
        return ""
    if not nip_number.is_valid(value):
        return value  # a malformed legacy value is shown as stored
    return nip_number.format(value)


_EMAIL_BREAKS = re.compile(r"([@.])")


@register.filter(name="email", is_safe=True)
def email_filter(value):
    """An e-mail address that wraps only before "@" and ".", never inside a word."""
    if not value:
        return ""
    parts = _EMAIL_BREAKS.split(str(value))
    html = "".join(
        f"<wbr>{conditional_escape(p)}" if p in "@." and p else conditional_escape(p) for p in parts
    )
    return mark_safe(f'<span class="ebok-email">{html}</span>')


# A document number, an installment ("38/60") or a date: a word with a digit and a slash,
# hyphen or dot in it. Line breaking allows a break after the slash ("LF/" | "2023/90002").
_NUMBER_WORD = re.compile(r"\S*\d\S*[/.\-]\S*|\S*[/.\-]\S*\d\S*")


@register.filter(name="nobreak_numbers", is_safe=True)
def nobreak_numbers_filter(value):
    """Text whose numbers (`LF/2023/90002`, `38/60`) never wrap inside; the rest wraps."""
    text = str(value or "")
    html, end = [], 0
    for match in _NUMBER_WORD.finditer(text):
        html.append(conditional_escape(text[end : match.start()]))
        html.append(f'<span class="nowrap">{conditional_escape(match.group())}</span>')
        end = match.end()
    html.append(conditional_escape(text[end:]))
    return mark_safe("".join(html))
