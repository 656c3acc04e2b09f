"""KSeF: an invoice as the FA(3) structured invoice (XML), built with `ksef-client`'s FA(3)
builders, which ship the Ministry of Finance's XSD.

The portal only produces the XML for the client to download; submitting invoices to KSeF
stays with the core leasing system.
"""

from __future__ import annotations

import base64
import binascii
import re
from decimal import Decimal

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from ksef_client.documents.fa3 import (
    BasicInvoiceBuilder,
    CorrectionInvoiceBuilder,
    InvoiceParty,
    invoice_to_xml,
)
from ksef_client.documents.fa3.domain import Address, TaxCategory
from ksef_client.documents.fa3.domain import InvoiceLine as FA3Line

from accounts.audit import AuditContext, audit_log

from .models import Invoice, InvoiceLine
from .pdf import correction_rows

VatRate = InvoiceLine.VatRate
# "np": outside the scope of Polish VAT (the capital part of a financial lease's installments,
# fees that are not a supply). FA(3) has "np I" (art. 100 ust. 1 pkt 4 aside) for supplies
# not taxed in the country: the closest code; the core system's mapping decides in KSeF.
_TAX = {
    VatRate.STANDARD: TaxCategory.standard_23,
    VatRate.REDUCED_8: TaxCategory.reduced_8,
    VatRate.REDUCED_5: TaxCategory.reduced_5,
    VatRate.ZERO: TaxCategory.zero_domestic,
    VatRate.NOT_SUBJECT: TaxCategory.outside_country,
}


def _tax(line: InvoiceLine) -> TaxCategory:
    if line.vat_rate == VatRate.EXEMPT:
        return TaxCategory.exempt(line.exemption_basis)
    return _TAX[line.vat_rate]()


def _address(text: str) -> Address:
    """ "ul. Prosta 1, 00-001 Warszawa" -> the two address lines FA(3) asks for."""
    street, _sep, city = text.rpartition(", ")
    return Address.polish(street, city) if street else Address.polish(text)


def _seller() -> InvoiceParty:
    lessor = settings.LESSOR
    return InvoiceParty.polish_company(
        nip=lessor["nip"],
        name=lessor["name"],
        address=Address.polish(lessor["street"], f"{lessor['postal_code']} {lessor['city']}"),
    )


def _buyer(invoice: Invoice) -> InvoiceParty:
    return InvoiceParty.polish_company(
        nip=invoice.buyer_nip, name=invoice.buyer_name, address=_address(invoice.buyer_address)
    )


def _correction_lines(builder, correction: Invoice, lines: list[InvoiceLine]) -> None:
    """FA(3) corrects line by line, "before" and "after" (StanPrzed); the portal corrects per
    VAT rate, so each corrected rate is one pair: the family's totals at that rate before
    this correction and after it (the same figures the correction's PDF prints)."""
    bases = {line.vat_rate: line.exemption_basis for line in lines if line.exemption_basis}
    for row in correction_rows(correction, lines):
        if not (row.change.net or row.change.vat):
            continue
        rate = row.before.rate
        exempt = bases.get(rate) or _family_basis(correction, rate)
        tax = TaxCategory.exempt(exempt) if rate == VatRate.EXEMPT else _TAX[rate]()
        vat = rate.isdigit()
        before, after = row.before, row.after
        builder.add_corrected_line_before_after(
            before=FA3Line.service(
                correction.correction_reason or "Korekta",
                quantity=Decimal(1),
                unit_net_price=before.net,
                tax=tax,
                net_amount=before.net,
                vat_amount=before.vat if vat else None,
            ),
            after=FA3Line.service(
                correction.correction_reason or "Korekta",
                quantity=Decimal(1),
                unit_net_price=after.net,
                tax=tax,
                net_amount=after.net,
                vat_amount=after.vat if vat else None,
            ),
        )


def _family_basis(correction: Invoice, rate: str) -> str:
    line = correction.corrected_invoice.lines.filter(vat_rate=rate).exclude(exemption_basis="")
    return line.values_list("exemption_basis", flat=True).first() or ""


