from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from ebok.lists import order_by_key

from .models import AuditEntry, Company, Consent, MaskedPassword, User


def client_user_by_identifiers(*, client_number: str, login: str) -> User | None:
    """The client user a sign-in names, or None. Staff (no company) can never match."""
    return (
        User.objects.select_related("company")
        .filter(
            username=User.client_username(client_number, login),
            company__client_number=client_number,
        )
        .first()
    )


def masked_password_for(user: User | None) -> MaskedPassword | None:
    """The user's masked password if they may sign in with it at all, else None."""
    if user is None or not user.is_active or not user.company_id or not user.company.is_active:
        return None
    return MaskedPassword.objects.filter(user=user).first()


def audit_entries_for_company(*, company: Company) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(company=company).select_related("user")


# --- Company administration: always scoped to the admin's own company ---------------------------


class UserState:
    ACTIVE = "active"
    LOCKED = "locked"
    INVITED = "invited"  # waiting for the first sign-in with the one-time password
    INACTIVE = "inactive"


@dataclass(frozen=True)
class CompanyUserFilters:
    q: str | None = None  # name, login, e-mail or phone
    state: str | None = None  # UserState; None = every active (not deactivated) user
    sort: str = "name"


COMPANY_USER_ORDERINGS = {
    "name": ("last_name", "first_name", "login", "pk"),
    "login": ("login", "pk"),
    "last_login": ("last_login", "pk"),
}


def company_users(*, company: Company, filters: CompanyUserFilters) -> QuerySet[User]:
    users = User.objects.filter(company=company)
    state = filters.state
    if state == UserState.INACTIVE:
        users = users.filter(is_active=False)
    else:
        users = users.filter(is_active=True)
        if state == UserState.LOCKED:
            users = users.filter(locked_at__isnull=False)
        elif state == UserState.INVITED:
            users = users.filter(must_change_password=True, locked_at__isnull=True)
        elif state == UserState.ACTIVE:
            users = users.filter(must_change_password=False, locked_at__isnull=True)
    if filters.q:
        text = filters.q.strip()
        users = users.filter(
            Q(first_name__icontains=text)
            | Q(last_name__icontains=text)
            | Q(login__icontains=text)
            | Q(email__icontains=text)
            | Q(phone__icontains=text.replace(" ", ""))
        )
    users = users.prefetch_related("allowed_contracts")
    return order_by_key(users, filters.sort, COMPANY_USER_ORDERINGS)


def get_company_user(*, company: Company, pk: int) -> User:
    """A user of `company` (active or not); 404 for anyone else, staff and other companies."""
    return get_object_or_404(
        User.objects.filter(company=company).prefetch_related("allowed_contracts"), pk=pk
    )


def company_contracts(*, company: Company) -> QuerySet:
    """The contracts an admin may give a user access to: their company's, nobody else's.

    accounts sits below contracts, so the model is reached through the User relation.
    """
    contract_model = User._meta.get_field("allowed_contracts").related_model
    return (
        contract_model.objects.filter(company=company)
        .prefetch_related("assets")
        .order_by("status", "number")
    )


def active_admins(*, company: Company) -> QuerySet[User]:
    """Admins who can act: active and not locked."""
    return User.objects.filter(
        company=company, is_company_admin=True, is_active=True, locked_at__isnull=True
    )


# --- The company's audit log --------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilters:
    user_id: int | None = None
    action: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def company_audit_list(*, company: Company, filters: AuditFilters) -> QuerySet[AuditEntry]:
    """The company's audit entries, newest first; dates are whole days in the local time zone."""
    entries = audit_entries_for_company(company=company)
    if filters.user_id:
        entries = entries.filter(user_id=filters.user_id)
    if filters.action:
        entries = entries.filter(action=filters.action)
    tz = timezone.get_current_timezone()
    if filters.date_from:
        start = dt.datetime.combine(filters.date_from, dt.time.min, tzinfo=tz)
        entries = entries.filter(created_at__gte=start)
    if filters.date_to:
        end = dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        entries = entries.filter(created_at__lt=end)
    return entries.order_by("-created_at", "-pk")


# --- Consents -----------------------------------------------------------------------------------


def consent_state(*, company: Company, user: User | None, kind: str) -> Consent | None:
    """The latest change of a consent (None: never given). `user` None: the company's own."""
    rows = Consent.objects.filter(company=company, kind=kind)
    rows = rows.filter(user=user) if user is not None else rows.filter(user__isnull=True)
    return rows.select_related("by").order_by("-created_at", "-pk").first()


def consent_history(*, company: Company, user: User, limit: int = 50) -> list[Consent]:
    """The user's own consents and the company's, newest first."""
    rows = Consent.objects.filter(company=company).filter(Q(user=user) | Q(user__isnull=True))
    return list(rows.select_related("by").order_by("-created_at", "-pk")[:limit])
