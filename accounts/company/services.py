"""Company administration: a company admin manages the users of their own company.

Every function takes the acting admin (`actor`) and checks again what the views check: the
target is a user of the actor's company, the actor never acts on their own account (nobody
raises their own rights or edits themselves out of admin), and the company always keeps an
active, unlocked administrator. That last rule is checked under a row lock on the company, so
two admins demoting each other at the same moment cannot both succeed.

Staff in the back office are not bound by these rules (they may need to block a company's
only admin); they use `accounts.services` directly. Every write takes an `AuditContext` for
the log, so an import or a command can manage users through the same rules.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from notifications.events import emit

from ..audit import BACKGROUND, Action, AuditContext, audit_log
from ..models import Company, LockReason, User
from ..permissions import PERMISSION_FIELDS, PERMISSIONS, Perm, has_perm
from ..profile.email_change import email_change_request
from ..selectors import active_admins, company_contracts
from ..services import (
    user_contact_change_notify,
    user_invite,
    user_lock,
    user_sessions_end,
    user_unlock,
)


class CompanyUserError(Exception):
    """A rule of company administration refused the change; the message is for the admin."""


class _PermissionSet:
    """What a client user may do: one flag per entry of accounts.permissions.PERMISSIONS (with
    its default), `contracts_restricted` and `contract_ids` (they matter only when restricted).
    `Permissions` below is this with those fields, as a frozen dataclass."""

    FLAGS = (*PERMISSION_FIELDS, "contracts_restricted")

    @classmethod
    def of(cls, user: User) -> Permissions:
        ids = frozenset(c.pk for c in user.allowed_contracts.all()) if user.pk else frozenset()
        return cls(**{f: getattr(user, f) for f in cls.FLAGS}, contract_ids=ids)

    def normalised(self) -> Permissions:
        """An administrator sees every contract; an unrestricted user keeps no list."""
        if self.is_company_admin or not self.contracts_restricted:
            return dataclasses.replace(self, contracts_restricted=False, contract_ids=frozenset())
        return self

    def describe(self, company: Company) -> dict:
        """For the audit log: readable, with contract numbers rather than ids."""
        data = {f: getattr(self, f) for f in self.FLAGS}
        if self.contracts_restricted:
            data["contracts"] = sorted(
                company_contracts(company=company)
                .filter(pk__in=self.contract_ids)
                .values_list("number", flat=True)
            )
        return data


Permissions = dataclasses.make_dataclass(
    "Permissions",
    [
        *((p.field, bool, dataclasses.field(default=p.default)) for p in PERMISSIONS),
        ("contracts_restricted", bool, dataclasses.field(default=False)),
        ("contract_ids", frozenset, dataclasses.field(default=frozenset())),
    ],
    bases=(_PermissionSet,),
    frozen=True,
    namespace={"__module__": __name__},
)


def stepup_reasons(*, user: User | None, phone: str, permissions: Permissions) -> list[str]:
    """Why a change needs the admin's fresh SMS code (empty: it does not).

    Adding a user, granting admin and changing a phone number are the critical changes: each
    could hand someone the account.
    """
    if user is None:
        return ["add"]
    reasons = []
    if permissions.is_company_admin and not user.is_company_admin:
        reasons.append("grant_admin")
    if str(phone) != str(user.phone or ""):
        reasons.append("phone")
    return reasons


# --- guards ------------------------------------------------------------------------------------


def _require_admin(actor: User) -> Company:
    if not has_perm(actor, Perm.ADMIN):
        raise PermissionDenied
    return actor.company


def _require_manageable(actor: User, user: User) -> Company:
    company = _require_admin(actor)
    if user.company_id != actor.company_id:
        # The views look users up within the actor's company; reaching here is a bug.
        raise PermissionDenied
    if user.pk == actor.pk:
        raise CompanyUserError(
            _(
                "Nie możesz zmieniać własnego konta. Swoje dane kontaktowe zmienisz w profilu; "
                "uprawnienia może Ci zmienić inny administrator firmy."
            )
        )
    if not user.is_active:
        raise CompanyUserError(_("To konto jest nieaktywne – nie można go już zmieniać."))
    return company


def _lock_company(company: Company, actor: User) -> Company:
    """Serialise changes to the company's administrators (see the module docstring), and
    make sure the actor is still one of them now that nobody else can change that."""
    company = Company.objects.select_for_update().get(pk=company.pk)
    if not active_admins(company=company).filter(pk=actor.pk).exists():
        raise PermissionDenied
    return company


def _ensure_another_admin(company: Company, *, losing: User) -> None:
    if not active_admins(company=company).exclude(pk=losing.pk).exists():
        raise CompanyUserError(
            _(
                "To ostatni aktywny administrator firmy. Najpierw nadaj uprawnienia "
                "administratora innej osobie."
            )
        )


def _contract_ids(company: Company, ids: Iterable[int]) -> frozenset[int]:
    ids = frozenset(int(i) for i in ids)
    found = frozenset(
        company_contracts(company=company).filter(pk__in=ids).values_list("pk", flat=True)
    )
    if found != ids:
        raise CompanyUserError(_("Można wybrać tylko umowy swojej firmy."))
    return found


def _checked_permissions(company: Company, permissions: Permissions) -> Permissions:
    permissions = permissions.normalised()
    if permissions.contracts_restricted and not permissions.contract_ids:
        raise CompanyUserError(
            _("Wybierz co najmniej jedną umowę albo daj dostęp do wszystkich umów.")
        )
    return dataclasses.replace(
        permissions, contract_ids=_contract_ids(company, permissions.contract_ids)
    )


def _apply_permissions(user: User, permissions: Permissions) -> None:
    for flag in Permissions.FLAGS:
        setattr(user, flag, getattr(permissions, flag))


# --- writes ------------------------------------------------------------------------------------


@transaction.atomic
def company_user_create(
    *,
    actor: User,
    login: str,
    first_name: str,
    last_name: str,
    email: str,
    phone: str,
    permissions: Permissions,
    audit: AuditContext = BACKGROUND,
) -> User:
    """A new user of the actor's company; the first-sign-in SMS goes out at once."""
    company = _require_admin(actor)
    login = login.strip().lower()
    permissions = _checked_permissions(company, permissions)
    if User.objects.filter(company=company, login=login).exists():
        raise CompanyUserError(
            _("Login „%(login)s” jest już zajęty w Twojej firmie.") % {"login": login}
        )
    user = User(
        username=User.client_username(company.client_number, login),
        company=company,
        login=login,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip(),
        phone=phone,
    )
    _apply_permissions(user, permissions)
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # the same login added at the same moment
        raise CompanyUserError(
            _("Login „%(login)s” jest już zajęty w Twojej firmie.") % {"login": login}
        ) from None
    user.allowed_contracts.set(permissions.contract_ids)
    audit_log(
        audit=audit,
        user=actor,
        company=company,
        action=Action.USER_CREATED,
        obj=user,
        details={"login": login, "permissions": permissions.describe(company)},
    )
    user_invite(user=user, by=actor, audit=audit)
    _tell_admins_user_added(company, user)
    return user


