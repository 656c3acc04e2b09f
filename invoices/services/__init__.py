"""Invoices, corrections, payments and their settlement: the app's writes.

- `issuing`: numbering, lines, and the documents of a lease (installments, the handover
  invoice, the buyout, additional fees);
- `corrections`: corrections of issued invoices;
- `payments`: payments booked for a company;
- `settlement`: a company's credit applied to its outstanding invoices, oldest due first;
- `stored_pdf`: the invoice PDF, rendered once and stored.

Every write that moves money for a company first locks the company's row, so settlements of
one company never interleave (two payments booked at once cannot both take the same invoice).
Callers import from here: `from invoices.services import payment_record`.
"""

from .corrections import invoice_correct
from .issuing import (
    InvoicingError,
    LineSpec,
    VatRate,
    invoice_create,
    invoice_issue_buyout,
    invoice_issue_for_fee,
    invoice_issue_for_installment,
    invoice_issue_initial_payment,
    invoice_lines_build,
    invoice_next_number,
)
from .payments import payment_record, payment_record_allocated
from .settlement import company_settle, payments_allocate
from .stored_pdf import invoice_pdf_ensure

__all__ = [
    "InvoicingError",
    "LineSpec",
    "VatRate",
    "company_settle",
    "invoice_correct",
    "invoice_create",
    "invoice_issue_buyout",
    "invoice_issue_for_fee",
    "invoice_issue_for_installment",
    "invoice_issue_initial_payment",
    "invoice_lines_build",
    "invoice_next_number",
    "invoice_pdf_ensure",
    "payment_record",
    "payment_record_allocated",
    "payments_allocate",
]
