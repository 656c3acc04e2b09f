"""Invoices, corrections, payments and their settlement.

Every write that moves money for a company first locks the company's row, so settlements of
one company never interleave (two payments booked at once cannot both take the same invoice).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.models import Company
from contracts.models import AdditionalFee, Contract, Installment
from ebok.datacache import company_data_changed
from ebok.dates import today as business_today
from ebok.money import ZERO, format_money, to_money, vat_of

from .models import Invoice, InvoiceLine, InvoiceNumberSequence, Payment, PaymentAllocation
from .pdf import invoice_pdf_filename, render_invoice_pdf

VatRate = InvoiceLine.VatRate


class InvoicingError(Exception):
    """An invoicing or settlement operation that cannot be done; the message is user-facing."""


@dataclass(frozen=True)
class LineSpec:
    description: str
    net: Decimal
    vat_rate: str = VatRate.STANDARD
    quantity: Decimal = Decimal(1)
    unit: str = "szt."
    vat: Decimal | None = None  # given explicitly only for VAT-only lines

    def vat_amount(self) -> Decimal:
        if self.vat is not None:
            return to_money(self.vat)
        return vat_of(self.net, Decimal(self.vat_rate) if self.vat_rate.isdigit() else 0)


def _lock_company(company: Company) -> Company:
    return Company.objects.select_for_update().get(pk=company.pk)


def invoice_next_number(*, issue_date: dt.date, prefix: str = "FV") -> str:
    """The next number in the month's series, e.g. `FV/2026/11/000123` (gap-free, row-locked)."""
    series = f"{prefix}/{issue_date:%Y/%m}"
    sequence, _created = InvoiceNumberSequence.objects.select_for_update().get_or_create(
        prefix=series
    )
    InvoiceNumberSequence.objects.filter(pk=sequence.pk).update(last_value=F("last_value") + 1)
    sequence.refresh_from_db(fields=["last_value"])
    return f"{series}/{sequence.last_value:06d}"


def invoice_lines_build(*, invoice: Invoice, specs: Iterable[LineSpec]) -> list[InvoiceLine]:
    """The invoice's lines from `specs`, unsaved; their amounts are added to the invoice's net,
    VAT and gross (the invoice may be unsaved too: the lines take its key when it has one)."""
    lines = []
    for position, spec in enumerate(specs, start=1):
        net = to_money(spec.net)
        vat = spec.vat_amount()
        quantity = Decimal(spec.quantity)
        lines.append(
            InvoiceLine(
                invoice=invoice,
                position=position,
                description=spec.description,
                quantity=quantity,
                unit=spec.unit,
                unit_net=to_money(net / quantity) if quantity else net,
                net=net,
                vat_rate=spec.vat_rate,
                vat=vat,
                gross=net + vat,
            )
        )
        invoice.net += net
        invoice.vat += vat
    invoice.gross = invoice.net + invoice.vat
    return lines


def _build_invoice(
    *,
    company: Company,
    kind: str,
    lines: Iterable[LineSpec],
    issue_date: dt.date,
    due_date: dt.date | None,
    sale_date: dt.date | None,
    contract: Contract | None,
    corrected_invoice: Invoice | None = None,
    correction_reason: str = "",
    number: str | None = None,
) -> Invoice:
    lines = list(lines)
    if not lines:
        raise InvoicingError(_("Faktura musi mieć co najmniej jedną pozycję."))
    is_correction = corrected_invoice is not None
    prefix = "KOR" if is_correction else "FV"
    invoice = Invoice(
        company=company,
        contract=contract,
        number=number or invoice_next_number(issue_date=issue_date, prefix=prefix),
        kind=Invoice.Kind.CORRECTION if is_correction else kind,
        issue_date=issue_date,
        sale_date=sale_date or issue_date,
        due_date=due_date or issue_date + dt.timedelta(days=settings.INVOICE_PAYMENT_TERM_DAYS),
        net=ZERO,
        vat=ZERO,
        gross=ZERO,
        corrected_invoice=corrected_invoice,
        correction_reason=correction_reason,
        amount_payable=ZERO,
        buyer_name=company.name,
        buyer_nip=company.nip,
        buyer_address=company.address,
    )
    line_objects = invoice_lines_build(invoice=invoice, specs=lines)
    if not is_correction:
        if invoice.gross < 0 or invoice.net < 0 or invoice.vat < 0:
            raise InvoicingError(_("Kwoty faktury nie mogą być ujemne; użyj korekty."))
        invoice.amount_payable = invoice.gross
    invoice.save()
    InvoiceLine.objects.bulk_create(line_objects)  # they take the invoice's new key
    return invoice


