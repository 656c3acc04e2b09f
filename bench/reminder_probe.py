"""The daily payment-reminder scan, measured in a fresh process.

    python -m bench.reminder_probe run --day YYYY-MM-DD

Runs `notifications.scans.scan_run("invoices.payment_due", day)` once, over everything in the
benchmark database (the `--scale` company and the reminder company built here), and prints one
JSON line: seconds, queries, messages created. Deliveries are queued to an in-memory broker (a
worker's job, not the scan's), so the figures are the scan's own.

`ensure_reminder_company(invoices)` (used by bench/__main__.py) gives the reminder company
exactly that many invoices: due dates spread over 400 days around today, a third unpaid, and
three users whose lead times are 3, 7 (the default) and 14 days.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sys
import time
from decimal import Decimal

REMINDER_COMPANY = "39000003"
LEAD_DAYS = (3, 7, 14)
BATCH = 5000


def ensure_reminder_company(invoices: int, log=print):
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Company, User
    from bench.data import _valid_nip
    from invoices.models import Invoice
    from notifications.models import NotificationSettings

    company, _ = Company.objects.get_or_create(
        client_number=REMINDER_COMPANY,
        defaults={
            "name": "Przypomnienia Benchmark Sp. z o.o.",
            "nip": _valid_nip(39000003),
            "street": "ul. Terminowa 7",
            "postal_code": "00-950",
            "city": "Warszawa",
        },
    )
    for n, days in enumerate(LEAD_DAYS):
        login = f"przypomnienia{n}"
        user, _ = User.objects.get_or_create(
            company=company,
            login=login,
            defaults={
                "username": User.client_username(company.client_number, login),
                "first_name": "Anna",
                "last_name": f"Terminowa{n}",
                "email": f"{login}@firma.example.pl",
                "phone": f"+4860070{n:04d}",
            },
        )
        NotificationSettings.objects.update_or_create(
            user=user, defaults={"payment_due_days": days}
        )
    if Invoice.objects.filter(company=company).count() == invoices:
        return company
    log(f"building {invoices} invoices for the reminder scan...")
    rng = random.Random(20261202)
    today = timezone.localdate()
    with transaction.atomic():
        Invoice.objects.filter(company=company).delete()
        batch = []
        for i in range(invoices):
            due = today + dt.timedelta(days=i * 400 // invoices - 200)
            gross = Decimal(rng.randrange(10_000, 500_000)) / 100
            unpaid = rng.random() < 1 / 3
            batch.append(
                Invoice(
                    company=company,
                    number=f"BR/{due:%Y/%m}/{i + 1:07d}",
                    kind=Invoice.Kind.INSTALLMENT,
                    issue_date=due - dt.timedelta(days=14),
                    sale_date=due - dt.timedelta(days=14),
                    due_date=due,
                    net=gross,
                    vat=Decimal(0),
                    gross=gross,
                    amount_payable=gross,
                    amount_paid=Decimal(0) if unpaid else gross,
                    buyer_name=company.name,
                    buyer_nip=company.nip,
                    buyer_address=company.address,
                )
            )
            if len(batch) == BATCH:
                Invoice.objects.bulk_create(batch)
                batch = []
        Invoice.objects.bulk_create(batch)
    return company


def forget_reminders(since) -> int:
    """Remove the reminders the probe runs created, so the next bench measures afresh."""
    from notifications.models import Message

    return Message.objects.filter(event="invoice.payment_due", created_at__gte=since).delete()[0]


def main(day: str) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ebok.celery import app
    from notifications.scans import scan_run

    app.conf.task_always_eager = False
    app.conf.broker_url = "memory://localhost/"
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        created = scan_run(name="invoices.payment_due", day=day)
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "queries": len(queries), "created": created}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[sys.argv.index("--day") + 1])))
