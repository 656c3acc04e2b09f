"""Money helpers: Decimal only, rounded half-up to the grosz at every posted amount."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import get_language

GROSZ = Decimal("0.01")
ZERO = Decimal("0.00")
NBSP = "\u00a0"
# The typographic minus sign: a hyphen is shorter than the digits and may break the line.
MINUS = "\u2212"


def to_money(value: Decimal | int | str) -> Decimal:
    """Round to 0.01 PLN, half-up, as Polish accounting and VAT rules require."""
    if isinstance(value, float):
        # 2.675 as a float is 2.67499999...: money never passes through binary floats.
        raise TypeError("money must be Decimal, int or str, not float")
    return Decimal(value).quantize(GROSZ, rounding=ROUND_HALF_UP)


def vat_of(net: Decimal, rate_percent: int | Decimal) -> Decimal:
    return to_money(Decimal(net) * Decimal(rate_percent) / Decimal(100))


def format_amount(value: Decimal | int | None, language: str | None = None) -> str:
    """`1234.5` -> `1 234,50` in Polish, `1,234.50` in English (no currency)."""
    if value is None:
        return ""
    amount = to_money(str(value) if isinstance(value, float) else value)
    sign = MINUS if amount < 0 else ""  # never "-0,00"
    text = f"{abs(amount):,.2f}"  # "1,234.50": thousands grouped by the format itself
    if (language or get_language() or "pl").startswith("en"):
        return f"{sign}{text}"
    return sign + text.replace(",", NBSP).replace(".", ",")


def format_count(value: int | None, language: str | None = None) -> str:
    """A count grouped like the amounts: `47904` -> `47 904` in Polish, `47,904` in English."""
    if value is None:
        return ""
    text = f"{int(value):,}".replace("-", MINUS)
    if (language or get_language() or "pl").startswith("en"):
        return text
    return text.replace(",", NBSP)


def format_money(value: Decimal | int | None, language: str | None = None) -> str:
    """`1234.5` -> `1 234,50 zł` in Polish, `1,234.50 PLN` in English."""
    if value is None:
        return ""
    language = language or get_language() or "pl"
    amount = format_amount(value, language)
    if language.startswith("en"):
        return f"{amount}{NBSP}PLN"
    return f"{amount}{NBSP}zł"
