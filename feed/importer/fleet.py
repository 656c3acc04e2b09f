"""Fleet records of one company in bulk: service visits, damages (claims), fuel card
transactions and mileage readings, each per vehicle (a leased asset, by its external id).

A run of one kind is checked in memory (the vehicle is one of the company's, the rows the run
names are read in one query per 5 000 ids) and written with one `bulk_create` for the new rows
and one `bulk_update` for the changed ones. A claim's status is the exception: a damage whose
status changes goes through `damage_change_status` (history, audit, notification), as a
change made by staff does; a new damage gets the first row of its history. A damage record
naming a claim the client reported in the portal (`portal_claim`) joins it the first time
instead of opening a second claim: the reported claim takes the record's external id.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from contracts.fleet.claims.services import ClaimError, damage_change_status
from contracts.fleet.models import (
    Damage,
    DamageStatusChange,
    FuelTransaction,
    MileageReading,
    ServiceVisit,
)
from contracts.models import LeasedAsset
from ebok.datacache import company_data_changed

from .base import CREATED, UNCHANGED, UPDATED, GroupContext, RecordError, assign, changed_fields
from .bulk import BATCH, BulkRejected, _chunks


@dataclass(frozen=True)
class FleetKind:
    model: type
    fields: tuple[str, ...]  # copied from the validated record as they are


SERVICE_VISIT = FleetKind(
    ServiceVisit,
    (
        "date",
        "workshop",
        "mileage_km",
        "scope",
        "description",
        "net",
        "gross",
        "invoice_number",
    ),
)
DAMAGE = FleetKind(
    Damage,
    (
        "occurred_on",
        "place",
        "description",
        "insurer",
        "claim_number",
        "repair_cost",
        "covered_amount",
        "handler_name",
        "handler_phone",
        "handler_email",
    ),
)
FUEL_TRANSACTION = FleetKind(
    FuelTransaction,
    ("occurred_at", "card_number", "station", "product", "litres", "net", "gross", "mileage_km"),
)
MILEAGE_READING = FleetKind(MileageReading, ("read_on", "mileage_km", "source"))


FOREIGN_KEYS = ("asset_id", "contract_id", "invoice_id")


def _vehicles(ctx: GroupContext) -> dict[str, list[LeasedAsset]]:
    """The company's vehicles by external id (the same id may repeat on another contract)."""
    found: dict[str, list[LeasedAsset]] = defaultdict(list)
    for (_contract_pk, external_id), asset in ctx.known.assets.items():
        if asset.pk is not None:
            found[external_id].append(asset)
    return found


def _vehicle(ctx: GroupContext, vehicles: dict[str, list[LeasedAsset]], data: dict) -> LeasedAsset:
    if data["contract"]:
        contract = ctx.contract(data["contract"])
        asset = ctx.known.assets.get((contract.pk, data["asset"]))
        candidates = [asset] if asset is not None and asset.pk is not None else []
    else:
        candidates = vehicles.get(data["asset"], [])
    if not candidates:
        raise RecordError(("asset", _("Nieznany pojazd %(key)s.") % {"key": data["asset"]}))
    if len(candidates) > 1:
        raise RecordError(
            (
                "contract",
                _("Pojazd %(key)s jest w kilku umowach firmy: podaj umowę.")
                % {"key": data["asset"]},
            )
        )
    return candidates[0]


def _stored(model, company, external_ids: list[str]) -> dict[str, object]:
    rows: dict[str, object] = {}
    for chunk in _chunks(sorted(set(external_ids))):
        rows.update(
            (row.external_id, row)
            for row in model.objects.filter(company=company, external_id__in=chunk)
        )
    return rows


def _reported_claims(company, records: list[dict]) -> dict[int, Damage]:
    """The damages reported in the portal that these records name (`portal_claim`)."""
    numbers = sorted({r["portal_claim"] for r in records if r.get("portal_claim")})
    found: dict[int, Damage] = {}
    for chunk in _chunks(numbers):
        found.update(
            (row.pk, row)
            for row in Damage.objects.filter(
                company=company, pk__in=chunk, source=Damage.Source.PORTAL
            )
        )
    return found


def _join_reported(row, reported: dict[int, Damage], data: dict, asset: LeasedAsset):
    """The claim a client reported in the portal that this core record is: the first time it
    takes the record's external id (one claim, with the client's photos and history, not two).
    Returns it and whether it was joined now."""
    number = data["portal_claim"]
    claim = reported.get(number)
    if claim is None:
        raise RecordError(
            ("portal_claim", _("Nieznane zgłoszenie szkody nr %(number)s.") % {"number": number})
        )
    if row is not None:
        if row.pk != claim.pk:
            raise RecordError(
                (
                    "portal_claim",
                    _("Rekord %(key)s jest już inną szkodą niż zgłoszenie nr %(number)s.")
                    % {"key": data["external_id"], "number": number},
                )
            )
        return row, False
    if claim.external_id:
        raise RecordError(
            (
                "portal_claim",
                _("Zgłoszenie szkody nr %(number)s jest już połączone z rekordem %(key)s.")
                % {"number": number, "key": claim.external_id},
            )
        )
    if claim.asset_id != asset.pk:
        raise RecordError(
            (
                "portal_claim",
                _("Zgłoszenie szkody nr %(number)s dotyczy innego pojazdu.") % {"number": number},
            )
        )
    claim.external_id = data["external_id"]
    return claim, True


