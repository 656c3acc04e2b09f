"""New contracts (with their assets) and schedules of one company in bulk.

The fast path takes a run of records that are all new (or sent again unchanged): each is
checked in memory as the model's own validation would check it, what could clash with stored
rows (a contract number already used, a schedule row already invoiced) is read in one query
per kind, and the rows are inserted with `bulk_create`. A run with anything else (an update, a
contract taken over from admin, a clash) goes record by record through `leases`, which answers
with the exact field error; nothing is written before that choice is made.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from contracts.models import AdditionalFee, Contract, Installment, InsurancePolicy, LeasedAsset
from ebok.datacache import company_data_changed

from . import leases
from .base import CREATED, UNCHANGED, UPDATED, GroupContext, RecordError, changed_fields
from .bulk import BATCH, BulkRejected, _chunks

SCHEDULE_FIELDS = ("number", "due_date", "capital", "interest", "vat")


class _Slow(Exception):
    """The run needs the record-by-record path."""


def _one_by_one(apply, ctx: GroupContext, records: list[dict]) -> list[str]:
    outcomes = []
    for index, data in enumerate(records):
        try:
            outcomes.append(apply(ctx, data))
        except RecordError as error:
            raise BulkRejected(index, error) from None
    return outcomes


def _clean(obj, exclude: list[str]) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except DjangoValidationError:
        raise _Slow from None  # the record-by-record path names the field


# --- contracts -----------------------------------------------------------------------------


def _asset_values(asset_data: dict) -> dict:
    values = {name: asset_data.get(name) for name in leases.ASSET_FIELDS}
    for name in ("registration_number", "serial_number"):
        values[name] = values[name] or ""
    return values


def _contract_values(data: dict) -> dict:
    values = {name: data[name] for name in leases.CONTRACT_FIELDS}
    values["kind"] = data["lease_kind"]
    return values


def _unchanged(ctx: GroupContext, contract: Contract, data: dict) -> bool:
    if changed_fields(contract, _contract_values(data)):
        return False
    for asset_data in data["assets"]:
        asset = ctx.known.assets.get((contract.pk, asset_data["external_id"]))
        if asset is None or changed_fields(asset, _asset_values(asset_data)):
            return False
    return True


def _plan_contracts(ctx: GroupContext, records: list[dict]):
    company = ctx.require_company()
    outcomes, contracts, assets = [], [], []
    fresh = [r for r in records if r["external_id"] not in ctx.known.contracts]
    numbers = [r["number"] for r in fresh]
    if len(set(numbers)) != len(numbers):
        raise _Slow
    if len({r["external_id"] for r in fresh}) != len(fresh):
        raise _Slow
    for chunk in _chunks(sorted(numbers)):
        if Contract.objects.filter(company=company, number__in=chunk).exists():
            raise _Slow  # taken over from admin, or a clash: the slow path says which
    for data in records:
        known = ctx.known.contracts.get(data["external_id"])
        if known is not None:
            if not _unchanged(ctx, known, data):
                raise _Slow
            outcomes.append(UNCHANGED)
            continue
        contract = Contract(company=company, external_id=data["external_id"])
        for name, value in _contract_values(data).items():
            setattr(contract, name, value)
        _clean(contract, exclude=["company"])  # the locked company: no query to check it
        keys = [asset_data["external_id"] for asset_data in data["assets"]]
        if len(set(keys)) != len(keys):
            raise _Slow
        for asset_data in data["assets"]:
            asset = LeasedAsset(contract=contract, external_id=asset_data["external_id"])
            for name, value in _asset_values(asset_data).items():
                setattr(asset, name, value)
            _clean(asset, exclude=["contract"])
            assets.append(asset)
        contracts.append(contract)
        outcomes.append(CREATED)
    return outcomes, contracts, assets


def apply_contracts(ctx: GroupContext, records: list[dict]) -> list[str]:
    try:
        outcomes, contracts, assets = _plan_contracts(ctx, records)
    except _Slow:
        return _one_by_one(leases.apply_contract, ctx, records)
    except RecordError as error:
        raise BulkRejected(0, error) from None
    if contracts:
        try:
            with transaction.atomic():  # a check only the database makes: the slow path names it
                Contract.objects.bulk_create(contracts, batch_size=BATCH)
                LeasedAsset.objects.bulk_create(assets, batch_size=BATCH)  # with the new keys
        except IntegrityError:
            return _one_by_one(leases.apply_contract, ctx, records)
        for contract in contracts:
            ctx.known.contracts[contract.external_id] = contract
        for asset in assets:
            ctx.known.assets[(asset.contract_id, asset.external_id)] = asset
    return outcomes


# --- fees and policies ---------------------------------------------------------------------


def _fee_values(data: dict) -> dict:
    return {
        "kind": data["fee_kind"],
        "description": data["description"],
        "charged_on": data["charged_on"],
        "net": data["net"],
        "vat": data["vat"],
        "gross": data["net"] + data["vat"],
    }


def _policy_values(ctx: GroupContext, contract: Contract, data: dict) -> dict:
    values = {name: data[name] for name in leases.POLICY_FIELDS}
    values["asset"] = None
    if data["asset"]:
        values["asset"] = ctx.known.assets.get((contract.pk, data["asset"]))
        if values["asset"] is None:
            raise _Slow  # the slow path names the unknown asset
    return values


def _plan_children(ctx: GroupContext, records: list[dict], model, known: dict, values_of):
    """New fees or policies (or ones sent again unchanged), unsaved; `_Slow` for anything else."""
    outcomes, new, keys = [], [], set()
    for data in records:
        contract = ctx.known.contracts.get(data["contract"])
        if contract is None:
            raise _Slow
        key = (contract.pk, data["external_id"])
        if key in keys:
            raise _Slow
        keys.add(key)
        values = values_of(contract, data)
        stored = known.get(key)
        if stored is not None:
            if changed_fields(stored, values):
                raise _Slow
            outcomes.append(UNCHANGED)
            continue
        obj = model(contract=contract, external_id=data["external_id"], **values)
        _clean(obj, exclude=["contract", "asset"])
        new.append((key, obj))
        outcomes.append(CREATED)
    return outcomes, new


def _apply_children(ctx, records, *, model, known, values_of, apply_one, clash=None):
    try:
        ctx.require_company()
        outcomes, new = _plan_children(ctx, records, model, known, values_of)
        if clash is not None and clash([obj for _key, obj in new]):
            raise _Slow
    except _Slow:
        return _one_by_one(apply_one, ctx, records)
    except RecordError as error:
        raise BulkRejected(0, error) from None
    if new:
        try:
            with transaction.atomic():
                model.objects.bulk_create([obj for _key, obj in new], batch_size=BATCH)
        except IntegrityError:
            return _one_by_one(apply_one, ctx, records)
        known.update(new)
    return outcomes


def _policy_numbers_taken(policies: list[InsurancePolicy]) -> bool:
    """Policy numbers are unique per insurer and type, across companies."""
    sent = [(p.insurer, p.number, p.type) for p in policies]
    if len(set(sent)) != len(sent):
        return True
    for chunk in _chunks(sorted({number for _insurer, number, _type in sent})):
        stored = InsurancePolicy.objects.filter(number__in=chunk).values_list(
            "insurer", "number", "type"
        )
        if set(stored) & set(sent):
            return True
    return False


def apply_fees(ctx: GroupContext, records: list[dict]) -> list[str]:
    return _apply_children(
        ctx,
        records,
        model=AdditionalFee,
        known=ctx.known.fees,
        values_of=lambda _contract, data: _fee_values(data),
        apply_one=leases.apply_fee,
    )


def apply_policies(ctx: GroupContext, records: list[dict]) -> list[str]:
    return _apply_children(
        ctx,
        records,
        model=InsurancePolicy,
        known=ctx.known.policies,
        values_of=lambda contract, data: _policy_values(ctx, contract, data),
        apply_one=leases.apply_policy,
        clash=_policy_numbers_taken,
    )


# --- schedules -----------------------------------------------------------------------------


def _check_schedule(contract: Contract, rows: list) -> None:
    """What `schedule_replace` refuses before it writes."""
    if [row.number for row in rows] != list(range(1, len(rows) + 1)):
        raise RecordError(("installments", _("Raty muszą mieć numery 1, 2, 3… po kolei.")))
    if len(rows) != contract.installment_count:
        raise RecordError(
            (
                "installments",
                _("Umowa %(number)s ma %(count)s rat, harmonogram podaje %(rows)s.")
                % {
                    "number": contract.number,
                    "count": contract.installment_count,
                    "rows": len(rows),
                },
            )
        )


def _invoiced_rows(ctx: GroupContext, records: list[dict]) -> dict[int, dict[int, Installment]]:
    """The invoiced installments of the run's contracts (kept by a replacement), locked."""
    pks = sorted(
        {
            ctx.known.contracts[r["contract"]].pk
            for r in records
            if r["contract"] in ctx.known.contracts
        }
    )
    kept: dict[int, dict[int, Installment]] = {}
    for chunk in _chunks(pks):
        list(Contract.objects.select_for_update().filter(pk__in=chunk).values_list("pk"))
        for installment in Installment.objects.filter(contract_id__in=chunk, invoice__isnull=False):
            kept.setdefault(installment.contract_id, {})[installment.number] = installment
    return kept


