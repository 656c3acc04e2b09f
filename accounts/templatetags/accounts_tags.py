"""Template filters of the accounts pages: phone numbers, permissions."""

from __future__ import annotations

import phonenumbers
from django import template
from django.conf import settings

from accounts.permissions import ADMIN_FIELD, granted_permissions

register = template.Library()


@register.filter
def phone(value) -> str:
    """`+48601234567` -> `+48 601 234 567` (anything unparsable is shown as it is)."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(str(value), settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return str(value)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


@register.filter
def permission_badges(user) -> list[str]:
    """The one-word names of what `user` may do besides administering (in the declaration's
    order, accounts.permissions.PERMISSIONS)."""
    return [str(p.badge) for p in granted_permissions(user) if p.field != ADMIN_FIELD]
