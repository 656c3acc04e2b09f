"""Writes of damages and claims: a client reports a damage in the portal, staff (admin) or the
core system's feed move the claim through its statuses.

Every function is keyword-only, atomic and audited (`audit: AuditContext`). A status change
adds a row to the claim's history and notifies ("fleet.claim_status_changed") the user who
reported it and the company's users with the fleet permission who see the vehicle's contract.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import AuditContext, audit_log
from contracts.models import InsurancePolicy, LeasedAsset
from ebok.datacache import company_data_changed
from ebok.uploads import CheckedFile

from ..models import Damage, DamagePhoto, DamageStatusChange

REPORTED = "fleet.damage_reported"
STATUS_CHANGED = "fleet.claim_status_changed"
UPDATED = "fleet.claim_updated"
REGISTERED = "fleet.claim_registered"

EVENT_STATUS_CHANGED = "fleet.claim_status_changed"

Status = Damage.Status


class ClaimError(Exception):
    """A claim operation that cannot be done (message for people)."""


@dataclass(frozen=True)
class DamageReport:
    """What a client reports: the vehicle, when and where, what happened, photos."""

    asset: LeasedAsset
    occurred_on: dt.date
    place: str
    description: str
    photos: Sequence[CheckedFile] = ()


def claim_policy(asset: LeasedAsset, *, on: dt.date) -> InsurancePolicy | None:
    """The vehicle's policy a claim goes under: AC valid on the day, else OC, else the latest
    AC/OC (a damage reported just after a renewal still finds its insurer)."""
    policies = InsurancePolicy.objects.filter(
        asset=asset, type__in=(InsurancePolicy.Type.AC, InsurancePolicy.Type.OC)
    )
    valid = [p for p in policies if p.valid_from <= on <= p.valid_to]
    for pool in (valid, list(policies)):
        if pool:
            return min(
                pool, key=lambda p: (p.type != InsurancePolicy.Type.AC, -p.valid_to.toordinal())
            )
    return None


def _forget_files(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        default_storage.delete(name)


def damage_report(
    *, user, report: DamageReport, token: uuid.UUID, audit: AuditContext
) -> tuple[Damage, bool]:
    """Open a claim reported in the portal, or return the one this form already opened
    (`token`): (damage, created)."""
    existing = Damage.objects.filter(company_id=user.company_id, submit_token=token).first()
    if existing is not None:
        return existing, False
    stored: list[str] = []
    try:
        with transaction.atomic():
            damage = _create(user=user, report=report, token=token, stored=stored)
            audit_log(
                audit=audit,
                user=user,
                action=REPORTED,
                obj=damage,
                details={
                    "vehicle": report.asset.registration_number or str(report.asset),
                    "occurred_on": report.occurred_on.isoformat(),
                    "photos": len(report.photos),
                },
            )
    except IntegrityError:
        _forget_files(stored)
        again = Damage.objects.filter(company_id=user.company_id, submit_token=token).first()
        if again is not None:  # the same form posted twice at once: the other one won
            return again, False
        raise
    except BaseException:
        _forget_files(stored)
        raise
    company_data_changed(user.company_id)
    return damage, True


def _create(*, user, report: DamageReport, token: uuid.UUID, stored: list[str]) -> Damage:
    asset = report.asset
    policy = claim_policy(asset, on=report.occurred_on)
    now = timezone.now()
    with transaction.atomic():  # a savepoint: a duplicate token fails here
        damage = Damage.objects.create(
            asset=asset,
            contract_id=asset.contract_id,
            company_id=user.company_id,
            occurred_on=report.occurred_on,
            place=report.place,
            description=report.description,
            status=Status.REPORTED,
            source=Damage.Source.PORTAL,
            insurer=policy.insurer if policy else "",
            policy=policy,
            reported_by=user,
            reported_at=now,
            status_changed_at=now,
            submit_token=token,
        )
    DamageStatusChange.objects.create(
        damage=damage, from_status="", to_status=Status.REPORTED, at=now, by=user
    )
    for checked in report.photos:
        photo = DamagePhoto(
            damage=damage,
            name=checked.name,
            content_type=checked.file_type.content_type,
            size=checked.size,
            uploaded_at=now,
        )
        checked.upload.seek(0)
        extension = checked.file_type.extensions[0]
        photo.file.save(f"{uuid.uuid4().hex}{extension}", checked.upload, save=False)
        stored.append(photo.file.name)
        photo.save()
    return damage


# --- the lessor's side: status and claim data ----------------------------------------------


def damage_change_status(
    *,
    damage: Damage,
    to: str,
    by=None,
    note: str = "",
    audit: AuditContext,
    at: dt.datetime | None = None,
) -> Damage:
    """Move the claim to status `to` (staff in admin, or the feed with `by=None`): history,
    audit, notification. The same status again changes nothing."""
    if to not in Status.values:
        raise ClaimError(_("Nieznany status szkody."))
    with transaction.atomic():
        damage = Damage.objects.select_for_update().select_related("asset").get(pk=damage.pk)
        before = damage.status
        if before == to:
            return damage
        now = at or timezone.now()
        damage.status = to
        damage.status_changed_at = now
        damage.save(update_fields=["status", "status_changed_at"])
        DamageStatusChange.objects.create(
            damage=damage, from_status=before, to_status=to, at=now, by=by, note=note[:500]
        )
        audit_log(
            audit=audit,
            user=by,
            company=damage.company,
            action=STATUS_CHANGED,
            obj=damage,
            details={
                "claim": damage.claim_number,
                "vehicle": damage.asset.registration_number,
                "before": before,
                "after": to,
                "note": note[:200],
            },
        )
        _notify_status(damage, moment=now, note=note)
    company_data_changed(damage.company_id)
    return damage


@transaction.atomic
def damage_register(*, damage: Damage, by, audit: AuditContext) -> Damage:
    """A damage staff enter themselves (a new, unsaved `damage`): saved with its first
    history row, audited; nobody is notified of a claim they did not report."""
    now = timezone.now()
    damage.reported_at = damage.status_changed_at = now
    damage.save()
    DamageStatusChange.objects.create(damage=damage, to_status=damage.status, at=now, by=by)
    audit_log(
        audit=audit,
        user=by,
        company=damage.company,
        action=REGISTERED,
        obj=damage,
        details={"claim": damage.claim_number, "status": damage.status},
    )
    company_data_changed(damage.company_id)
    return damage


# Fields staff may edit besides the status (the admin form writes them through here).
EDITABLE = (
    "insurer",
    "claim_number",
    "policy",
    "repair_cost",
    "covered_amount",
    "handler_name",
    "handler_phone",
    "handler_email",
    "occurred_on",
    "place",
    "description",
)


def damage_update(*, damage: Damage, changes: dict[str, Any], by, audit: AuditContext) -> Damage:
    """Claim data edited by staff (not the status: see `damage_change_status`), audited with
    the names of the changed fields."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ClaimError(
            _("Tych danych szkody nie można zmienić: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))}
        )
    repair = changes.get("repair_cost", damage.repair_cost)
    covered = changes.get("covered_amount", damage.covered_amount)
    if repair is not None and covered is not None and Decimal(covered) > Decimal(repair):
        raise ClaimError(
            _("Kwota pokryta przez ubezpieczyciela nie może przekraczać kosztu naprawy.")
        )
    changed = [name for name, value in changes.items() if getattr(damage, name) != value]
    if not changed:
        return damage
    with transaction.atomic():
        for name in changed:
            setattr(damage, name, changes[name])
        damage.save(update_fields=changed)
        audit_log(
            audit=audit,
            user=by,
            company=damage.company,
            action=UPDATED,
            obj=damage,
            details={"claim": damage.claim_number, "fields": ", ".join(changed)},
        )
    company_data_changed(damage.company_id)
    return damage


