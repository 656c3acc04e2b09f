"""Polish identifiers, validated with python-stdnum (checksums, not just lengths)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from stdnum.pl import nip, regon

client_number_validator = RegexValidator(r"^\d{8}$", _("Numer klienta to dokładnie 8 cyfr."))


def validate_nip(value: str) -> None:
    if not nip.is_valid(value):
        raise ValidationError(_("Nieprawidłowy NIP (błędna suma kontrolna lub długość)."))


def validate_regon(value: str) -> None:
    if value and not regon.is_valid(value):
        raise ValidationError(_("Nieprawidłowy REGON (błędna suma kontrolna lub długość)."))


def normalize_nip(value: str) -> str:
    return nip.compact(value)


def normalize_regon(value: str) -> str:
    return regon.compact(value) if value else ""
