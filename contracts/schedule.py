"""Leasing maths: annuity schedules to the grosz, pure functions (no database).

Financed capital K0 = net value - initial payment, monthly rate r = (reference + margin) / 12,
installment A = (K0 - RV * (1 + r)^-n) * r / (1 - (1 + r)^-n), or (K0 - RV) / n when r = 0.
Each period: interest = round(K * r), capital = A - interest, K -= capital. The last installment
takes whatever capital is left above the buyout value RV, so the schedule ends exactly at RV.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, localcontext

from dateutil.relativedelta import relativedelta

from ebok.money import ZERO, to_money, vat_of

ONE = Decimal(1)


@dataclass(frozen=True)
class ScheduleRow:
    number: int
    due_date: dt.date
    capital: Decimal
    interest: Decimal
    net: Decimal
    vat: Decimal
    gross: Decimal
    remaining_capital: Decimal


def monthly_rate(annual_percent: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 40
        return Decimal(annual_percent) / Decimal(1200)


def annuity_payment(capital: Decimal, buyout: Decimal, rate: Decimal, periods: int) -> Decimal:
    """The constant net installment (capital + interest), rounded to the grosz."""
    if periods <= 0:
        raise ValueError("periods must be positive")
    with localcontext() as ctx:
        ctx.prec = 40
        if rate == 0:
            return to_money((capital - buyout) / periods)
        discount = (ONE + rate) ** -periods
        return to_money((capital - buyout * discount) * rate / (ONE - discount))


def due_dates(start: dt.date, count: int) -> list[dt.date]:
    """The `count` monthly due dates after `start`, on start's day of the month clipped to the
    month's end, each counted from `start` itself so a short month does not stick:
    start 31 Jan -> 29 Feb, 31 Mar, 30 Apr (not 29 Mar, 29 Apr)."""
    return [start + relativedelta(months=k) for k in range(1, count + 1)]


def build_rows(
    *,
    capital: Decimal,
    buyout: Decimal,
    annual_rate_percent: Decimal,
    dates: list[dt.date],
    first_number: int = 1,
    vat_rate_percent: int = 0,
) -> list[ScheduleRow]:
    """Amortise `capital` down to `buyout` over len(dates) monthly installments.

    `vat_rate_percent` is 23 for an operating lease (VAT on every installment) and 0 for a
    financial lease (VAT was charged once on the whole asset at handover).
    """
    periods = len(dates)
    if periods == 0:
        return []
    capital, buyout = to_money(capital), to_money(buyout)  # every posted amount in grosze
    if not ZERO <= buyout < capital:
        raise ValueError("buyout must be non-negative and below the financed capital")
    rate = monthly_rate(annual_rate_percent)
    payment = annuity_payment(capital, buyout, rate, periods)
    rows = []
    remaining = capital
    for index, due in enumerate(dates):
        interest = to_money(remaining * rate)
        is_last = index == periods - 1
        principal = remaining - buyout if is_last else payment - interest
        principal = min(principal, remaining - buyout)
        remaining -= principal
        net = principal + interest
        vat = vat_of(net, vat_rate_percent)
        rows.append(
            ScheduleRow(
                number=first_number + index,
                due_date=due,
                capital=principal,
                interest=interest,
                net=net,
                vat=vat,
                gross=net + vat,
                remaining_capital=remaining,
            )
        )
    return rows
