"""Companies and their first administrator."""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.models import Company, User
from accounts.permissions import PERMISSIONS
from accounts.services import user_invite

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

COMPANY_FIELDS = (
    "client_number",
    "name",
    "nip",
    "regon",
    "street",
    "postal_code",
    "city",
    "email",
    "phone",
    "is_active",
)


def apply_company(ctx: GroupContext, data: dict) -> str:
    key = data["external_id"]
    if data.get("company", key) != key:
        raise RecordError(("company", _("Rekord firmy: „company” musi być równe „external_id”.")))
    values = {name: data.get(name, "") for name in COMPANY_FIELDS}
    values["is_active"] = data.get("is_active", True)
    company = Company.objects.select_for_update().filter(external_id=key).first()
    outcome = UNCHANGED
    if company is None:
        # A client entered in admin before the feed started is taken over by its client number.
        adopted = Company.objects.select_for_update().filter(
            client_number=values["client_number"], external_id__isnull=True
        )
        company = adopted.first() or Company()
        outcome = CREATED if company.pk is None else UPDATED
        company.external_id = key
        assign(company, values)
        checked_save(company)
    elif changed := changed_fields(company, values):
        assign(company, values)
        checked_save(company)
        outcome = UPDATED if changed else UNCHANGED
    ctx.company = company
    admin = data.get("admin")
    if admin and not company.users.exists():
        _create_first_admin(ctx, company, admin)
        outcome = outcome if outcome == CREATED else UPDATED
    return outcome


def _create_first_admin(ctx: GroupContext, company: Company, admin: dict) -> User:
    """The company's first user, with every permission; the first-sign-in SMS goes out."""
    login = admin["login"].lower()
    user = User(
        username=User.client_username(company.client_number, login),
        company=company,
        login=login,
        first_name=admin["first_name"],
        last_name=admin["last_name"],
        email=admin.get("email", ""),
        phone=admin["phone"],
    )
    for permission in PERMISSIONS:
        setattr(user, permission.field, True)
    user.set_unusable_password()
    names = {name: f"admin.{name}" for name in ("login", "email", "phone", "username")}
    checked_save(user, names=names, exclude=["password"])
    user_invite(user=user, by=None, audit=ctx.audit)
    return user
