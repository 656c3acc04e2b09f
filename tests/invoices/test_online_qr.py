"""The ZBP transfer QR code: read back as a bank app reads it, every field the invoice's."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from invoices.services import invoice_pdf_ensure
from tests.invoices.online_helpers import decode_pdf, decode_svg_in_page
from tests.portal_helpers import client_user, company_invoice, pay, signed_in, today

pytestmark = pytest.mark.django_db


def expected(amount: str, title: str) -> dict[str, str]:
    grosz = int(Decimal(amount) * 100)
    return {
        "nip": settings.LESSOR["nip"],
        "country": "PL",
        "account": settings.LESSOR["bank_account"][2:],
        "amount": f"{grosz:06d}",
        "name": settings.LESSOR["name"][:20].strip(),
        "title": title,
        "r1": "",
        "r2": "",
        "r3": "",
    }


def test_the_invoice_page_shows_a_transfer_code_of_what_is_still_due(company):
    invoice = company_invoice(company, "1234.56", due=today() + dt.timedelta(days=5))
    pay(company, "200.00", invoice=invoice)
    response = signed_in(client_user(company)).get(reverse("invoices:detail", args=[invoice.pk]))
    assert decode_svg_in_page(response.content.decode()) == [expected("1034.56", invoice.number)]


def test_a_paid_invoice_has_no_transfer_code(company):
    invoice = company_invoice(company, "100.00", due=today())
    pay(company, "100.00", invoice=invoice)
    response = signed_in(client_user(company)).get(reverse("invoices:detail", args=[invoice.pk]))
    assert "<svg" not in response.content.decode()
    assert "Zapłać online" not in response.content.decode()


def test_the_pdf_carries_the_code_of_the_amount_it_asks_for(company):
    invoice = company_invoice(company, "25432.10", due=today())  # above 9 999,99 zł: 7 digits
    invoice = invoice_pdf_ensure(invoice=invoice)
    with invoice.pdf.open("rb") as file:
        assert decode_pdf(file.read()) == [expected("25432.10", invoice.number)]


def test_paying_several_invoices_gives_one_code_of_their_total(company):
    first = company_invoice(company, "100.00", due=today(), number="FV/1")
    second = company_invoice(company, "50.25", due=today(), number="FV/2")
    client = signed_in(client_user(company))
    response = client.post(reverse("online_payments:checkout"), {"invoice": [first.pk, second.pk]})
    assert response.status_code == 200
    assert decode_svg_in_page(response.content.decode()) == [expected("150.25", "FV/1 FV/2")]


def test_a_long_selection_is_titled_with_the_payers_nip(company):
    invoices = [
        company_invoice(company, "10.00", due=today(), number=f"FV/2026/11/00000{n}")
        for n in range(3)
    ]
    client = signed_in(client_user(company))
    response = client.get(reverse("online_payments:checkout"), {"scope": "all"})
    [code] = decode_svg_in_page(response.content.decode())
    assert code["title"] == f"NIP {company.nip} faktury {len(invoices)}"
    assert code["amount"] == "003000"