@transaction.atomic
def invoice_create(
    *,
    company: Company,
    kind: str,
    lines: Iterable[LineSpec],
    issue_date: dt.date,
    due_date: dt.date | None = None,
    sale_date: dt.date | None = None,
    contract: Contract | None = None,
    number: str | None = None,
) -> Invoice:
    """Issue an invoice; existing credit (overpayment) settles it at once."""
    company = _lock_company(company)
    if contract is not None and contract.company_id != company.pk:
        raise InvoicingError(_("Umowa należy do innej firmy."))
    invoice = _build_invoice(
        company=company,
        kind=kind,
        lines=lines,
        issue_date=issue_date,
        due_date=due_date,
        sale_date=sale_date,
        contract=contract,
        number=number,
    )
    _settle(company)
    company_data_changed(company.pk)
    invoice.refresh_from_db()
    return invoice


def _installment_lines(installment: Installment) -> list[LineSpec]:
    contract = installment.contract
    label = _("Rata leasingowa nr %(number)s/%(count)s, umowa %(contract)s") % {
        "number": installment.number,
        "count": contract.installment_count,
        "contract": contract.number,
    }
    if contract.kind == Contract.Kind.OPERATING:
        return [LineSpec(label, installment.net, VatRate.STANDARD)]
    # Financial lease: the capital part is outside VAT (taxed with the asset at handover),
    # the interest part is exempt (art. 43 ust. 1 pkt 38 ustawy o VAT).
    return [
        LineSpec(
            _("%(label)s – część kapitałowa") % {"label": label},
            installment.capital,
            VatRate.NOT_SUBJECT,
        ),
        LineSpec(
            _("%(label)s – część odsetkowa") % {"label": label},
            installment.interest,
            VatRate.EXEMPT,
        ),
    ]


@transaction.atomic
def invoice_issue_for_installment(
    *, installment: Installment, issue_date: dt.date | None = None
) -> Invoice:
    # The contract first, as schedule_generate / schedule_apply_rate_change lock it: locking the
    # installment first (with its contract in one statement) deadlocked with a rate change.
    Contract.objects.select_for_update().get(pk=installment.contract_id)
    installment = (
        Installment.objects.select_for_update(of=("self",))
        .select_related("contract__company")
        .get(pk=installment.pk)
    )
    if installment.invoice_id:
        raise InvoicingError(
            _("Ta rata ma już fakturę %(number)s.") % {"number": installment.invoice.number}
        )
    issue_date = issue_date or min(business_today(), installment.due_date)
    with override("pl"):  # invoices are issued in Polish whatever the staff member's language
        lines = _installment_lines(installment)
    invoice = invoice_create(
        company=installment.contract.company,
        contract=installment.contract,
        kind=Invoice.Kind.INSTALLMENT,
        lines=lines,
        issue_date=issue_date,
        sale_date=installment.due_date,
        due_date=max(installment.due_date, issue_date),
    )
    installment.invoice = invoice
    installment.save(update_fields=["invoice"])
    company_data_changed(invoice.company_id)
    return invoice


def _lock_contract_without(contract: Contract, kind: str) -> Contract:
    """Lock the contract and refuse a second initial-payment or buyout invoice."""
    contract = (
        Contract.objects.select_for_update(of=("self",))
        .select_related("company")
        .get(pk=contract.pk)
    )
    if contract.invoices.filter(kind=kind).exists():
        raise InvoicingError(
            _("Umowa %(number)s ma już fakturę: %(kind)s.")
            % {"number": contract.number, "kind": Invoice.Kind(kind).label}
        )
    return contract


