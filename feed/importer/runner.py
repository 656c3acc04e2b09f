"""A batch: records grouped by company, each group applied in one transaction.

A group is all or nothing: a record sent again exactly as last applied is counted unchanged
and skipped (`fingerprints`); every other record is validated (all errors are reported, with
their field paths); then the records are applied in dependency order (company, contract,
schedule, fee, policy, invoice, correction, payment, the fleet kinds); the first record a
service refuses rolls the whole group back. Other companies' groups are not affected. The
records of one kind are applied together where the kind has a bulk applier (a few queries for
the whole run), else one by one.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from accounts.audit import AuditContext, audit_log
from accounts.models import Company
from invoices.selectors import company_balance

from ..models import AuditAction, ImportBatch, ReconciliationLine
from ..records import KIND_ORDER, KINDS, error_paths
from . import (
    bulk,
    bulk_corrections,
    bulk_leases,
    bulk_payments,
    fingerprints,
    fleet,
    leases,
    money,
    parties,
)
from .base import UNCHANGED, GroupContext, RecordError
from .known import Known

APPLIERS: dict[str, Callable[[GroupContext, dict], str]] = {
    "company": parties.apply_company,
    "contract": leases.apply_contract,
    "contract_status": leases.apply_contract_status,
    "schedule": leases.apply_schedule,
    "fee": leases.apply_fee,
    "policy": leases.apply_policy,
    "invoice": money.apply_invoice,
    "correction": money.apply_correction,
    "payment": money.apply_payment,
    "balance": money.apply_balance,
}
# Kinds applied a whole run at a time (bounded queries per kind, not per record).
BULK_APPLIERS: dict[str, Callable[[GroupContext, list[dict]], list[str]]] = {
    "contract": bulk_leases.apply_contracts,
    "schedule": bulk_leases.apply_schedules,
    "fee": bulk_leases.apply_fees,
    "policy": bulk_leases.apply_policies,
    "invoice": bulk.apply_invoices,
    "correction": bulk_corrections.apply_corrections,
    "payment": bulk_payments.apply_payments,
    "service_visit": fleet.apply_service_visits,
    "damage": fleet.apply_damages,
    "fuel_transaction": fleet.apply_fuel_transactions,
    "mileage_reading": fleet.apply_mileage_readings,
}
# The batch log keeps this many errors (the API answer carries them all).
STORED_ERRORS = 500


@dataclass
class Item:
    """One record as it came: its position (index in the API list, line in the file)."""

    position: int
    raw: Any = None
    parse_error: str = ""
    # (key, digest) of the record's payload, see `fingerprints`; None: never skipped.
    fingerprint: tuple[str, str] | None = None

    @property
    def kind(self) -> str:
        kind = self.raw.get("kind", "") if isinstance(self.raw, dict) else ""
        return kind if isinstance(kind, str) else ""

    @property
    def external_id(self) -> str:
        value = self.raw.get("external_id", "") if isinstance(self.raw, dict) else ""
        return str(value)[:64] if isinstance(value, str | int) else ""

    @property
    def company_key(self) -> str | None:
        if not isinstance(self.raw, dict):
            return None
        key = self.raw.get("company") or (
            self.raw.get("external_id") if self.kind == "company" else None
        )
        return str(key)[:64] if isinstance(key, str | int) and key != "" else None


class _Rejected(Exception):
    def __init__(self, item: Item, error: RecordError) -> None:
        self.item, self.error = item, error


class _Invalid(Exception):
    """A record of the group failed validation (its errors are already reported)."""


def groups_by_company(items: Iterable[Item]) -> Iterator[tuple[str | None, list[Item]]]:
    """Consecutive records of the same company, in order; a line that cannot be read belongs
    to the group it stands in (so a broken line rejects its company, never half of it)."""
    key: str | None = None
    group: list[Item] = []
    for item in items:
        item_key = item.company_key if not item.parse_error else key
        if group and item_key != key:
            yield key, group
            group = []
        key = item_key
        group.append(item)
    if group:
        yield key, group


class BatchRun:
    def __init__(self, *, batch: ImportBatch, audit: AuditContext, full: bool = False) -> None:
        self.batch = batch
        self.full = full
        self.audit = audit
        self.counts: dict[str, Counter] = defaultdict(Counter)
        self.errors: list[dict] = []
        self.companies: dict[str, str] = {}
        self.records = 0
        self.validators: dict[str, Any] = {}

    # --- reporting --------------------------------------------------------------------------

    def _error(self, item: Item, company: str | None, path: str, message: str) -> None:
        self.errors.append(
            {
                "record": item.position,
                "company": company,
                "kind": item.kind,
                "external_id": item.external_id,
                "path": path,
                "message": message,
            }
        )

    def _reject(self, key: str | None, items: list[Item]) -> None:
        for item in items:
            self.counts[item.kind or "?"]["rejected"] += 1
        if key is not None:
            self.companies[key] = "rejected"
        else:
            self.companies.setdefault("", "rejected")

    # --- one company --------------------------------------------------------------------------

    def _validator(self, kind: str):
        """One serializer per kind for the whole batch: building one copies all its fields,
        which for tens of thousands of records cost more than the import itself."""
        validator = self.validators.get(kind)
        if validator is None:
            validator = self.validators[kind] = KINDS[kind]()
        return validator

    def _validated(self, key: str | None, items: list[Item]) -> list[tuple[Item, str, dict]] | None:
        """The records, validated; None when any of them is not valid."""
        valid, failed = [], False
        for item in items:
            if item.parse_error:
                self._error(item, key, "", item.parse_error)
                failed = True
                continue
            if not isinstance(item.raw, dict):
                self._error(item, key, "", _("Rekord musi być obiektem JSON."))
                failed = True
                continue
            if item.kind not in KINDS:
                self._error(item, key, "kind", _("Nieznany rodzaj rekordu."))
                failed = True
                continue
            if key is None:
                self._error(item, key, "company", _("Rekord nie wskazuje firmy."))
                failed = True
                continue
            try:
                data = self._validator(item.kind).run_validation(item.raw)
            except ValidationError as error:
                for path, message in error_paths(error.detail):
                    self._error(item, key, path, message)
                failed = True
                continue
            valid.append((item, item.kind, dict(data)))
            # What an error report needs of the record; the rest is in the validated data.
            item.raw = {"kind": item.kind, "external_id": item.external_id}
        return None if failed else valid

    def apply_group(self, key: str | None, items: list[Item]) -> None:
        self.records += len(items)
        ctx = GroupContext(
            company_key=key,
            audit=self.audit,
            payment_mode=settings.FEED_PAYMENT_ALLOCATION,
            company=Company.objects.filter(external_id=key).first() if key is not None else None,
        )
        outcomes: Counter = Counter()
        try:
            with transaction.atomic():
                if ctx.company is not None:
                    # One import of a company at a time (the API and the nightly file may meet):
                    # what it has is read under the lock.
                    ctx.company = Company.objects.select_for_update().get(pk=ctx.company.pk)
                # Records sent again exactly as last applied (and whose rows still exist) are
                # counted unchanged without being validated or compared (see `fingerprints`).
                skipped = fingerprints.mark(
                    None if self.full else ctx.company, items, salt=ctx.payment_mode
                )
                for item in skipped:
                    outcomes[(item.kind, UNCHANGED)] += 1
                    item.raw = {"kind": item.kind, "external_id": item.external_id}
                skipped_ids = {id(item) for item in skipped}
                valid = self._validated(key, [i for i in items if id(i) not in skipped_ids])
                if valid is None:
                    raise _Invalid
                valid.sort(key=lambda entry: KIND_ORDER[entry[1]])
                ctx.balances = [
                    (data["as_of"], data["balance"]) for _i, k, data in valid if k == "balance"
                ]
                if any(kind != "balance" for _i, kind, _data in valid):
                    ctx.known = Known.load(ctx.company, [(kind, data) for _i, kind, data in valid])
                for kind, run in groupby(valid, key=lambda entry: entry[1]):
                    self._apply_run(ctx, kind, list(run), outcomes)
                if ctx.company is not None:
                    fingerprints.store(ctx.company, (item for item, _k, _d in valid))
        except _Invalid:
            self._reject(key, items)
            return
        except _Rejected as rejected:
            for path, message in rejected.error.problems:
                self._error(rejected.item, key, path, message)
            self._reject(key, items)
            self._reconcile(ctx, Company.objects.filter(external_id=key).first())
            return
        for (kind, outcome), count in outcomes.items():
            self.counts[kind][outcome] += count
        self.companies[key] = "applied"
        self._reconcile(ctx, ctx.company)

    @staticmethod
    def _apply_run(ctx: GroupContext, kind: str, run: list, outcomes: Counter) -> None:
        """The records of one kind, in order: in bulk where the kind allows, else one by one."""
        if kind in BULK_APPLIERS:
            try:
                results = BULK_APPLIERS[kind](ctx, [data for _item, _kind, data in run])
            except bulk.BulkRejected as rejected:
                raise _Rejected(run[rejected.index][0], rejected.error) from None
            except RecordError as error:
                raise _Rejected(run[0][0], error) from None
            except DatabaseError as error:  # a conflict the checks could not see
                raise _Rejected(run[0][0], RecordError(("", str(error)))) from None
            outcomes.update((kind, result) for result in results)
            return
        for item, _kind, data in run:
            try:
                outcomes[(kind, APPLIERS[kind](ctx, data))] += 1
            except RecordError as error:
                raise _Rejected(item, error) from None
            except DatabaseError as error:  # a conflict the checks could not see
                raise _Rejected(item, RecordError(("", str(error)))) from None

    def _reconcile(self, ctx: GroupContext, company: Company | None) -> None:
        """The core system's balance next to the portal's, for every balance record."""
        if company is None or not ctx.balances:
            return
        portal = company_balance(company=company).balance
        tolerance = Decimal(settings.FEED_RECONCILIATION_TOLERANCE)
        for as_of, core in ctx.balances:
            ReconciliationLine.objects.create(
                batch=self.batch,
                company=company,
                as_of=as_of,
                core_balance=core,
                portal_balance=portal,
                difference=portal - core,
                mismatch=abs(portal - core) > tolerance,
            )

    # --- the whole batch ---------------------------------------------------------------------

    def finish(self, *, message: str = "") -> ImportBatch:
        batch = self.batch
        totals = Counter()
        for counter in self.counts.values():
            totals.update(counter)
        applied = sum(1 for status in self.companies.values() if status == "applied")
        rejected = len(self.companies) - applied
        batch.records = self.records
        batch.created, batch.updated = totals["created"], totals["updated"]
        batch.unchanged, batch.rejected = totals["unchanged"], totals["rejected"]
        batch.companies_applied, batch.companies_rejected = applied, rejected
        batch.counts = {kind: dict(counter) for kind, counter in sorted(self.counts.items())}
        batch.errors = self.errors[:STORED_ERRORS]
        batch.message = message[:300]
        if message and not self.records:
            batch.status = ImportBatch.Status.FAILED
        elif rejected and applied:
            batch.status = ImportBatch.Status.PARTIAL
        elif rejected:
            batch.status = ImportBatch.Status.REJECTED
        else:
            batch.status = ImportBatch.Status.APPLIED
        batch.finished_at = timezone.now()
        batch.save()
        audit_log(
            audit=self.audit,
            action=AuditAction.BATCH_IMPORTED,
            obj=batch,
            details={
                "status": batch.status,
                "records": batch.records,
                "created": batch.created,
                "updated": batch.updated,
                "unchanged": batch.unchanged,
                "rejected": batch.rejected,
            },
        )
        return batch


def run_batch(
    *, batch: ImportBatch, items: Iterable[Item], audit: AuditContext, full: bool = False
) -> tuple[ImportBatch, BatchRun]:
    """`full`: compare every record with the portal's rows, even one sent unchanged (a record
    then overwrites what admin changed in its row)."""
    run = BatchRun(batch=batch, audit=audit, full=full)
    for key, group in groups_by_company(items):
        run.apply_group(key, group)
    return run.finish(), run