def _tell_admins_user_added(company: Company, user: User) -> None:
    """Every administrator of the company hears of a new user (a hijacked admin account adding
    itself a helper does not go unnoticed)."""
    admins = active_admins(company=company)
    context = {"name": user.get_full_name() or user.login, "login": user.login}
    for admin in admins.exclude(pk=user.pk):
        emit("account.user_added", user=admin, context=context, dedupe_key=f"user-{user.pk}")


DATA_FIELDS = ("first_name", "last_name", "email", "phone")


@transaction.atomic
def company_user_update(
    *,
    actor: User,
    user: User,
    first_name: str,
    last_name: str,
    email: str,
    phone: str,
    permissions: Permissions,
    audit: AuditContext = BACKGROUND,
) -> list[str]:
    """Change a user's data and permissions; returns the names of what changed."""
    company = _lock_company(_require_manageable(actor, user), actor)
    user = User.objects.select_for_update().get(pk=user.pk)
    _require_manageable(actor, user)  # again, on the locked row
    before = Permissions.of(user)
    after = _checked_permissions(company, permissions)
    if before.is_company_admin and not after.is_company_admin:
        _ensure_another_admin(company, losing=user)

    new_data = {
        "first_name": first_name.strip(),
        "last_name": last_name.strip(),
        "email": email.strip(),
        "phone": str(phone),
    }
    old_data = {field: str(getattr(user, field) or "") for field in DATA_FIELDS}
    data_changes = {
        f: [old_data[f], new_data[f]] for f in DATA_FIELDS if old_data[f] != new_data[f]
    }
    # A new e-mail address must prove it receives mail before it replaces the user's (password
    # reset links go there): a link goes to it, and the user's old address is told.
    email_requested = data_changes.pop("email", None) is not None
    for field in data_changes:
        setattr(user, field, new_data[field])
    _apply_permissions(user, after)
    user.save(update_fields=[*data_changes, *Permissions.FLAGS])
    if after.contract_ids != before.contract_ids:
        user.allowed_contracts.set(after.contract_ids)

    changed = list(data_changes)
    if email_requested:
        email_change_request(user=user, new_email=new_data["email"], by=actor, audit=audit)
        changed.append("email_pending")
    if data_changes:
        audit_log(
            audit=audit,
            user=actor,
            company=company,
            action=Action.USER_UPDATED,
            obj=user,
            details={"changed": data_changes},
        )
    if after != before:
        changed.append("permissions")
        audit_log(
            audit=audit,
            user=actor,
            company=company,
            action=Action.USER_PERMISSIONS_CHANGED,
            obj=user,
            details={"before": before.describe(company), "after": after.describe(company)},
        )
    # An e-mail change is told by email_change_request; `data_changes` holds no "email".
    user_contact_change_notify(user=user, old=old_data, changes=data_changes, by_admin=True)
    return changed