def claim_recipients(damage: Damage) -> QuerySet:
    """Who hears of the claim: the user who reported it and the company's active users with the
    fleet permission who see the vehicle's contract (one query)."""
    sees_contract = (
        Q(contracts_restricted=False)
        | Q(is_company_admin=True)
        | Q(allowed_contracts=damage.contract_id)
    )
    may_read = Q(is_company_admin=True) | Q(can_view_fleet=True)
    audience = sees_contract & may_read
    if damage.reported_by_id:
        audience |= Q(pk=damage.reported_by_id)
    return (
        get_user_model()
        .objects.filter(company_id=damage.company_id, is_active=True)
        .filter(audience)
        .distinct()
        .order_by("pk")
    )


def _notify_status(damage: Damage, *, moment: dt.datetime, note: str) -> int:
    from notifications.events import Recipient, emit_many

    asset = damage.asset
    context = {
        "vehicle": asset.registration_number or f"{asset.make} {asset.model}",
        "claim": damage.claim_number,
        "occurred_on": f"{damage.occurred_on:%d.%m.%Y}",
        "status": Status(damage.status).label,
        "note": note,
    }
    link = reverse("fleet:claim_detail", args=[damage.pk])
    key = f"{damage.pk}-{int(moment.timestamp() * 1_000_000)}"
    return emit_many(
        EVENT_STATUS_CHANGED,
        [Recipient(user, context, key, link) for user in claim_recipients(damage)],
    )
