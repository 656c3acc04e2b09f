"""The documents' user-agent stylesheet: WeasyPrint's own without its universal `::marker`,
`::footnote-*` and `::note-*` rules (six extra styles computed for every element, for lists,
footnotes and notes no document has). Every document must look exactly as it did with the
whole stylesheet, and the hook that installs it must still be the one WeasyPrint calls."""

from __future__ import annotations

import datetime as dt
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
import tinycss2
from django.conf import settings
from PIL import Image, ImageChops
from weasyprint import HTML
from weasyprint.html import UA

from contracts.models import Contract
from contracts.pdf import render_schedule_pdf
from ebok import pdf
from invoices.pdf import render_invoice_pdf
from invoices.services import (
    LineSpec,
    VatRate,
    invoice_correct,
    invoice_issue_initial_payment,
    payment_record,
)
from tests.downloads import contract_with_schedule, issue_invoice
from tests.factories import CompanyFactory, LeasedAssetFactory


def _rules(css: str) -> list[str]:
    return [
        tinycss2.serialize(rule.prelude).strip()
        for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
        if rule.type == "qualified-rule"
    ]


def test_only_the_universal_pseudo_element_rules_are_left_out():
    weasyprint_rules = _rules(UA)
    ours = _rules(pdf.documents_user_agent_css())

    left_out = [rule for rule in weasyprint_rules if rule not in ours]
    assert left_out == [
        "::marker",
        "::footnote-call",
        "::footnote-marker",
        "::note-call",
        "::note-marker",
        "::note-callback",
    ]
    assert ours == [rule for rule in weasyprint_rules if rule not in left_out]
    # The at-rules (@page with its margin boxes, @counter-style) are all kept.
    assert pdf.documents_user_agent_css().count("@") == UA.count("@")


def test_weasyprint_still_asks_the_document_for_its_user_agent_stylesheet(monkeypatch):
    """`_ua_stylesheets` is WeasyPrint's (private) hook; were it renamed, documents would quietly
    go back to the whole stylesheet: still right, only slower. This test says so."""
    document_class = pdf._document_class()
    asked = []
    original = document_class._ua_stylesheets

    def spy(self, *args, **kwargs):
        asked.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(document_class, "_ua_stylesheets", spy)
    content = pdf.render_pdf(
        "documents/pdf/demo.html",
        {"title": "Aneks", "version": 1, "paragraphs": ["Treść"], "seller": settings.LESSOR},
    )
    assert content.startswith(b"%PDF-")
    assert len(asked) == 1


def _pages(content: bytes) -> list[Image.Image]:
    """Each page as the reader sees it, at 100 dpi (poppler's pdftoppm)."""
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(
            ["pdftoppm", "-r", "100", "-png", "-", f"{folder}/page"],
            input=content,
            capture_output=True,
            check=True,
        )
        return [Image.open(path).convert("RGB") for path in sorted(Path(folder).glob("*.png"))]


def _documents(company) -> dict[str, object]:
    """A document of each kind: an invoice, a handover invoice, both kinds of correction, a
    repayment schedule and a letter."""
    regular = issue_invoice(company, net="1234.56")
    upward = invoice_correct(
        invoice=issue_invoice(company, net="500.00"),
        lines=[LineSpec("Dopłata", Decimal("100.00"), VatRate.STANDARD)],
        reason="Zmiana ceny",
        issue_date=dt.date(2026, 3, 10),
    )
    paid = issue_invoice(company, net="800.00")
    payment_record(company=company, amount=Decimal("984.00"), received_on=dt.date(2026, 3, 5))
    downward = invoice_correct(
        invoice=paid,
        lines=[LineSpec("Obniżka opłaty", Decimal("-100.00"), VatRate.STANDARD)],
        reason="Rabat",
        issue_date=dt.date(2026, 3, 20),
    )
    financial = contract_with_schedule(company, kind=Contract.Kind.FINANCIAL)
    LeasedAssetFactory(contract=financial)
    handover = invoice_issue_initial_payment(contract=financial, issue_date=dt.date(2026, 1, 15))
    return {
        "invoice": lambda: render_invoice_pdf(regular),
        "upward correction": lambda: render_invoice_pdf(upward),
        "downward correction": lambda: render_invoice_pdf(downward),
        "handover invoice": lambda: render_invoice_pdf(handover),
        "schedule": lambda: render_schedule_pdf(financial),
        "letter": lambda: pdf.render_pdf(
            "documents/pdf/demo.html",
            {
                "title": "Aneks nr 1",
                "version": 2,
                "paragraphs": ["Zażółć gęślą jaźń.", "Druga strona " * 400],
                "seller": settings.LESSOR,
            },
        ),
    }


@pytest.mark.django_db
def test_every_document_looks_exactly_as_with_weasyprints_whole_stylesheet(monkeypatch):
    documents = _documents(CompanyFactory(name="Żwirownia Łęczna Sp. z o.o."))
    ours = {name: render() for name, render in documents.items()}

    monkeypatch.setattr(pdf, "_document_class", lambda: HTML)
    for name, render in documents.items():
        theirs = _pages(render())
        pages = _pages(ours[name])
        assert len(pages) == len(theirs), name
        for number, (page, reference) in enumerate(zip(pages, theirs, strict=True), start=1):
            difference = ImageChops.difference(page, reference).getbbox()
            assert difference is None, f"{name}, page {number}: differs in {difference}"
