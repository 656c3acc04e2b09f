"""Recognising a record sent again unchanged before it is validated or compared.

Each record a company's batch applies leaves the digest of its normalized payload (the JSON
object with sorted keys) under its identity (company, kind, key). The next time the same record
comes, it is counted `unchanged` and skipped — no serializer, no ORM object, no comparison — if
its digest equals the stored one **and** the row it wrote still exists (a record whose row was
deleted in admin goes through the full path and is written again). A record whose payload
differs in anything goes through the full path as before. So a change made in admin to a fed
row stays until the core system sends that record changed; the README says so.

The digest also covers `VERSION` and the deployment's payment allocation mode: a change of what
a record means (a new field's default, another mode) makes every stored digest stale.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import Exists, OuterRef

from accounts.models import Company
from contracts.fleet.models import Damage, FuelTransaction, MileageReading, ServiceVisit
from contracts.models import AdditionalFee, Contract, Installment, InsurancePolicy, LeasedAsset
from invoices.models import Invoice, Payment

from ..models import RecordFingerprint
from ..records import KINDS

if TYPE_CHECKING:
    from .runner import Item

# Bump when the meaning of a record changes (a field added with a default, another check), so
# the next batch applies every record in full once.
VERSION = "1"
CHUNK = 5000
MAX_KEY = 300
# Never skipped: compared on every batch, writes nothing.
NEVER = frozenset({"balance"})
BY_COMPANY_EXTERNAL_ID = {
    "invoice": Invoice,
    "correction": Invoice,
    "payment": Payment,
    "service_visit": ServiceVisit,
    "damage": Damage,
    "fuel_transaction": FuelTransaction,
    "mileage_reading": MileageReading,
}


def _text(value) -> str | None:
    return value if isinstance(value, str) and value else None


def identity(kind: str, raw: dict) -> str | None:
    """The record's key within its company and kind, or None (then it is never skipped)."""
    if kind in NEVER:
        return None
    if kind == "schedule":  # a schedule replaces the contract's whole schedule
        key = _text(raw.get("contract"))
    elif kind in ("fee", "policy"):  # unique per contract, not per company
        contract, own = _text(raw.get("contract")), _text(raw.get("external_id"))
        key = json.dumps([contract, own], ensure_ascii=False) if contract and own else None
    elif kind == "company":
        key = _text(raw.get("external_id")) or _text(raw.get("company"))
    else:
        key = _text(raw.get("external_id"))
    return key if key and len(key) <= MAX_KEY else None


def digest(raw: dict, salt: str) -> str:
    text = json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.blake2b(f"{salt}\n{text}".encode(), digest_size=16).hexdigest()


def _chunks(values: list) -> Iterable[list]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _in_values(model, columns: tuple[str, ...], where: dict, column: str, values: list[str]):
    """`SELECT columns FROM model WHERE where AND column IN values`: on PostgreSQL one query
    with the values as one array parameter (`= ANY(%s)`: thousands of `IN` placeholders cost
    more to build than to run), elsewhere in chunks."""
    values = sorted(set(values))
    if not values:
        return []
    if connection.vendor != "postgresql":
        found = []
        for chunk in _chunks(values):
            found += model.objects.filter(**where, **{f"{column}__in": chunk}).values_list(*columns)
        return found
    quote = connection.ops.quote_name
    names = [quote(model._meta.get_field(name).column) for name in columns]
    conditions = [f"{quote(model._meta.get_field(name).column)} = %s" for name in where]
    conditions.append(f"{quote(model._meta.get_field(column).column)} = ANY(%s)")
    sql = (
        f"SELECT {', '.join(names)} FROM {quote(model._meta.db_table)} "  # noqa: S608 - names from the model
        f"WHERE {' AND '.join(conditions)}"
    )
    params = [getattr(value, "pk", value) for value in where.values()] + [values]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _stored(company: Company, kind: str, keys: list[str]) -> dict[str, str]:
    return dict(
        _in_values(
            RecordFingerprint, ("key", "digest"), {"company": company, "kind": kind}, "key", keys
        )
    )


# --- does the row a record wrote still exist? -------------------------------------------------


