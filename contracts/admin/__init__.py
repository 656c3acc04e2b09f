"""Back office for contracts: the contract with its inlines and actions (`contracts`), and the
records of a contract, each on its own list (`records`).

Schedules change only through `contracts.services`. The invoicing actions on contracts,
installments and fees live in `invoices.admin`, which extends these classes: the contracts app
does not import the invoices app above it.
"""

from .contracts import ContractAdmin
from .records import (
    AdditionalFeeAdmin,
    InstallmentAdmin,
    InsurancePolicyAdmin,
    LeasedAssetAdmin,
    RateChangeAdmin,
)

__all__ = [
    "AdditionalFeeAdmin",
    "ContractAdmin",
    "InstallmentAdmin",
    "InsurancePolicyAdmin",
    "LeasedAssetAdmin",
    "RateChangeAdmin",
]