@transaction.atomic
def invoice_issue_initial_payment(
    *, contract: Contract, issue_date: dt.date | None = None
) -> Invoice:
    """The handover invoice: initial payment, plus for a financial lease the VAT on the asset."""
    contract = _lock_contract_without(contract, Invoice.Kind.INITIAL)
    if contract.kind == Contract.Kind.OPERATING and not contract.initial_payment:
        raise InvoicingError(_("Umowa nie ma opłaty wstępnej."))
    issue_date = issue_date or contract.start_date
    with override("pl"):
        if contract.kind == Contract.Kind.OPERATING:
            lines = [
                LineSpec(
                    _("Opłata wstępna, umowa %(n)s") % {"n": contract.number},
                    contract.initial_payment,
                    VatRate.STANDARD,
                )
            ]
        else:
            lines = [
                LineSpec(
                    _("Opłata wstępna (część kapitałowa), umowa %(n)s") % {"n": contract.number},
                    contract.initial_payment,
                    VatRate.NOT_SUBJECT,
                ),
                LineSpec(
                    _("VAT od wartości przedmiotu leasingu finansowego (%(value)s netto)")
                    % {"value": format_money(contract.net_value, "pl")},
                    ZERO,
                    VatRate.STANDARD,
                    vat=vat_of(contract.net_value, contract.vat_rate),
                ),
            ]
    return invoice_create(
        company=contract.company,
        contract=contract,
        kind=Invoice.Kind.INITIAL,
        lines=lines,
        issue_date=issue_date,
        due_date=issue_date + dt.timedelta(days=7),
    )


@transaction.atomic
def invoice_issue_buyout(*, contract: Contract, issue_date: dt.date | None = None) -> Invoice:
    contract = _lock_contract_without(contract, Invoice.Kind.BUYOUT)
    if not contract.buyout_value:
        raise InvoicingError(_("Umowa nie ma wartości wykupu."))
    issue_date = issue_date or contract.end_date
    rate = VatRate.STANDARD if contract.kind == Contract.Kind.OPERATING else VatRate.NOT_SUBJECT
    with override("pl"):
        lines = [
            LineSpec(
                _("Wykup przedmiotu leasingu, umowa %(n)s") % {"n": contract.number},
                contract.buyout_value,
                rate,
            )
        ]
    return invoice_create(
        company=contract.company,
        contract=contract,
        kind=Invoice.Kind.BUYOUT,
        lines=lines,
        issue_date=issue_date,
    )


@transaction.atomic
def invoice_issue_for_fee(*, fee: AdditionalFee, issue_date: dt.date | None = None) -> Invoice:
    fee = (
        AdditionalFee.objects.select_for_update().select_related("contract__company").get(pk=fee.pk)
    )
    if fee.invoice_id:
        raise InvoicingError(_("Ta opłata ma już fakturę."))
    rate = VatRate.STANDARD if fee.vat else VatRate.NOT_SUBJECT
    with override("pl"):
        description = fee.description or str(AdditionalFee.Kind(fee.kind).label)
        lines = [
            LineSpec(f"{description}, umowa {fee.contract.number}", fee.net, rate, vat=fee.vat)
        ]
    invoice = invoice_create(
        company=fee.contract.company,
        contract=fee.contract,
        kind=Invoice.Kind.FEE,
        lines=lines,
        issue_date=issue_date or fee.charged_on,
    )
    fee.invoice = invoice
    fee.save(update_fields=["invoice"])
    company_data_changed(invoice.company_id)
    return invoice


@transaction.atomic
def invoice_correct(
    *,
    invoice: Invoice,
    lines: Iterable[LineSpec],
    reason: str,
    issue_date: dt.date | None = None,
) -> Invoice:
    """Issue a correction: `lines` carry the differences (negative to lower the amount).

    The original's amount payable changes by the correction's gross. If it drops below what
    was already paid, the newest allocations are released and the money becomes credit, which
    then settles the next liabilities.
    """
    company = _lock_company(invoice.company)
    original = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if original.is_correction:
        raise InvoicingError(_("Korektę wystawia się do faktury pierwotnej, nie do korekty."))
    if not reason.strip():
        raise InvoicingError(_("Podaj przyczynę korekty."))
    correction = _build_invoice(
        company=company,
        kind=Invoice.Kind.CORRECTION,
        lines=lines,
        issue_date=issue_date or business_today(),
        due_date=None,
        sale_date=original.sale_date,
        contract=original.contract,
        corrected_invoice=original,
        correction_reason=reason,
    )
    new_payable = original.amount_payable + correction.gross
    if new_payable < 0:
        raise InvoicingError(_("Korekta nie może obniżyć kwoty poniżej zera."))
    original.amount_payable = new_payable
    _release_excess(original)
    original.save(update_fields=["amount_payable", "amount_paid"])
    _settle(company)
    company_data_changed(company.pk)
    correction.refresh_from_db()
    return correction