@transaction.atomic
def company_user_lock(*, actor: User, user: User, audit: AuditContext = BACKGROUND) -> None:
    company = _lock_company(_require_manageable(actor, user), actor)
    if user.is_company_admin:
        _ensure_another_admin(company, losing=user)
    user_lock(user=user, reason=LockReason.ADMIN, by=actor, audit=audit)


@transaction.atomic
def company_user_unlock(*, actor: User, user: User, audit: AuditContext = BACKGROUND) -> None:
    _require_manageable(actor, user)
    user_unlock(user=user, by=actor, audit=audit)


@transaction.atomic
def company_user_deactivate(*, actor: User, user: User, audit: AuditContext = BACKGROUND) -> None:
    """Access ends for good (staff can restore it); the login stays taken, the history stays."""
    company = _lock_company(_require_manageable(actor, user), actor)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_company_admin:
        _ensure_another_admin(company, losing=user)
    user.is_active = False
    user_sessions_end(user=user)
    user.save(update_fields=["is_active", "password"])
    audit_log(
        audit=audit,
        user=actor,
        company=company,
        action=Action.USER_DEACTIVATED,
        obj=user,
    )


@transaction.atomic
def company_user_reinvite(*, actor: User, user: User, audit: AuditContext = BACKGROUND) -> None:
    """Back to the first sign-in: a new one-time password by SMS (lifts a lock, too)."""
    _require_manageable(actor, user)
    if not user.phone:
        raise CompanyUserError(_("Użytkownik nie ma numeru telefonu komórkowego."))
    user_invite(user=user, by=actor, audit=audit)
