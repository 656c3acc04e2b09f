"""Building blocks for the client-portal page tests: signed-in clients and real leasing data.

Data goes through the services (schedule generation, invoicing, payment settlement), so the
pages are tested against the same numbers a client would see.
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from contracts.models import Contract
from contracts.services import schedule_generate
from ebok.dates import today as business_today
from invoices.models import Invoice
from invoices.services import (
    LineSpec,
    VatRate,
    invoice_create,
    invoice_issue_for_installment,
    payment_record,
)
from tests.factories import ContractFactory, LeasedAssetFactory, UserFactory

D = Decimal


def today() -> dt.date:
    return business_today()


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def client_user(company, **kwargs):
    return UserFactory(company=company, **kwargs)


def make_contract(company, *, months: int = 12, start: dt.date | None = None, **kwargs) -> Contract:
    """A contract with one asset and a generated schedule, `months` installments from `start`."""
    start = start or today() - relativedelta(months=3)
    contract = ContractFactory(
        company=company,
        signed_on=start,
        start_date=start,
        end_date=start + relativedelta(months=months),
        installment_count=months,
        **kwargs,
    )
    LeasedAssetFactory(contract=contract)
    schedule_generate(contract=contract)
    return contract


def invoice_installments(contract: Contract, *, through: dt.date) -> list[Invoice]:
    """Invoice the installments due on or before `through` not invoiced yet (issued a week
    before their due date)."""
    return [
        invoice_issue_for_installment(
            installment=installment, issue_date=installment.due_date - dt.timedelta(days=7)
        )
        for installment in contract.installments.filter(
            due_date__lte=through, invoice__isnull=True
        ).order_by("number")
    ]


def company_invoice(company, gross: str, *, due: dt.date, number: str | None = None) -> Invoice:
    """An invoice not tied to any contract (a company-level charge)."""
    return invoice_create(
        company=company,
        kind=Invoice.Kind.OTHER,
        lines=[LineSpec("Opłata za duplikat dokumentów", D(gross), VatRate.NOT_SUBJECT)],
        issue_date=due - dt.timedelta(days=14),
        due_date=due,
        number=number,
    )


def pay(company, amount, *, on: dt.date | None = None, invoice: Invoice | None = None, title=""):
    return payment_record(
        company=company,
        amount=D(amount),
        received_on=on or today(),
        assigned_invoice=invoice,
        title=title,
    )


def count_queries(client: Client, url: str, **headers) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries), response


def text(response) -> str:
    """The page's visible text, tags removed and whitespace (incl. no-break spaces) collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<[^>]+>", " ", html)
    return " ".join(html_lib.unescape(html).replace("\u00a0", " ").split())


HTMX = {"HTTP_HX_REQUEST": "true"}


def htmx(target: str) -> dict:
    return {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": target}