def _release_excess(invoice: Invoice) -> None:
    excess = invoice.amount_paid - invoice.amount_payable
    if excess <= 0:
        return
    for allocation in invoice.allocations.select_related("payment").order_by("-id"):
        if excess <= 0:
            break
        released = min(excess, allocation.amount)
        Payment.objects.filter(pk=allocation.payment_id).update(
            unallocated=F("unallocated") + released
        )
        if released == allocation.amount:
            allocation.delete()
        else:
            allocation.amount -= released
            allocation.save(update_fields=["amount"])
        invoice.amount_paid -= released
        excess -= released


@transaction.atomic
def payment_record(
    *,
    company: Company,
    amount: Decimal,
    received_on: dt.date,
    title: str = "",
    bank_reference: str = "",
    assigned_invoice: Invoice | None = None,
) -> Payment:
    """Book incoming money: the invoice the client named first, then the oldest due first."""
    amount = to_money(amount)
    if amount <= 0:
        raise InvoicingError(_("Kwota wpłaty musi być dodatnia."))
    company = _lock_company(company)
    if assigned_invoice is not None and assigned_invoice.company_id != company.pk:
        raise InvoicingError(_("Wskazana faktura należy do innej firmy."))
    payment = Payment.objects.create(
        company=company,
        amount=amount,
        received_on=received_on,
        title=title,
        bank_reference=bank_reference,
        assigned_invoice=assigned_invoice,
        unallocated=amount,
    )
    if assigned_invoice is not None:
        # A correction owes nothing itself: money named for it goes to the invoice it corrects.
        target_pk = assigned_invoice.corrected_invoice_id or assigned_invoice.pk
        target = Invoice.objects.select_for_update().get(pk=target_pk)
        _allocate([payment], [target])
    _settle(company)
    company_data_changed(company.pk)
    payment.refresh_from_db()
    return payment


@transaction.atomic
def company_settle(*, company: Company) -> int:
    """Apply any credit to outstanding invoices, oldest due first. Returns allocations made."""
    allocations = _settle(_lock_company(company))
    company_data_changed(company.pk)
    return allocations


def _settle(company: Company) -> int:
    credits = list(
        Payment.objects.select_for_update()
        .filter(company=company, unallocated__gt=0)
        .order_by("received_on", "id")
    )
    if not credits:
        return 0
    invoices = list(
        Invoice.objects.select_for_update()
        .filter(company=company, amount_payable__gt=F("amount_paid"))
        .order_by("due_date", "issue_date", "id")
    )
    return _allocate(credits, invoices)


def _allocate(payments: list[Payment], invoices: list[Invoice]) -> int:
    """Greedy allocation of the payments' unallocated money to the invoices, in the given order."""
    allocations = []
    touched_payments: dict[int, Payment] = {}
    touched_invoices: dict[int, Invoice] = {}
    payment_iter = iter(payments)
    payment = next(payment_iter, None)
    for invoice in invoices:
        while payment is not None and invoice.amount_due > 0:
            if payment.unallocated <= 0:
                payment = next(payment_iter, None)
                continue
            amount = min(payment.unallocated, invoice.amount_due)
            allocations.append(PaymentAllocation(payment=payment, invoice=invoice, amount=amount))
            payment.unallocated -= amount
            invoice.amount_paid += amount
            touched_payments[payment.pk] = payment
            touched_invoices[invoice.pk] = invoice
        if payment is None:
            break
    PaymentAllocation.objects.bulk_create(allocations)
    Payment.objects.bulk_update(touched_payments.values(), ["unallocated"], batch_size=500)
    Invoice.objects.bulk_update(touched_invoices.values(), ["amount_paid"], batch_size=500)
    return len(allocations)


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
