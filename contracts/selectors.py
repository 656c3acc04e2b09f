from __future__ import annotations

from django.db.models import QuerySet

from .models import Contract


def visible_contracts(*, user) -> QuerySet[Contract]:
    """The contracts a client user may see: their company's, narrowed if they are restricted."""
    contracts = Contract.objects.filter(company_id=user.company_id)
    if user.contracts_restricted and not user.is_company_admin:
        contracts = contracts.filter(restricted_users=user)
    return contracts
