"""Who sees which contracts: their company's, narrowed for a user restricted to chosen ones."""

from __future__ import annotations

from django.db.models import (
    QuerySet,
)

from ebok.datacache import company_cached

from ..models import Contract


def user_sees_all_contracts(user) -> bool:
    return not user.contracts_restricted or user.is_company_admin


def visibility_scope(user) -> str:
    """A cache key part: users who see the same rows share it (a restricted user: their own)."""
    return "company" if user_sees_all_contracts(user) else f"user-{user.pk}"


def visible_contracts(*, user) -> QuerySet[Contract]:
    """The contracts a client user may see: their company's, narrowed if they are restricted."""
    contracts = Contract.objects.filter(company_id=user.company_id)
    if not user_sees_all_contracts(user):
        contracts = contracts.filter(restricted_users=user)
    return contracts


def scope_to_user(queryset: QuerySet, *, user, path: str = "contract") -> QuerySet:
    """Narrow rows that hang off a contract (installments, policies, fees...) to `user`'s view.

    The (contract, user) pair is unique in the restriction table, so the join adds no rows.
    """
    queryset = queryset.filter(**{f"{path}__company_id": user.company_id})
    if not user_sees_all_contracts(user):
        queryset = queryset.filter(**{f"{path}__restricted_users": user})
    return queryset


def visible_contract_numbers(*, user, limit: int = 200) -> list[str]:
    """For the "contract" filter's suggestions (one query, bounded; kept per data version)."""

    def compute() -> list[str]:
        contracts = visible_contracts(user=user).order_by("number")
        return list(contracts.values_list("number", flat=True)[:limit])

    key = f"contract-numbers:{visibility_scope(user)}:{limit}"
    return company_cached(user.company_id, key, compute)


def contract_number_filter(
    queryset: QuerySet, text: str | None, path: str = "contract"
) -> QuerySet:
    return queryset.filter(**{f"{path}__number__icontains": text}) if text else queryset
