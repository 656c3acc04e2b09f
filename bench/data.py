"""Benchmark data: the `seed_demo --scale N` company, and a company with exactly N invoices.

The invoice export is measured on a company of its own so the page figures keep using the
realistic seeded data. Its invoices are written with bulk_create (no lines: the report does
not read them), a mix of kinds, paid / partly paid / unpaid, with a share of corrections.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from decimal import Decimal

from django.core.management import call_command
from django.db import transaction

from accounts.models import Company, User
from contracts.models import Contract
from invoices.models import Invoice

SCALE_COMPANY = "39000001"  # accounts.demo.SCALE_COMPANY
# accounts.demo's other demo companies: a handful of contracts each.
SMALL_COMPANIES = ("31000001", "31000002", "31000003", "31000004")
EXPORT_COMPANY = "39000002"
EXPORT_CONTRACTS = 500
BATCH = 5000


def ensure_seeded(scale: int, log=print) -> None:
    company = Company.objects.filter(client_number=SCALE_COMPANY).first()
    have = company.contracts.count() if company else 0
    if have >= scale:
        log(f"seed_demo: {have} contracts already there")
        ensure_documents()
        ensure_applications()
        ensure_fleet()
        return
    log(f"seed_demo --scale {scale} (once; the database is kept between runs)...")
    call_command("seed_demo", scale=scale, stdout=io.StringIO())


def ensure_documents() -> None:
    """Document processes for a database seeded before the document exchange existed."""
    from documents.demo import seed_companies
    from ebok.dates import today
    from ebok.demo import DemoContext

    with transaction.atomic():
        seed_companies(
            DemoContext(today=today(), log=lambda line: None), [SCALE_COMPANY, *SMALL_COMPANIES]
        )


def ensure_applications() -> None:
    """Applications and cases for a database seeded before they existed."""
    from ebok.dates import today
    from ebok.demo import DemoContext
    from requests_app.demo import seed_companies

    with transaction.atomic():
        seed_companies(
            DemoContext(today=today(), log=lambda line: None), [SCALE_COMPANY, *SMALL_COMPANIES]
        )


def ensure_fleet() -> None:
    """A CFM fleet with a year of history for a database seeded before the fleet existed (the
    "Flota" pages); vehicles that have fleet rows already are left alone."""
    from contracts.fleet.demo import SCALE_SHARE, seed_company
    from ebok.dates import today
    from ebok.demo import DemoContext

    company = Company.objects.filter(client_number=SCALE_COMPANY).first()
    if company is None:
        return
    with transaction.atomic():
        seed_company(
            DemoContext(today=today(), log=lambda line: None),
            company,
            share=SCALE_SHARE,
            damages=True,
        )


def bench_user(company: Company) -> User:
    """A company user with every client permission (the admin when there is one)."""
    user = company.users.filter(is_active=True).order_by("-is_company_admin", "pk").first()
    if user is None:
        user = User.objects.create(
            company=company,
            login="bench",
            username=User.client_username(company.client_number, "bench"),
            first_name="Bench",
            last_name="Mark",
            is_company_admin=True,
        )
    return user


def _valid_nip(seed: int) -> str:
    weights = (6, 5, 7, 2, 3, 4, 5, 6, 7)
    rng = random.Random(seed)
    while True:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(8)]
        check = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if check != 10:
            return "".join(map(str, digits)) + str(check)


def ensure_export_company(rows: int, log=print) -> Company:
    company, _ = Company.objects.get_or_create(
        client_number=EXPORT_COMPANY,
        defaults={
            "name": "Eksport Benchmark Sp. z o.o.",
            "nip": _valid_nip(39000002),
            "street": "ul. Testowa 1",
            "postal_code": "00-950",
            "city": "Warszawa",
        },
    )
    have = Invoice.objects.filter(company=company).count()
    if have == rows:
        return company
    log(f"building {rows} invoices for the export benchmark...")
    with transaction.atomic():
        Invoice.objects.filter(company=company, kind=Invoice.Kind.CORRECTION).delete()
        Invoice.objects.filter(company=company).delete()
        Contract.objects.filter(company=company).delete()
        contracts = Contract.objects.bulk_create(
            Contract(
                company=company,
                number=f"LO/2025/{70000 + i}",
                kind=Contract.Kind.OPERATING,
                status=Contract.Status.ACTIVE,
                signed_on=dt.date(2025, 1, 2),
                start_date=dt.date(2025, 1, 10),
                end_date=dt.date(2030, 1, 10),
                net_value=Decimal("150000.00"),
                initial_payment=Decimal("15000.00"),
                buyout_value=Decimal("1500.00"),
                installment_count=60,
                reference_rate_value=Decimal("4.4600"),
                margin=Decimal("2.5000"),
            )
            for i in range(EXPORT_CONTRACTS)
        )
        _bulk_invoices(company, contracts, rows)
    return company


def _bulk_invoices(company: Company, contracts: list[Contract], rows: int) -> None:
    rng = random.Random(20261121)
    corrections = rows // 50
    originals = rows - corrections
    kinds = [Invoice.Kind.INSTALLMENT] * 8 + [Invoice.Kind.FEE, Invoice.Kind.INSURANCE]
    start = dt.date(2025, 2, 1)
    batch: list[Invoice] = []
    created: list[Invoice] = []
    for i in range(originals):
        net = Decimal(rng.randrange(50_000, 900_000)) / 100
        vat = (net * Decimal("0.23")).quantize(Decimal("0.01"))
        gross = net + vat
        issued = start + dt.timedelta(days=i * 600 // originals)
        roll = rng.random()
        paid = gross if roll < 0.7 else (gross / 2).quantize(Decimal("0.01")) if roll < 0.8 else 0
        batch.append(
            Invoice(
                company=company,
                contract=contracts[i % len(contracts)],
                number=f"BX/{issued:%Y/%m}/{i + 1:07d}",
                kind=rng.choice(kinds),
                issue_date=issued,
                sale_date=issued,
                due_date=issued + dt.timedelta(days=14),
                net=net,
                vat=vat,
                gross=gross,
                amount_payable=gross,
                amount_paid=Decimal(paid),
                buyer_name=company.name,
                buyer_nip=company.nip,
                buyer_address=company.address,
            )
        )
        if len(batch) == BATCH:
            created += Invoice.objects.bulk_create(batch)
            batch = []
    created += Invoice.objects.bulk_create(batch)
    batch = []
    for i in range(corrections):
        original = created[rng.randrange(len(created))]
        batch.append(
            Invoice(
                company=company,
                contract=original.contract,
                number=f"BXK/{original.issue_date:%Y/%m}/{i + 1:07d}",
                kind=Invoice.Kind.CORRECTION,
                corrected_invoice=original,
                correction_reason="Benchmark",
                issue_date=original.issue_date,
                sale_date=original.sale_date,
                due_date=original.due_date,
                net=Decimal("-10.00"),
                vat=Decimal("-2.30"),
                gross=Decimal("-12.30"),
                amount_payable=Decimal("0.00"),
                amount_paid=Decimal("0.00"),
                buyer_name=company.name,
                buyer_nip=company.nip,
                buyer_address=company.address,
            )
        )
    for offset in range(0, len(batch), BATCH):
        Invoice.objects.bulk_create(batch[offset : offset + BATCH])
