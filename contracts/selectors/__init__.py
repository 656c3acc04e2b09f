"""Reads for the client portal, always scoped to the signed-in user.

Every function takes the `user` and narrows by their company AND, for a user restricted to
chosen contracts, by those contracts. Nothing here runs a query per row: lists are one query
(plus one prefetch where noted), so a page costs the same for 5 contracts or 5 000.

One module per subject; callers use the names below (`from contracts import selectors`):
`scope` (who sees which contracts), `installments` (payment status, schedules, totals),
`contracts`, `policies`, `fees`, and `overview` (the dashboard's figures).
"""

from __future__ import annotations

from .contracts import (
    CONTRACT_ORDERINGS,
    CONTRACT_ROW_FIELDS,
    ContractFilters,
    contract_count,
    contract_list,
    contract_status_counts,
    for_list_rows,
    get_contract_for_user,
)
from .fees import (
    FEE_ORDERINGS,
    FeeFilters,
    fee_list,
    fee_totals,
)
from .installments import (
    INSTALLMENT_PAID,
    INSTALLMENT_UNPAID,
    ContractRef,
    InstallmentFilters,
    InstallmentRow,
    InstallmentStatus,
    MonthTotal,
    Totals,
    contract_schedule,
    installment_rows,
    installment_totals,
    installment_values,
    installments_between,
    installments_due_between,
    installments_due_between_totals,
    installments_per_month,
    next_installments,
    remaining_in,
    row_status,
    schedule_installments,
    totals_of,
    with_payment_status,
)
from .overview import (
    ContractsOverview,
    contracts_overview,
)
from .policies import (
    POLICY_ORDERINGS,
    PolicyFilters,
    expiring_policies,
    policy_list,
    policy_status_filter,
)
from .scope import (
    scope_to_user,
    user_sees_all_contracts,
    visibility_scope,
    visible_contract_numbers,
    visible_contracts,
)

__all__ = [
    "CONTRACT_ORDERINGS",
    "CONTRACT_ROW_FIELDS",
    "FEE_ORDERINGS",
    "INSTALLMENT_PAID",
    "INSTALLMENT_UNPAID",
    "POLICY_ORDERINGS",
    "ContractFilters",
    "ContractRef",
    "ContractsOverview",
    "FeeFilters",
    "InstallmentFilters",
    "InstallmentRow",
    "InstallmentStatus",
    "MonthTotal",
    "PolicyFilters",
    "Totals",
    "contract_count",
    "contract_list",
    "contract_schedule",
    "contract_status_counts",
    "contracts_overview",
    "expiring_policies",
    "fee_list",
    "fee_totals",
    "for_list_rows",
    "get_contract_for_user",
    "installment_rows",
    "installment_totals",
    "installment_values",
    "installments_between",
    "installments_due_between",
    "installments_due_between_totals",
    "installments_per_month",
    "next_installments",
    "policy_list",
    "policy_status_filter",
    "remaining_in",
    "row_status",
    "schedule_installments",
    "scope_to_user",
    "totals_of",
    "user_sees_all_contracts",
    "visibility_scope",
    "visible_contract_numbers",
    "visible_contracts",
    "with_payment_status",
]
