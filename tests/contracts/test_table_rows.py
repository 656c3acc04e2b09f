"""The rows of the big tables are built in Python: same status rule as the reports, escaped."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse

from contracts import selectors
from tests.factories import LeasedAssetFactory
from tests.portal_helpers import (
    client_user,
    invoice_installments,
    make_contract,
    pay,
    signed_in,
    today,
)

pytestmark = pytest.mark.django_db


def test_the_pages_status_rule_is_the_one_the_reports_use(company):
    # Paid, partially paid, overdue, due later, not invoiced yet: all in one schedule.
    contract = make_contract(company, months=12, start=today() - relativedelta(months=4))
    invoices = invoice_installments(contract, through=today() + relativedelta(months=1))
    pay(company, invoices[0].gross + invoices[1].gross + Decimal("10.00"))
    filters = selectors.InstallmentFilters()
    installments = selectors.schedule_installments(
        contract=contract, filters=filters, today=today()
    )

    rows = selectors.installment_rows(selectors.installment_values(installments), today=today())
    reported = selectors.with_payment_status(installments, today=today()).values_list(
        "number", "payment_status", "is_overdue"
    )
    assert [(r.number, r.payment_status, r.is_overdue) for r in rows] == list(reported)
    statuses = {r.payment_status for r in rows}
    assert statuses == {"paid", "partially_paid", "unpaid", "planned"}
    assert any(r.is_overdue for r in rows) and not all(r.is_overdue for r in rows)

    annotated = selectors.get_contract_for_user(user=client_user(company), pk=contract.pk)
    assert selectors.remaining_in(rows) == annotated.remaining_installments == 10


def test_the_schedule_tab_counts_the_remaining_installments_filtered_or_not(company):
    contract = make_contract(company, months=12, start=today() - relativedelta(months=4))
    invoices = invoice_installments(contract, through=today())
    pay(company, invoices[0].gross)
    client = signed_in(client_user(company))
    url = reverse("contracts:detail", args=[contract.pk])
    assert client.get(url).context["contract"].remaining_installments == 11
    filtered = client.get(url, {"status": "paid"}).context["contract"]
    assert filtered.remaining_installments == 11


def test_text_from_the_data_is_escaped_in_every_row(company):
    contract = make_contract(
        company, number='UL/<b>1</b>"', start=today() - relativedelta(months=1)
    )
    asset = contract.assets.get()
    asset.make, asset.model = "<i>Marka</i>", "M&M"
    asset.save()
    LeasedAssetFactory(contract=contract)  # a second one: "i jeszcze 1"
    invoice_installments(contract, through=today())
    client = signed_in(client_user(company))
    pages = [
        client.get(reverse("contracts:list")),
        client.get(reverse("contracts:detail", args=[contract.pk])),
        client.get(reverse("contracts:installments"), {"date_from": "", "date_to": ""}),
        client.get(reverse("invoices:list")),
    ]
    for response in pages:
        html = response.content.decode()
        assert "<b>1</b>" not in html and "UL/&lt;b&gt;1&lt;/b&gt;&quot;" in html
    listed = pages[0].content.decode()
    assert "<i>Marka</i>" not in listed and "&lt;i&gt;Marka&lt;/i&gt; M&amp;M" in listed
    assert "i jeszcze 1" in listed


def test_the_schedule_link_goes_to_each_installments_invoice(company):
    contract = make_contract(company, months=6, start=today() - dt.timedelta(days=70))
    invoices = invoice_installments(contract, through=today())
    html = (
        signed_in(client_user(company))
        .get(reverse("contracts:detail", args=[contract.pk]))
        .content.decode()
    )
    for invoice in invoices:
        assert (
            f'href="{reverse("invoices:detail", args=[invoice.pk])}">{invoice.number}</a>' in html
        )
