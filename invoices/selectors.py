from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, F, Q, Sum, Value
from django.db.models.functions import Coalesce

from accounts.models import Company
from ebok.dates import today as business_today
from ebok.money import ZERO

from .models import Invoice, Payment


@dataclass(frozen=True)
class Balance:
    """The company's account with the lessor (saldo). Positive balance = the client owes."""

    charges: Decimal  # all invoiced gross, corrections included
    payments: Decimal  # all money received
    due: Decimal  # unpaid and payable now (due date today or earlier), overdue included
    overdue: Decimal  # unpaid after the due date
    not_yet_due: Decimal  # unpaid, due date in the future
    overpayment: Decimal  # money received and not yet settled against any invoice

    @property
    def balance(self) -> Decimal:
        return self.charges - self.payments

    @property
    def outstanding(self) -> Decimal:
        return self.due + self.not_yet_due

    @property
    def tone(self) -> str:
        """Tile colour: red with debt or anything overdue, blue when overpaid, else neutral."""
        if self.due > 0:  # something payable now is unpaid (overdue included)
            return "debt"
        if self.balance < 0:  # credit larger than everything invoiced and unpaid
            return "overpaid"
        return "neutral"


def _sum(expression, condition: Q | None = None):
    return Coalesce(
        Sum(expression, filter=condition),
        Value(ZERO),
        output_field=DecimalField(max_digits=16, decimal_places=2),
    )


def company_balance(*, company: Company, today: dt.date | None = None) -> Balance:
    """Two aggregate queries, whatever the number of invoices."""
    today = today or business_today()
    unpaid = F("amount_payable") - F("amount_paid")
    invoice_totals = Invoice.objects.filter(company=company).aggregate(
        charges=_sum("gross"),
        due=_sum(unpaid, Q(due_date__lte=today)),
        overdue=_sum(unpaid, Q(due_date__lt=today)),
        not_yet_due=_sum(unpaid, Q(due_date__gt=today)),
    )
    payment_totals = Payment.objects.filter(company=company).aggregate(
        payments=_sum("amount"), overpayment=_sum("unallocated")
    )
    return Balance(**invoice_totals, **payment_totals)
