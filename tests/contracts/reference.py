"""An independent, exact-rational reimplementation of the DESIGN.md schedule formulas.

Used by the tests as the second method: `fractions.Fraction` throughout (no Decimal contexts,
no precision limits) and an explicit half-up rounding to the grosz. It deliberately shares no
code with `contracts.schedule`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction


def half_up(value: Fraction) -> Fraction:
    """Round to 0.01 with ties away from zero (what `ROUND_HALF_UP` means for Decimal)."""
    cents = abs(value) * 100
    rounded = math.floor(cents + Fraction(1, 2))
    return Fraction(rounded if value >= 0 else -rounded, 100)


def dec(value: Fraction) -> Decimal:
    """A Fraction that is a whole number of grosze, as a 2-decimal Decimal."""
    assert (value * 100).denominator == 1, value
    return Decimal(int(value * 100)).scaleb(-2)


@dataclass(frozen=True)
class RefRow:
    capital: Decimal
    interest: Decimal
    net: Decimal
    vat: Decimal
    gross: Decimal
    remaining_capital: Decimal


def ref_payment(capital, buyout, annual_percent, periods: int) -> Fraction:
    k0, rv = Fraction(capital), Fraction(buyout)
    r = Fraction(annual_percent) / 1200
    if r == 0:
        return half_up((k0 - rv) / periods)
    discount = (1 + r) ** -periods
    return half_up((k0 - rv * discount) * r / (1 - discount))


def ref_schedule(capital, buyout, annual_percent, periods: int, vat_percent: int = 0):
    """Rows of the annuity schedule: interest = K*r rounded, capital = A - interest, the last
    installment takes the capital left above the buyout value."""
    k, rv = Fraction(capital), Fraction(buyout)
    r = Fraction(annual_percent) / 1200
    payment = ref_payment(capital, buyout, annual_percent, periods)
    rows = []
    for index in range(periods):
        interest = half_up(k * r)
        principal = k - rv if index == periods - 1 else payment - interest
        k -= principal
        net = principal + interest
        vat = half_up(net * vat_percent / 100)
        rows.append(
            RefRow(dec(principal), dec(interest), dec(net), dec(vat), dec(net + vat), dec(k))
        )
    return rows
