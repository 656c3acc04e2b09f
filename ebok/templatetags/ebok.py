from __future__ import annotations

from django import template

from ebok.dates import format_date
from ebok.money import format_amount, format_money

register = template.Library()


@register.filter(name="money")
def money_filter(value):
    return format_money(value)


@register.filter(name="amount")
def amount_filter(value):
    return format_amount(value)


@register.filter(name="d")
def date_filter(value):
    return format_date(value)