def _check_kept(kept: dict[int, Installment], rows: list) -> None:
    fields = ("due_date", "capital", "interest", "net", "vat", "gross")
    for row in rows:
        installment = kept.get(row.number)
        if installment is not None and any(
            getattr(installment, f) != getattr(row, f) for f in fields
        ):
            message = _("Rata nr %(number)s jest już zafakturowana i nie może się zmienić.")
            raise RecordError(("installments", message % {"number": row.number}))


def apply_schedules(ctx: GroupContext, records: list[dict]) -> list[str]:
    """Every schedule of the run replaced at once: `schedule_replace` for each contract (the
    invoiced rows kept, and they must come back unchanged), in a few queries in all."""
    ctx.require_company()
    kept = _invoiced_rows(ctx, records)
    outcomes, replaced = [], {}
    for index, data in enumerate(records):
        try:
            contract = ctx.contract(data["contract"])
            rows = leases.schedule_rows(contract, data["installments"])
            sent = [tuple(getattr(row, f) for f in SCHEDULE_FIELDS) for row in rows]
            existing = ctx.known.schedules.get(contract.pk, [])
            if existing == sent:
                outcomes.append(UNCHANGED)
                continue
            _check_schedule(contract, rows)
            _check_kept(kept.get(contract.pk, {}), rows)
        except RecordError as error:
            raise BulkRejected(index, error) from None
        replaced[contract.pk] = (contract, rows)
        ctx.known.schedules[contract.pk] = sent
        outcomes.append(UPDATED if existing else CREATED)
    if not replaced:
        return outcomes
    pks = sorted(replaced)
    for chunk in _chunks(pks):
        Installment.objects.filter(contract_id__in=chunk, invoice__isnull=True).delete()
    Installment.objects.bulk_create(
        (
            Installment(contract=replaced[pk][0], **row.__dict__)
            for pk in pks
            for row in replaced[pk][1]
            if row.number not in kept.get(pk, {})
        ),
        batch_size=BATCH,
    )
    company_data_changed(ctx.require_company().pk)
    return outcomes