class _Rows:
    """What a company has, read once per kind and only for kinds with a record to skip."""

    def __init__(self, company: Company) -> None:
        self.company = company
        self._cache: dict[str, set] = {}

    def _get(self, name: str, load: Callable[[], Iterable]) -> set:
        if name not in self._cache:
            self._cache[name] = set(load())
        return self._cache[name]

    def contracts(self) -> set[str]:
        return self._get(
            "contracts",
            lambda: Contract.objects.filter(
                company=self.company, external_id__isnull=False
            ).values_list("external_id", flat=True),
        )

    def scheduled(self) -> set[str]:
        installments = Installment.objects.filter(contract=OuterRef("pk"))
        return self._get(
            "scheduled",
            lambda: (
                Contract.objects.filter(company=self.company, external_id__isnull=False)
                .filter(Exists(installments))
                .values_list("external_id", flat=True)
            ),
        )

    def pairs(self, model) -> set[tuple[str, str]]:
        """(contract external id, own external id) of assets, fees or policies."""
        return self._get(
            model.__name__,
            lambda: model.objects.filter(
                contract__company=self.company,
                contract__external_id__isnull=False,
                external_id__isnull=False,
            ).values_list("contract__external_id", "external_id"),
        )

    def external_ids(self, model, keys: list[str]) -> set[str]:
        rows = _in_values(model, ("external_id",), {"company": self.company}, "external_id", keys)
        return {external_id for (external_id,) in rows}


def _contract_whole(rows: _Rows, raw: dict) -> bool:
    external_id = raw.get("external_id")
    if external_id not in rows.contracts():
        return False
    assets = rows.pairs(LeasedAsset)
    return all((external_id, asset.get("external_id")) in assets for asset in raw.get("assets", ()))


def _existing(rows: _Rows, company: Company, kind: str, items: list[Item]) -> list[Item]:
    """The items whose row still exists."""
    if kind == "company":
        return [item for item in items if item.fingerprint[0] == company.external_id]
    if kind == "contract":
        return [item for item in items if _contract_whole(rows, item.raw)]
    if kind == "contract_status":
        return [item for item in items if item.raw.get("contract") in rows.contracts()]
    if kind == "schedule":
        return [item for item in items if item.fingerprint[0] in rows.scheduled()]
    if kind in ("fee", "policy"):
        pairs = rows.pairs(AdditionalFee if kind == "fee" else InsurancePolicy)
        return [item for item in items if tuple(json.loads(item.fingerprint[0])) in pairs]
    model = BY_COMPANY_EXTERNAL_ID.get(kind)
    if model is None:
        return []
    found = rows.external_ids(model, [item.fingerprint[0] for item in items])
    return [item for item in items if item.fingerprint[0] in found]


# --- the runner's two calls -----------------------------------------------------------------


def mark(company: Company | None, items: list[Item], *, salt: str) -> list[Item]:
    """Give every readable record its (key, digest); answer the items that are unchanged since
    the company's last applied batch and whose rows still exist (the caller skips them)."""
    by_kind: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        item.fingerprint = None
        if item.parse_error or not isinstance(item.raw, dict):
            continue
        kind = item.kind
        key = identity(kind, item.raw) if kind in KINDS else None
        if key is None:
            continue
        try:
            item.fingerprint = (key, digest(item.raw, f"{VERSION}:{salt}"))
        except (RecursionError, TypeError, ValueError):  # hostile nesting: validation says why
            continue
        by_kind[kind].append(item)
    if company is None:
        return []
    rows = _Rows(company)
    unchanged: list[Item] = []
    for kind, kind_items in by_kind.items():
        stored = _stored(company, kind, [item.fingerprint[0] for item in kind_items])
        same = [
            item for item in kind_items if stored.get(item.fingerprint[0]) == item.fingerprint[1]
        ]
        if same:
            unchanged += _existing(rows, company, kind, same)
    return unchanged


def store(company: Company, items: Iterable[Item]) -> None:
    """Remember the digests of the records just applied (the last one of an identity wins)."""
    latest: dict[tuple[str, str], str] = {}
    for item in items:
        if item.fingerprint is not None:
            latest[(item.kind, item.fingerprint[0])] = item.fingerprint[1]
    if not latest:
        return
    entries = sorted(latest.items())
    if connection.vendor != "postgresql":
        RecordFingerprint.objects.bulk_create(
            [
                RecordFingerprint(company=company, kind=kind, key=key, digest=value)
                for (kind, key), value in entries
            ],
            update_conflicts=True,
            unique_fields=["company", "kind", "key"],
            update_fields=["digest"],
            batch_size=1000,
        )
        return
    # One statement per chunk (bulk_create would send a thousand rows of parameters at a time).
    table = connection.ops.quote_name(RecordFingerprint._meta.db_table)
    sql = (
        f"INSERT INTO {table} (company_id, kind, key, digest) "  # noqa: S608 - the model's table
        "SELECT %s, v.kind, v.key, v.digest FROM unnest(%s::text[], %s::text[], %s::text[]) "
        "AS v(kind, key, digest) "
        f"ON CONFLICT (company_id, kind, key) DO UPDATE SET digest = EXCLUDED.digest "
        f"WHERE {table}.digest <> EXCLUDED.digest"
    )
    with connection.cursor() as cursor:
        for chunk in _chunks(entries):
            cursor.execute(
                sql,
                [
                    company.pk,
                    [kind for (kind, _key), _value in chunk],
                    [key for (_kind, key), _value in chunk],
                    [value for _pair, value in chunk],
                ],
            )
