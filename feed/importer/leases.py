"""Contracts with their assets, status changes, schedules, additional fees and policies."""

from __future__ import annotations

from django.utils.translation import gettext as _

from contracts.models import AdditionalFee, Contract, InsurancePolicy, LeasedAsset
from contracts.schedule import ScheduleRow
from contracts.services import ScheduleError, schedule_replace
from ebok.money import ZERO

from .base import (
    CREATED,
    UNCHANGED,
    UPDATED,
    GroupContext,
    RecordError,
    assign,
    changed_fields,
    checked_save,
)

CONTRACT_FIELDS = (
    "number",
    "status",
    "signed_on",
    "start_date",
    "end_date",
    "currency",
    "net_value",
    "initial_payment",
    "buyout_value",
    "installment_count",
    "reference_rate",
    "reference_rate_value",
    "margin",
)
ASSET_FIELDS = (
    "kind",
    "make",
    "model",
    "registration_number",
    "serial_number",
    "production_year",
    "net_value",
)
POLICY_FIELDS = (
    "insurer",
    "number",
    "type",
    "variant",
    "valid_from",
    "valid_to",
    "sum_insured",
    "premium",
    "arranged_by",
)


def _upsert(obj, values: dict, *, names: dict[str, str] | None = None) -> str:
    if obj.pk is None:
        assign(obj, values)
        checked_save(obj, names=names)
        return CREATED
    if not changed_fields(obj, values):
        return UNCHANGED
    assign(obj, values)
    checked_save(obj, names=names)
    return UPDATED


def apply_contract(ctx: GroupContext, data: dict) -> str:
    company = ctx.require_company()
    values = {name: data[name] for name in CONTRACT_FIELDS}
    values["kind"] = data["lease_kind"]
    known = ctx.known
    contract = known.contracts.get(data["external_id"])
    adopted = False
    if contract is None:
        # A contract entered in admin before the feed started is taken over by its number.
        contract = Contract.objects.filter(
            company=company, number=data["number"], external_id__isnull=True
        ).first() or Contract(company=company)
        contract.external_id = data["external_id"]
        if contract.pk is not None:
            contract.save(update_fields=["external_id"])
            adopted = True
    outcome = _upsert(contract, values, names={"kind": "lease_kind"})
    if adopted and outcome == UNCHANGED:
        outcome = UPDATED
    known.contracts[contract.external_id] = contract
    for index, asset_data in enumerate(data["assets"]):
        key = (contract.pk, asset_data["external_id"])
        asset = known.assets.get(key) or LeasedAsset(
            contract=contract, external_id=asset_data["external_id"]
        )
        known.assets[key] = asset
        asset_values = {name: asset_data.get(name) for name in ASSET_FIELDS}
        for name in ("registration_number", "serial_number"):
            asset_values[name] = asset_values[name] or ""
        names = {name: f"assets[{index}].{name}" for name in ASSET_FIELDS}
        if _upsert(asset, asset_values, names=names) != UNCHANGED and outcome == UNCHANGED:
            outcome = UPDATED
    return outcome


def apply_contract_status(ctx: GroupContext, data: dict) -> str:
    contract = ctx.contract(data["contract"])
    return _upsert(contract, {"status": data["status"]})


def schedule_rows(contract: Contract, installments: list[dict]) -> list[ScheduleRow]:
    remaining = contract.financed_capital
    rows = []
    for item in installments:
        net = item["capital"] + item["interest"]
        remaining -= item["capital"]
        rows.append(
            ScheduleRow(
                number=item["number"],
                due_date=item["due_date"],
                capital=item["capital"],
                interest=item["interest"],
                net=net,
                vat=item["vat"],
                gross=net + item["vat"],
                remaining_capital=remaining,
            )
        )
    if remaining < ZERO:
        raise RecordError(
            ("installments", _("Suma części kapitałowych przekracza finansowany kapitał."))
        )
    return rows


def apply_schedule(ctx: GroupContext, data: dict) -> str:
    contract = ctx.contract(data["contract"])
    rows = schedule_rows(contract, data["installments"])
    fields = ("number", "due_date", "capital", "interest", "vat")
    existing = ctx.known.schedules.get(contract.pk, [])
    sent = [tuple(getattr(row, f) for f in fields) for row in rows]
    if existing == sent:
        return UNCHANGED
    try:
        schedule_replace(contract=contract, rows=rows)
    except ScheduleError as error:
        raise RecordError(("installments", str(error))) from None
    ctx.known.schedules[contract.pk] = sent
    return UPDATED if existing else CREATED


def apply_fee(ctx: GroupContext, data: dict) -> str:
    contract = ctx.contract(data["contract"])
    values = {
        "kind": data["fee_kind"],
        "description": data["description"],
        "charged_on": data["charged_on"],
        "net": data["net"],
        "vat": data["vat"],
        "gross": data["net"] + data["vat"],
    }
    key = (contract.pk, data["external_id"])
    fee = ctx.known.fees.get(key)
    if fee is not None and fee.invoice_id and changed_fields(fee, values):
        raise RecordError(("", _("Opłata jest już zafakturowana i nie może się zmienić.")))
    fee = fee or AdditionalFee(contract=contract, external_id=data["external_id"])
    ctx.known.fees[key] = fee
    return _upsert(fee, values, names={"kind": "fee_kind"})


def apply_policy(ctx: GroupContext, data: dict) -> str:
    contract = ctx.contract(data["contract"])
    asset = None
    if data["asset"]:
        asset = ctx.known.assets.get((contract.pk, data["asset"]))
        if asset is None:
            raise RecordError(
                ("asset", _("Nieznany przedmiot umowy %(key)s.") % {"key": data["asset"]})
            )
    values = {name: data[name] for name in POLICY_FIELDS}
    values["asset"] = asset
    key = (contract.pk, data["external_id"])
    policy = ctx.known.policies.get(key) or InsurancePolicy(
        contract=contract, external_id=data["external_id"]
    )
    ctx.known.policies[key] = policy
    return _upsert(policy, values)
