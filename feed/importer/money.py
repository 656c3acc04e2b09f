"""Invoices (with lines), corrections, payments, and the core system's balance."""

from __future__ import annotations

import base64
import binascii

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from invoices.models import Invoice, Payment
from invoices.pdf import invoice_pdf_filename
from invoices.services import (
    InvoicingError,
    LineSpec,
    invoice_correct,
    invoice_create,
    payment_record,
    payment_record_allocated,
)

from .base import CREATED, UNCHANGED, UPDATED, GroupContext, RecordError

LINE_FIELDS = ("description", "net", "vat_rate")


def _line_specs(lines: list[dict]) -> list[LineSpec]:
    return [
        LineSpec(
            description=line["description"],
            net=line["net"],
            vat_rate=line["vat_rate"],
            quantity=line["quantity"],
            unit=line["unit"],
            vat=line["vat"],
            exemption_basis=line["exemption_basis"],
        )
        for line in lines
    ]


def _same_document(invoice: Invoice, known_lines: list, data: dict, checks: dict) -> None:
    """An issued invoice is a legal document: sent again it must be the same, else it is an
    error (a change goes as a correction)."""
    stored = known_lines
    sent = [tuple(line[f] for f in LINE_FIELDS) for line in data["lines"]]
    different = [name for name, value in checks.items() if getattr(invoice, name) != value]
    if stored != sent:
        different.append("lines")
    if different:
        raise RecordError(
            (
                different[0],
                _("Dokument %(number)s jest już wystawiony i nie może się zmienić; wyślij korektę.")
                % {"number": invoice.number},
            )
        )


def ksef_update(invoice: Invoice, data: dict) -> bool:
    """Whether the record brings the KSeF number (and file hash) the document does not have
    yet — then they are set on `invoice`, unsaved. A number once given never changes: another
    one is an error. A record without them leaves the stored ones as they are."""
    number, digest = data.get("ksef_number", ""), data.get("ksef_hash", "")
    if not number or (invoice.ksef_number, invoice.ksef_hash) == (number, digest):
        return False
    if invoice.ksef_number:
        path = "ksef_number" if invoice.ksef_number != number else "ksef_hash"
        raise RecordError(
            (
                path,
                _("Dokument %(number)s ma już numer KSeF %(ksef)s; ten numer się nie zmienia.")
                % {"number": invoice.number, "ksef": invoice.ksef_number},
            )
        )
    invoice.ksef_number, invoice.ksef_hash = number, digest
    return True


def ksef_save(invoice: Invoice, data: dict) -> None:
    """Store the KSeF number and hash just set; a PDF the portal rendered is dropped and
    rendered again with them (the core system's own PDF, `pdf_base64`, is kept)."""
    values = {"ksef_number": invoice.ksef_number, "ksef_hash": invoice.ksef_hash}
    if not data.get("pdf_base64"):
        values["pdf"] = ""
        invoice.pdf = ""
    Invoice.objects.filter(pk=invoice.pk).update(**values)
    if "pdf" in values:
        from .bulk import render_after_commit

        render_after_commit([invoice.pk])


def _number_free(number: str) -> None:
    if Invoice.objects.filter(number=number).exists():
        raise RecordError(
            ("number", _("Numer %(number)s ma już inna faktura.") % {"number": number})
        )


def _store_pdf(invoice: Invoice, encoded: str) -> None:
    """The core system's own PDF, kept as the document the client downloads."""
    try:
        content = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise RecordError(("pdf_base64", _("PDF nie jest poprawnym base64."))) from None
    if not content.startswith(b"%PDF-"):
        raise RecordError(("pdf_base64", _("To nie jest plik PDF.")))
    name = invoice.pdf.storage.save(
        f"invoices/{invoice.issue_date:%Y/%m}/{invoice_pdf_filename(invoice)}",
        ContentFile(content),
    )
    Invoice.objects.filter(pk=invoice.pk).update(pdf=name)


def _service_error(error: InvoicingError) -> RecordError:
    return RecordError(("", str(error)))


def apply_invoice(ctx: GroupContext, data: dict) -> str:
    company = ctx.require_company()
    contract = ctx.contract(data["contract"]) if data["contract"] else None
    invoice = ctx.known.invoices.get(data["external_id"])
    if invoice is not None:
        checks = {
            "number": data["number"],
            "kind": data["invoice_kind"],
            "contract_id": contract.pk if contract else None,
            "issue_date": data["issue_date"],
            "due_date": data["due_date"],
            "settled_by_schedule": data["settled_by_schedule"],
        }
        _same_document(invoice, ctx.known.invoice_lines.get(invoice.pk, []), data, checks)
        if ksef_update(invoice, data):
            ksef_save(invoice, data)
            return UPDATED
        return UNCHANGED
    installment = fee = None
    if "installment_number" in data:
        installment = contract.installments.filter(number=data["installment_number"]).first()
        if installment is None:
            raise RecordError(("installment_number", _("Umowa nie ma raty o tym numerze.")))
    if data["fee"]:
        fee = ctx.known.fees.get((contract.pk, data["fee"]))
        if fee is None:
            raise RecordError(("fee", _("Nieznana opłata %(key)s.") % {"key": data["fee"]}))
    for linked, path in ((installment, "installment_number"), (fee, "fee")):
        if linked is not None and linked.invoice_id:
            raise RecordError((path, _("Ma już fakturę %(n)s.") % {"n": linked.invoice.number}))
    _number_free(data["number"])
    try:
        invoice = invoice_create(
            company=company,
            kind=data["invoice_kind"],
            lines=_line_specs(data["lines"]),
            issue_date=data["issue_date"],
            due_date=data["due_date"],
            sale_date=data.get("sale_date"),
            contract=contract,
            number=data["number"],
            settled_by_schedule=data["settled_by_schedule"],
        )
    except InvoicingError as error:
        raise _service_error(error) from None
    invoice.external_id = data["external_id"]
    invoice.ksef_number, invoice.ksef_hash = data["ksef_number"], data["ksef_hash"]
    Invoice.objects.filter(pk=invoice.pk).update(
        external_id=invoice.external_id,
        ksef_number=invoice.ksef_number,
        ksef_hash=invoice.ksef_hash,
    )
    ctx.known.invoices[invoice.external_id] = invoice
    if data["pdf_base64"]:
        _store_pdf(invoice, data["pdf_base64"])
    for linked in (installment, fee):
        if linked is not None:
            linked.invoice = invoice
            linked.save(update_fields=["invoice"])
    return CREATED


