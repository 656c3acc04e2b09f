"""Corrections through the back office: exact money on every database, only the invoice's own
VAT rates, and the admin answering every refusal with a message."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from invoices.models import Invoice, Payment
from invoices.services import (
    InvoicingError,
    LineSpec,
    VatRate,
    company_settle,
    invoice_correct,
    invoice_create,
)
from tests.admin_helpers import messages_of, run_action

from .helpers import assert_settlement_consistent, issue, paid

pytestmark = pytest.mark.django_db
D = Decimal
SQLITE_RUN = "EBOK_TEST_SQLITE_RUN"  # set in the SQLite subprocess below


def correct_in_admin(client, invoice, net_delta, rate="np"):
    return run_action(
        client,
        Invoice,
        "correct",
        [invoice],
        apply="1",
        net_delta=net_delta,
        vat_rate=rate,
        reason="Anulowanie opłaty",
        description="",
    )


@pytest.mark.parametrize(
    "amounts",
    [("0.10", "0.20"), ("312.60", "5819.63")],
    ids=["0,10+0,20", "312,60+5819,63"],
)
def test_exact_release_of_a_whole_payment(otp_admin_client, company, amounts):
    """Correcting both invoices to zero gives the payment back whole: 0,10 + 0,20 = 0,30
    exactly (SQLite's F() arithmetic in floats made it 0,30000000000000004 > 0,30)."""
    if os.environ.get(SQLITE_RUN):
        assert connection.vendor == "sqlite"  # the subprocess really runs on SQLite
    invoices = [issue(company, amount, due=dt.date(2026, 1, 10)) for amount in amounts]
    total = sum(D(amount) for amount in amounts)
    payment = Payment.objects.create(
        company=company, amount=total, received_on=dt.date(2026, 1, 5), unallocated=total
    )
    company_settle(company=company)
    assert [paid(invoice) for invoice in invoices] == [D(amount) for amount in amounts]

    for invoice, amount in zip(invoices, amounts, strict=True):
        response = correct_in_admin(otp_admin_client, invoice, f"-{amount}")
        assert response.status_code == 200
        assert any("Wystawiono korektę" in m for m in messages_of(response)), response.text

    payment.refresh_from_db()
    assert payment.unallocated == total
    for invoice in invoices:
        invoice.refresh_from_db()
        assert (invoice.amount_payable, invoice.amount_paid) == (0, 0)
    corrections = Invoice.objects.filter(kind=Invoice.Kind.CORRECTION).order_by("pk")
    assert [c.released_to_credit for c in corrections] == [D(amount) for amount in amounts]
    assert_settlement_consistent(company)


@pytest.mark.skipif(bool(os.environ.get(SQLITE_RUN)), reason="this is the SQLite run itself")
@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3",
    reason="already on SQLite",
)
def test_exact_money_holds_on_sqlite_too(tmp_path):
    """The embedded default runs on SQLite: the same scenarios, there (a fresh test database
    in a subprocess, since pytest-django sets up one engine per run)."""
    root = Path(settings.BASE_DIR)
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'ebok.sqlite3'}",
        SQLITE_RUN: "1",
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "--create-db",
            "-p",
            "no:randomly",
            f"{Path(__file__).relative_to(root)}",
            "-k",
            "exact or foreign_rate",
        ],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "3 passed" in result.stdout, result.stdout[-2000:]


def test_a_correction_at_a_foreign_rate_is_refused_in_admin(otp_admin_client, company):
    # 100 @ 23 % corrected by -50 np.: the invoice has no np. line to correct
    invoice = invoice_create(
        company=company,
        kind=Invoice.Kind.OTHER,
        lines=[LineSpec("Usługa", D("100.00"), VatRate.STANDARD)],
        issue_date=dt.date(2026, 3, 2),
    )

    response = correct_in_admin(otp_admin_client, invoice, "-50.00", rate="np")

    assert response.status_code == 200
    errors = messages_of(response)
    assert any("nie ma pozycji w stawce np." in m and "(23%)" in m for m in errors), errors
    assert Invoice.objects.count() == 1
    invoice.refresh_from_db()
    assert invoice.amount_payable == D("123.00")


def test_a_correction_changes_only_the_invoices_rates_and_none_below_zero(company):
    invoice = invoice_create(
        company=company,
        kind=Invoice.Kind.OTHER,
        lines=[
            LineSpec("Usługa", D("100.00"), VatRate.STANDARD),
            LineSpec("Opłata", D("300.00"), VatRate.NOT_SUBJECT),
        ],
        issue_date=dt.date(2026, 3, 2),
    )
    for rate in (VatRate.REDUCED_8, VatRate.EXEMPT, VatRate.ZERO):
        with pytest.raises(InvoicingError, match="nie ma pozycji w stawce"):
            invoice_correct(invoice=invoice, lines=[LineSpec("x", D("-1.00"), rate)], reason="r")
    # -150 at 23 % would leave that rate at -50 net although the invoice as a whole stays
    # positive (123 + 300 - 184,50): refused too
    with pytest.raises(InvoicingError, match="w stawce 23% poniżej zera"):
        invoice_correct(
            invoice=invoice, lines=[LineSpec("x", D("-150.00"), VatRate.STANDARD)], reason="r"
        )
    assert Invoice.objects.count() == 1
    # within the invoice's rates it goes through
    correction = invoice_correct(
        invoice=invoice,
        lines=[
            LineSpec("x", D("-100.00"), VatRate.STANDARD),
            LineSpec("y", D("50.00"), VatRate.NOT_SUBJECT),
        ],
        reason="r",
    )
    assert correction.gross == D("-73.00")
    assert_settlement_consistent(company)


def test_an_exempt_correction_keeps_the_invoices_exemption_basis(company):
    invoice = invoice_create(
        company=company,
        kind=Invoice.Kind.OTHER,
        lines=[LineSpec("Odsetki", D("90.00"), VatRate.EXEMPT, exemption_basis="art. 43 X")],
        issue_date=dt.date(2026, 3, 2),
    )

    correction = invoice_correct(
        invoice=invoice, lines=[LineSpec("Odsetki", D("-10.00"), VatRate.EXEMPT)], reason="r"
    )

    assert correction.lines.get().exemption_basis == "art. 43 X"


def test_an_exempt_line_without_a_basis_is_refused(company):
    with pytest.raises(InvoicingError, match="podstawę prawną zwolnienia"):
        invoice_create(
            company=company,
            kind=Invoice.Kind.OTHER,
            lines=[LineSpec("Odsetki", D("90.00"), VatRate.EXEMPT)],
            issue_date=dt.date(2026, 3, 2),
        )
    assert not Invoice.objects.exists()
