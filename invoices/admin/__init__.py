"""Back office for invoices, payments and their settlement.

Money moves only through `invoices.services`: invoices are issued by actions (on contracts,
installments and fees), corrected by a correction action, and payments are booked through
`payment_record`, which allocates them. Totals, amounts paid and credit are never hand-edited.

This module also extends the company, contract, installment and fee admins of the layers
below with their invoicing actions and the company's balance, since those apps may not import
this one.
"""

from ..ksef_admin import set_ksef_number
from ..online import admin as _online_admin  # noqa: F401 (registers the online payments)
from .invoices import InvoiceAdmin
from .layers import (
    AdditionalFeeInvoicingAdmin,
    CompanyFinanceAdmin,
    ContractInvoicingAdmin,
    InstallmentInvoicingAdmin,
)
from .payments import PaymentAdmin

# KSeF numbers (invoices/ksef_admin.py); online payment orders (invoices/online/admin.py).
InvoiceAdmin.actions = [*InvoiceAdmin.actions, set_ksef_number]

__all__ = [
    "AdditionalFeeInvoicingAdmin",
    "CompanyFinanceAdmin",
    "ContractInvoicingAdmin",
    "InstallmentInvoicingAdmin",
    "InvoiceAdmin",
    "PaymentAdmin",
]
