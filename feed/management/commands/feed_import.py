from __future__ import annotations

from django.core.management.base import BaseCommand

from feed import nightly
from feed.models import ImportBatch


class Command(BaseCommand):
    help = (
        "Import core-system batch files (JSON Lines) from the feed inbox: the named ones, or "
        "every file not imported yet. Prints the report of each."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("names", nargs="*", help="file names in the inbox (default: pending)")
        parser.add_argument(
            "--full",
            action="store_true",
            help="compare every record with the portal's rows, also one sent unchanged since the "
            "last import (then it overwrites what was changed in admin)",
        )

    def handle(self, *args, names: list[str], full: bool, **options) -> None:
        batches = (
            [nightly.import_file(name=name, full=full) for name in names]
            if names
            else nightly.import_pending(full=full)
        )
        if not batches:
            self.stdout.write("No batch files waiting.")
        for batch in batches:
            self._report(batch)
        if any(
            b.status in (ImportBatch.Status.FAILED, ImportBatch.Status.REJECTED) for b in batches
        ):
            raise SystemExit(1)

    def _report(self, batch: ImportBatch) -> None:
        w = self.stdout.write
        w(f"{batch.file_name}: {batch.status} in {batch.duration}")
        w(
            f"  records {batch.records}: created {batch.created}, updated {batch.updated}, "
            f"unchanged {batch.unchanged}, rejected {batch.rejected}"
        )
        w(f"  companies applied {batch.companies_applied}, rejected {batch.companies_rejected}")
        if batch.message:
            w(f"  {batch.message}")
        for error in batch.errors[:20]:
            w(f"  line {error['record']} {error['path'] or '-'}: {error['message']}")
        for line in batch.reconciliation.select_related("company"):
            flag = "MISMATCH" if line.mismatch else "ok"
            w(
                f"  balance {line.company.client_number} as of {line.as_of}: portal "
                f"{line.portal_balance}, core {line.core_balance}, difference "
                f"{line.difference} {flag}"
            )
