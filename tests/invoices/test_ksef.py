"""FA(3) XML of every kind of invoice the portal issues, validated against the official XSD
(the copy `ksef-client` ships), and its download."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from ksef_client.documents.fa3 import validate_fa3_xml_xsd
from lxml import etree

from contracts.models import AdditionalFee, Contract
from invoices.ksef import invoice_fa3_xml
from invoices.services import (
    LineSpec,
    VatRate,
    invoice_correct,
    invoice_issue_for_fee,
    invoice_issue_for_installment,
    invoice_issue_initial_payment,
)
from tests.downloads import client_user, contract_with_schedule, streamed
from tests.factories import AdditionalFeeFactory, CompanyFactory, LeasedAssetFactory
from tests.portal_helpers import signed_in

pytestmark = pytest.mark.django_db
D = Decimal
NS = {"fa": "http://crd.gov.pl/wzor/2025/06/25/13775/"}


@pytest.fixture
def buyer(db):
    return CompanyFactory(name="Transport Żwirek Sp. z o.o.", nip="7251801126")


def every_kind(buyer) -> dict:
    financial = contract_with_schedule(buyer, kind=Contract.Kind.FINANCIAL, number="UL/2026/1")
    LeasedAssetFactory(contract=financial)
    operating = contract_with_schedule(buyer, number="UL/2026/2")
    installment = invoice_issue_for_installment(
        installment=financial.installments.order_by("number").first()
    )
    fee = AdditionalFeeFactory(contract=operating, kind=AdditionalFee.Kind.REMINDER)
    insurance = AdditionalFeeFactory(
        contract=operating,
        kind=AdditionalFee.Kind.INSURANCE,
        net=D("1840.00"),
        vat=D("0.00"),
        gross=D("1840.00"),
    )
    handover = invoice_issue_initial_payment(contract=financial, issue_date=dt.date(2026, 1, 15))
    return {
        "installment": installment,
        "fee": invoice_issue_for_fee(fee=fee),
        "insurance": invoice_issue_for_fee(fee=insurance),
        "handover": handover,
        "correction": invoice_correct(
            invoice=handover,
            lines=[LineSpec("Rabat od ceny przedmiotu", D("-1000.00"), VatRate.STANDARD)],
            reason="Rabat",
        ),
    }


def test_every_kind_of_invoice_validates_against_the_fa3_schema(buyer):
    for kind, invoice in every_kind(buyer).items():
        xml = invoice_fa3_xml(invoice)
        validate_fa3_xml_xsd(xml)  # raises on any schema error
        root = etree.fromstring(xml)
        assert root.findtext("fa:Fa/fa:P_2", namespaces=NS) == invoice.number, kind
        assert root.findtext("fa:Fa/fa:P_15", namespaces=NS) == f"{invoice.gross:.2f}", kind
        assert root.findtext("fa:Podmiot2/fa:DaneIdentyfikacyjne/fa:NIP", namespaces=NS) == (
            "7251801126"
        )
        expected_kind = "KOR" if kind == "correction" else "VAT"
        assert root.findtext("fa:Fa/fa:RodzajFaktury", namespaces=NS) == expected_kind, kind


def test_the_client_downloads_the_xml_of_their_invoice_only(buyer):
    invoice = every_kind(buyer)["correction"]
    client = signed_in(client_user(buyer))
    response = client.get(reverse("invoices:fa3", args=[invoice.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert "_FA3.xml" in response["Content-Disposition"]
    validate_fa3_xml_xsd(response.content)
    other = signed_in(client_user(CompanyFactory()))
    assert other.get(reverse("invoices:fa3", args=[invoice.pk])).status_code == 404


KSEF_NUMBER = "5260250274-20260115-0100001AF629-BA"  # BA: its CRC-8 checksum
FILE_HASH = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="  # SHA-256 of b"", Base64


def test_staff_record_the_ksef_number_and_the_pdf_prints_it_with_kod_i(buyer, otp_admin_client):
    from invoices.services import invoice_pdf_ensure
    from tests.downloads import pdf_text
    from tests.invoices.online_helpers import decode_pdf_texts

    invoice = every_kind(buyer)["installment"]
    with invoice_pdf_ensure(invoice=invoice).pdf.open("rb") as file:
        assert "Faktura nie ma jeszcze numeru KSeF" in pdf_text(file.read())

    changelist = reverse("admin:invoices_invoice_changelist")
    form = {"action": "set_ksef_number", "_selected_action": [invoice.pk], "apply": "1"}
    for wrong in ("123", KSEF_NUMBER[:-2] + "AF"):  # not a KSeF number; a wrong checksum
        bad = otp_admin_client.post(
            changelist, {**form, "ksef_number": wrong, "ksef_hash": FILE_HASH}
        )
        assert bad.status_code == 302
        invoice.refresh_from_db()
        assert invoice.ksef_number == ""

    otp_admin_client.post(
        changelist, {**form, "ksef_number": KSEF_NUMBER.lower(), "ksef_hash": FILE_HASH}
    )
    invoice.refresh_from_db()
    assert invoice.ksef_number == KSEF_NUMBER
    client = signed_in(client_user(buyer))
    response = client.get(reverse("invoices:pdf", args=[invoice.pk]))
    pdf = streamed(response)
    assert f"Numer KSeF: {KSEF_NUMBER}" in pdf_text(pdf)
    urls = [text for text in decode_pdf_texts(pdf) if text.startswith("https://")]
    digest = "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"
    assert urls == [
        f"https://qr.ksef.mf.gov.pl/invoice/5260250274/{invoice.issue_date:%d-%m-%Y}/{digest}"
    ]
    assert KSEF_NUMBER in text_of(client.get(reverse("invoices:detail", args=[invoice.pk])))


def text_of(response) -> str:
    from tests.portal_helpers import text

    return text(response)