def correction_resent(ctx: GroupContext, data: dict, original: Invoice) -> Invoice | None:
    """The stored correction the record names, checked to be the same document (a correction,
    like an invoice, never changes: an error names the field); None for a new one."""
    existing = ctx.known.invoices.get(data["external_id"])
    if existing is not None:
        checks = {
            "number": data["number"],
            "corrected_invoice_id": original.pk,
            "issue_date": data["issue_date"],
            "correction_reason": data["reason"],
        }
        _same_document(existing, ctx.known.invoice_lines.get(existing.pk, []), data, checks)
    return existing


def apply_correction(ctx: GroupContext, data: dict) -> str:
    ctx.require_company()
    original = _invoice(ctx, data["corrects"], "corrects")
    existing = correction_resent(ctx, data, original)
    if existing is not None:
        if ksef_update(existing, data):
            ksef_save(existing, data)
            return UPDATED
        return UNCHANGED
    _number_free(data["number"])
    try:
        correction = invoice_correct(
            invoice=original,
            lines=_line_specs(data["lines"]),
            reason=data["reason"],
            issue_date=data["issue_date"],
            number=data["number"],
        )
    except InvoicingError as error:
        raise _service_error(error) from None
    correction.external_id = data["external_id"]
    correction.ksef_number, correction.ksef_hash = data["ksef_number"], data["ksef_hash"]
    Invoice.objects.filter(pk=correction.pk).update(
        external_id=correction.external_id,
        ksef_number=correction.ksef_number,
        ksef_hash=correction.ksef_hash,
    )
    ctx.known.invoices[correction.external_id] = correction
    return CREATED


def _invoice(ctx: GroupContext, external_id: str, path: str) -> Invoice:
    invoice = ctx.known.invoices.get(external_id)
    if invoice is None:
        raise RecordError((path, _("Nieznana faktura %(key)s.") % {"key": external_id}))
    return invoice


def check_payment_mode(ctx: GroupContext, data: dict) -> None:
    """A payment must come as the deployment's allocation mode wants it."""
    core_allocates = ctx.payment_mode == "core"
    if core_allocates and "allocations" not in data:
        raise RecordError(
            ("allocations", _("To wdrożenie przyjmuje rozliczenia wpłat z systemu źródłowego.")),
        )
    if not core_allocates and "allocations" in data:
        raise RecordError(
            ("allocations", _("To wdrożenie rozlicza wpłaty samo; nie wysyłaj rozliczeń.")),
        )


def apply_payment(ctx: GroupContext, data: dict) -> str:
    company = ctx.require_company()
    core_allocates = ctx.payment_mode == "core"
    check_payment_mode(ctx, data)
    payment = ctx.known.payments.get(data["external_id"])
    if payment is not None:
        if payment.amount != data["amount"] or payment.received_on != data["received_on"]:
            raise RecordError(("amount", _("Wpłata jest już zaksięgowana z inną kwotą lub datą.")))
        return UNCHANGED
    try:
        if core_allocates:
            allocations = [
                (_invoice(ctx, item["invoice"], f"allocations[{i}].invoice"), item["amount"])
                for i, item in enumerate(data["allocations"])
            ]
            payment = payment_record_allocated(
                company=company,
                amount=data["amount"],
                received_on=data["received_on"],
                allocations=allocations,
                title=data["title"],
                bank_reference=data["bank_reference"],
            )
        else:
            named = _invoice(ctx, data["invoice"], "invoice") if data["invoice"] else None
            payment = payment_record(
                company=company,
                amount=data["amount"],
                received_on=data["received_on"],
                title=data["title"],
                bank_reference=data["bank_reference"],
                assigned_invoice=named,
            )
    except InvoicingError as error:
        raise _service_error(error) from None
    Payment.objects.filter(pk=payment.pk).update(external_id=data["external_id"])
    payment.external_id = data["external_id"]
    ctx.known.payments[payment.external_id] = payment
    return CREATED


def apply_balance(ctx: GroupContext, data: dict) -> str:
    ctx.require_company()  # the runner compares the balances once the group is applied
    return UNCHANGED
