"""A contract's repayment schedule as a PDF ("Pobierz harmonogram umowy").

Rendered on each request, not stored: the schedule follows reference-rate changes, and the
document says on which day it was generated.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings

from ebok.dates import today as business_today
from ebok.money import ZERO
from ebok.pdf import render_pdf

from . import selectors
from .models import Contract


@dataclass
class ScheduleTotals:
    capital: Decimal = ZERO
    interest: Decimal = ZERO
    net: Decimal = ZERO
    vat: Decimal = ZERO
    gross: Decimal = ZERO
    paid_count: int = 0
    rows: list = field(default_factory=list)


def _schedule_rows(contract: Contract, today: dt.date) -> ScheduleTotals:
    """The whole schedule, read with the schedule tab's own selector (same statuses)."""
    totals = ScheduleTotals()
    labels = selectors.InstallmentStatus.labels()
    installments = selectors.contract_schedule(
        contract=contract, filters=selectors.InstallmentFilters(), today=today
    )
    rows = installments.values_list(
        "number",
        "due_date",
        "capital",
        "interest",
        "net",
        "vat",
        "gross",
        "remaining_capital",
        "payment_status",
    )
    for number, due, capital, interest, net, vat, gross, remaining, status in rows:
        totals.rows.append(
            {
                "number": number,
                "due_date": due,
                "capital": capital,
                "interest": interest,
                "net": net,
                "vat": vat,
                "gross": gross,
                "remaining": remaining,
                "state": labels.get(status, status),
            }
        )
        totals.capital += capital
        totals.interest += interest
        totals.net += net
        totals.vat += vat
        totals.gross += gross
        totals.paid_count += status == selectors.InstallmentStatus.PAID
    return totals


def schedule_pdf_filename(contract: Contract) -> str:
    return f"Harmonogram_{re.sub(r'[^A-Za-z0-9]+', '_', contract.number).strip('_')}.pdf"


def render_schedule_pdf(contract: Contract) -> bytes:
    today = business_today()
    context = {
        "contract": contract,
        "company": contract.company,
        "assets": list(contract.assets.all()),
        "schedule": _schedule_rows(contract, today),
        "seller": settings.LESSOR,
        "generated_on": today,
    }
    return render_pdf("contracts/pdf/schedule.html", context)
