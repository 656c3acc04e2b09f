"""The invoice PDF, rendered once and stored: the document the client received."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction

from ..models import (
    Invoice,
)
from ..pdf import invoice_pdf_filename, render_invoice_pdf


def _has_stored_pdf(invoice: Invoice) -> bool:
    return bool(invoice.pdf) and invoice.pdf.storage.exists(invoice.pdf.name)


def invoice_pdf_ensure(*, invoice: Invoice) -> Invoice:
    """The invoice with its PDF stored: rendered once, on first need, then always served as is.

    The row lock makes concurrent first requests wait for the one that renders, so an invoice
    never gets two different files. A stored file is never re-rendered (it is the document the
    client received); only a missing one is.
    """
    if _has_stored_pdf(invoice):
        return invoice
    with transaction.atomic():
        locked = (
            Invoice.objects.select_for_update(of=("self",))
            .select_related("contract", "corrected_invoice")
            .get(pk=invoice.pk)
        )
        if _has_stored_pdf(locked):
            return locked
        content = render_invoice_pdf(locked)
        folder = f"invoices/{locked.issue_date:%Y/%m}"
        name = locked.pdf.storage.save(
            f"{folder}/{invoice_pdf_filename(locked)}", ContentFile(content)
        )
        Invoice.objects.filter(pk=locked.pk).update(pdf=name)
        locked.pdf.name = name
    return locked
