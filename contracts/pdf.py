"""A contract's repayment schedule as a PDF ("Pobierz harmonogram umowy").

Not stored: the schedule follows reference-rate changes and payments, and the document says on
which day it was generated. It is rendered once per company data version and day
(`cached_schedule_pdf`, ebok.datacache) and served from the cache until something it shows changes:
a 60-installment schedule takes 0.3-0.4 s to render.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings

from ebok.datacache import company_cached
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


def cached_schedule_pdf(contract: Contract) -> bytes:
    """The schedule as of today, from the cache while nothing it shows has changed since it was
    rendered: the company's data (the company itself, its contracts, schedules, assets,
    invoices and payments: each change draws a new data version) and the day."""
    key = f"schedule-pdf:{contract.pk}:{business_today().isoformat()}"
    return company_cached(contract.company_id, key, lambda: render_schedule_pdf(contract))


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