def invoice_fa3_xml(invoice: Invoice) -> bytes:
    """The invoice (or correction) as FA(3) XML, checked by the library's own rules."""
    if invoice.is_correction:
        corrected = invoice.corrected_invoice
        builder = CorrectionInvoiceBuilder(invoice_number=invoice.number)
        builder.corrects_invoice(
            number=corrected.number,
            issue_date=corrected.issue_date,
            reason=invoice.correction_reason or "Korekta",
            ksef_number=getattr(corrected, "ksef_number", "") or None,
        )
    else:
        builder = BasicInvoiceBuilder(invoice_number=invoice.number)
    builder.issued_on(invoice.issue_date).sale_date(invoice.sale_date).currency("PLN")
    builder.issue_place(settings.LESSOR["city"])
    builder.seller(_seller()).buyer(_buyer(invoice))
    lines = list(invoice.lines.all())
    if invoice.is_correction:
        _correction_lines(builder, invoice, lines)
    else:
        for line in lines:
            builder.add_service_line(
                line.description,
                quantity=line.quantity,
                unit_net_price=line.unit_net,
                tax=_tax(line),
                unit=line.unit,
                net_amount=line.net,
                vat_amount=line.vat if line.vat_rate.isdigit() else None,
            )
    if invoice.is_payable and invoice.payable_as_issued > Decimal(0):
        builder.payment_due(invoice.due_date)
        builder.bank_account(re.sub(r"\D", "", settings.LESSOR["bank_account"])[-26:])
    return invoice_to_xml(builder.build(), xsd_validate=True)


def fa3_filename(invoice: Invoice) -> str:
    return f"Faktura_{re.sub(r'[^A-Za-z0-9]+', '_', invoice.number).strip('_')}_FA3.xml"


# --- The KSeF number and the verification QR code ("KOD I") --------------------------------------


class KsefError(Exception):
    """A KSeF number or file hash that cannot be right; the message is user-facing."""


def ksef_number_clean(value: str) -> str:
    """The KSeF number as KSeF prints it (35 characters), or KsefError: the format
    NIP-YYYYMMDD-XXXXXXXXXXXX-XX with its CRC-8 checksum (ksef-client's validator), issued for
    the lessor's NIP (the seller of every invoice the portal shows). The 36-character form
    (the technical part split in two) is accepted and stored as 35."""
    from ksef_client.utils.ksef_number import validate_ksef_number

    value = value.strip().upper()
    if not validate_ksef_number(value).is_valid:
        raise KsefError(
            _(
                "Numer KSeF ma postać NIP-RRRRMMDD-XXXXXXXXXXXX-XX (35 znaków, ostatnie dwa to "
                "suma kontrolna CRC-8)."
            )
        )
    parts = value.split("-")
    if len(parts) == 5:
        value = "-".join([parts[0], parts[1], parts[2] + parts[3], parts[4]])
    if value[:10] != settings.LESSOR["nip"]:
        raise KsefError(
            _("Numer KSeF nadano fakturze innego wystawcy (NIP %(nip)s).") % {"nip": value[:10]}
        )
    return value


def _hash_bytes(value: str) -> bytes:
    text = value.strip()
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=False)
    except (ValueError, binascii.Error):
        raw = b""
    if len(raw) != 32:
        raise KsefError(_("Skrót pliku faktury to SHA-256 zapisany w Base64 (44 znaki)."))
    return raw


@transaction.atomic
def invoice_set_ksef_number(
    *, invoice: Invoice, ksef_number: str, ksef_hash: str, audit: AuditContext
) -> Invoice:
    """Record the number KSeF gave the invoice (from the core system or the back office). The
    stored PDF is dropped so the next download prints the number and the verification code."""
    ksef_number = ksef_number_clean(ksef_number)
    digest = base64.b64encode(_hash_bytes(ksef_hash)).decode()
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    invoice.ksef_number, invoice.ksef_hash, invoice.pdf = ksef_number, digest, ""
    invoice.save(update_fields=["ksef_number", "ksef_hash", "pdf"])
    audit_log(
        audit=audit,
        company=invoice.company,
        action="invoice.ksef_number",
        obj=invoice,
        details={"ksef_number": ksef_number},
    )
    return invoice


def verification_url(invoice: Invoice) -> str:
    """KOD I: https://qr.ksef.mf.gov.pl/invoice/{seller NIP}/{issue date DD-MM-RRRR}/{SHA-256 of
    the invoice file, Base64URL}: the page where anyone checks the invoice is in KSeF."""
    digest = base64.urlsafe_b64encode(_hash_bytes(invoice.ksef_hash)).decode().rstrip("=")
    base = settings.KSEF_QR_BASE_URL.rstrip("/")
    return f"{base}/invoice/{settings.LESSOR['nip']}/{invoice.issue_date:%d-%m-%Y}/{digest}"


def verification_qr(invoice: Invoice) -> qrcode.QRCode | None:
    """The KOD I QR code (None without a KSeF number): the PDF prints the KSeF number under
    it, as the Ministry of Finance's layout asks."""
    if not (invoice.ksef_number and invoice.ksef_hash):
        return None
    # box_size 5: half a millimetre a module, about 30 mm for the code (the PDF sizes it too).
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2, box_size=5)
    code.add_data(verification_url(invoice))
    code.make(fit=True)
    return code


def verification_qr_svg(invoice: Invoice) -> str:
    """The KOD I QR code as SVG (empty without a KSeF number)."""
    code = verification_qr(invoice)
    if code is None:
        return ""
    image = code.make_image(image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string(encoding="unicode")
