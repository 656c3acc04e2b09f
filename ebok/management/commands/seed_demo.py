"""`manage.py seed_demo [--scale N]`: realistic Polish demo data, built through the services.

Idempotent: every seeder skips what already exists (companies by client number, their contracts
and financial history by company), so a second run changes nothing and prints the same demo
credentials. Dates are relative to the day of the first run; to rebuild with fresh dates, start
from an empty database. `--scale N` adds (or tops up to N contracts) one large company for
benchmarks.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from ebok.dates import today
from ebok.demo import DemoContext, demo_seeders


class Command(BaseCommand):
    help = "Load realistic demo data (idempotent). --scale N adds a large company with N contracts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            type=int,
            default=0,
            metavar="N",
            help="Also build one large company with N contracts (e.g. 1000) for benchmarks.",
        )

    def handle(self, *args, scale: int, **options) -> None:
        started = time.monotonic()
        ctx = DemoContext(
            today=today(),
            scale=max(scale, 0),
            debug=settings.DEBUG,
            log=lambda line: self.stdout.write(f"  {line}"),
        )
        for label, seed in demo_seeders():
            self.stdout.write(f"{label}:")
            app_started = time.monotonic()
            # One app's data goes in whole or not at all, so a failed run can simply be re-run.
            with transaction.atomic():
                seed(ctx)
            self.stdout.write(f"  ({time.monotonic() - app_started:.1f} s)")

        self.stdout.write("")
        for section, lines in ctx.summary.items():
            self.stdout.write(self.style.MIGRATE_HEADING(section))
            for line in lines:
                self.stdout.write(f"  {line}")
            self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready in {time.monotonic() - started:.1f} s.")
        )