def _apply(ctx: GroupContext, kind: FleetKind, records: list[dict], *, invoice=None) -> list[str]:
    company = ctx.require_company()
    vehicles = _vehicles(ctx)
    stored = _stored(kind.model, company, [r["external_id"] for r in records])
    reported = _reported_claims(company, records) if kind.model is Damage else {}
    new: dict[str, object] = {}
    changed: dict[int, tuple[object, set[str]]] = {}
    statuses: dict[int, tuple[object, str]] = {}  # damages whose claim status changes
    outcomes = []
    for index, data in enumerate(records):
        try:
            asset = _vehicle(ctx, vehicles, data)
            values = {name: data[name] for name in kind.fields}
            # Keys, not objects: comparing a stored row's `asset` would read it.
            values.update(asset_id=asset.pk, contract_id=asset.contract_id)
            if invoice is not None:
                values["invoice_id"] = invoice(data)
        except RecordError as error:
            raise BulkRejected(index, error) from None
        row = stored.get(data["external_id"])
        joined = False
        if data.get("portal_claim"):
            try:
                row, joined = _join_reported(row, reported, data, asset)
            except RecordError as error:
                raise BulkRejected(index, error) from None
            stored[data["external_id"]] = row
        if row is None and data["external_id"] in new:  # the same record twice: the last wins
            assign(new[data["external_id"]], values)
            if kind.model is Damage:
                new[data["external_id"]].status = data["claim_status"]
            outcomes.append(UNCHANGED)
            continue
        if row is None:
            row = kind.model(company_id=company.pk, external_id=data["external_id"], **values)
            if kind.model is Damage:
                row.status, row.source = data["claim_status"], Damage.Source.CORE
            new[data["external_id"]] = row
            outcomes.append(CREATED)
            continue
        fields = changed_fields(row, values) + (["external_id"] if joined else [])
        status_changes = kind.model is Damage and row.status != data["claim_status"]
        if not fields and not status_changes:
            outcomes.append(UNCHANGED)
            continue
        if fields:
            assign(row, values)
            before = changed.get(row.pk, (row, set()))[1]
            changed[row.pk] = (row, before | set(fields))
        if status_changes:
            statuses[row.pk] = (row, data["claim_status"])
        outcomes.append(UPDATED)
    _write(ctx, kind, list(new.values()), changed, statuses)
    return outcomes


def _write(ctx: GroupContext, kind: FleetKind, new: list, changed: dict, statuses: dict) -> None:
    if not (new or changed or statuses):
        return
    if new:
        kind.model.objects.bulk_create(new, batch_size=BATCH)
        if kind.model is Damage:  # the first row of each claim's history, as staff's register
            DamageStatusChange.objects.bulk_create(
                [
                    DamageStatusChange(damage=row, to_status=row.status, at=row.reported_at)
                    for row in new
                ],
                batch_size=BATCH,
            )
    if changed:
        fields = sorted({name for _row, names in changed.values() for name in names})
        fields = [name.removesuffix("_id") if name in FOREIGN_KEYS else name for name in fields]
        kind.model.objects.bulk_update(
            [row for row, _names in changed.values()], fields, batch_size=BATCH
        )
    for damage, status in statuses.values():
        try:
            damage_change_status(damage=damage, to=status, by=None, audit=ctx.audit)
        except ClaimError as error:
            raise RecordError(("claim_status", str(error))) from None
    company_data_changed(ctx.require_company().pk)


def apply_service_visits(ctx: GroupContext, records: list[dict]) -> list[str]:
    def invoice(data: dict):
        if not data["invoice"]:
            return None
        found = ctx.known.invoices.get(data["invoice"])
        if found is None:
            raise RecordError(
                ("invoice", _("Nieznana faktura %(key)s.") % {"key": data["invoice"]})
            )
        return found.pk

    return _apply(ctx, SERVICE_VISIT, records, invoice=invoice)


def apply_damages(ctx: GroupContext, records: list[dict]) -> list[str]:
    return _apply(ctx, DAMAGE, records)


def apply_fuel_transactions(ctx: GroupContext, records: list[dict]) -> list[str]:
    return _apply(ctx, FUEL_TRANSACTION, records)


def apply_mileage_readings(ctx: GroupContext, records: list[dict]) -> list[str]:
    return _apply(ctx, MILEAGE_READING, records)
