"""What the client sees of corrections: an increase is payable on its own term (not overdue the
day it is issued), a decrease owes nothing; the handover invoice shows what it asks now."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from contracts.models import Contract
from invoices.models import Invoice
from invoices.services import LineSpec, VatRate, invoice_correct, invoice_issue_initial_payment
from tests.portal_helpers import (
    client_user,
    company_invoice,
    make_contract,
    pay,
    signed_in,
    text,
    today,
)

pytestmark = pytest.mark.django_db
D = Decimal


def numbers(page) -> set[str]:
    return {invoice.number for invoice in page.context["page_obj"]}


def test_an_upward_correction_is_listed_as_payable_by_its_own_due_date(company, settings):
    settings.INVOICE_PAYMENT_TERM_DAYS = 14
    invoice = company_invoice(company, "100.00", due=today() - dt.timedelta(days=30))
    pay(company, "100.00", invoice=invoice)
    raising = invoice_correct(
        invoice=invoice,
        lines=[LineSpec("Dopłata", D("40.00"), VatRate.NOT_SUBJECT)],
        reason="Dopłata",
        issue_date=today(),
    )
    lowering = invoice_correct(
        invoice=company_invoice(company, "80.00", due=today() + dt.timedelta(days=5)),
        lines=[LineSpec("Rabat", D("-10.00"), VatRate.NOT_SUBJECT)],
        reason="Rabat",
        issue_date=today(),
    )
    browser = signed_in(client_user(company))
    url = reverse("invoices:list")

    assert raising.number not in numbers(browser.get(url, {"status": "overdue"}))
    assert raising.number in numbers(browser.get(url, {"status": "unpaid"}))
    assert lowering.number not in numbers(browser.get(url, {"status": "unpaid"}))
    listed = text(browser.get(url))
    due = (today() + dt.timedelta(days=14)).strftime("%d.%m.%Y")
    assert f"{raising.number}" in listed and due in listed

    detail = text(browser.get(reverse("invoices:detail", args=[raising.pk])))
    assert "niezapłacona" in detail and "po terminie" not in detail
    assert f"Termin płatności {due}" in detail
    assert "Do zapłaty 40,00 zł" in detail
    lowered = text(browser.get(reverse("invoices:detail", args=[lowering.pk])))
    assert "Do zapłaty" not in lowered


def test_the_handover_invoice_shows_what_is_paid_now_and_what_the_schedule_pays(company):
    contract = make_contract(company, months=36, kind=Contract.Kind.FINANCIAL)
    invoice = invoice_issue_initial_payment(contract=contract, issue_date=today())
    browser = signed_in(client_user(company))

    detail = text(browser.get(reverse("invoices:detail", args=[invoice.pk])))
    listed = text(browser.get(reverse("invoices:list")))

    assert "Brutto 147 600,00 zł" in detail
    assert "Płatne z tą fakturą 39 600,00 zł" in detail
    assert "Reszta ceny (w ratach i wykupie) 108 000,00 zł" in detail
    assert "Do zapłaty 39 600,00 zł" in detail
    assert "Kwota należna po korektach" not in detail
    assert "reszta ceny w ratach i wykupie: 108 000,00 zł" in listed
    assert "po korekcie" not in listed
    assert Invoice.objects.get(pk=invoice.pk).amount_due == D("39600.00")
