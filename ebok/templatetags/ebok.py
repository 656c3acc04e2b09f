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
