"""What the invoice pages show of paying online: the transfer QR code of an unpaid invoice and
the amount already paid online and in settlement."""

from __future__ import annotations

from django.conf import settings

from ..models import Invoice
from . import selectors
from .qr import invoice_transfer_code


def online_payment_context(*, user, invoice: Invoice) -> dict:
    pending = selectors.in_settlement(user=user, invoice_ids=[invoice.pk]).get(invoice.pk)
    if not invoice.is_payable or invoice.amount_due <= 0:
        return {"in_settlement": pending}
    code = invoice_transfer_code(invoice)
    limit = settings.ONLINE_PAYMENT_MAX_AMOUNT
    return {
        "in_settlement": pending,
        "transfer": code,
        "qr_svg": code.svg(),
        "limit": limit,
        "within_limit": invoice.amount_due <= limit,  # else no "pay online": the reason instead
    }
