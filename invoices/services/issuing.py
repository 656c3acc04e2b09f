"""Issuing invoices: numbering, lines, and the documents of a lease (installments, the
handover invoice, the buyout, additional fees)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.models import Company
from contracts.models import AdditionalFee, Contract, Installment, LeasedAsset
from ebok.datacache import company_data_changed
from ebok.dates import today as business_today
from ebok.money import ZERO, to_money, vat_of

from ..events import invoice_issued_notify
from ..models import (
    LEASE_INTEREST_EXEMPTION_BASIS,
    FeeVatRule,
    Invoice,
    InvoiceLine,
    InvoiceNumberSequence,
)
from .settlement import _lock_company, _settle

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
    exemption_basis: str = ""  # the legal basis of an exempt ("zw") line, printed on the invoice

    def vat_amount(self) -> Decimal:
        if self.vat is not None:
            return to_money(self.vat)
        return vat_of(self.net, Decimal(self.vat_rate) if self.vat_rate.isdigit() else 0)


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
        basis = spec.exemption_basis.strip() if spec.vat_rate == VatRate.EXEMPT else ""
        if spec.vat_rate == VatRate.EXEMPT and not basis:
            raise InvoicingError(
                _("Pozycja zwolniona z VAT (%(line)s) musi podawać podstawę prawną zwolnienia.")
                % {"line": spec.description}
            )
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
                exemption_basis=basis,
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
    settled_by_schedule: Decimal = ZERO,
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
        if not ZERO <= settled_by_schedule <= invoice.net:
            raise InvoicingError(_("Część ceny rozliczana w ratach przekracza wartość netto."))
        invoice.settled_by_schedule = settled_by_schedule
        invoice.amount_payable = invoice.gross - settled_by_schedule
    elif invoice.gross > 0:
        # An upward correction is paid on its own term, like an invoice (see `invoice_correct`).
        invoice.amount_payable = invoice.gross
    invoice.save()
    InvoiceLine.objects.bulk_create(line_objects)  # they take the invoice's new key
    invoice_issued_notify(invoice=invoice)
    if settings.INVOICE_PDF_ON_ISSUE:
        # A worker stores the PDF once the invoice is committed, so downloads and ZIPs find it
        # ready. robust: a broker error is logged, never fails the issue (the
        # `render_missing_invoice_pdfs` command and the first download render what is missing).
        from ..tasks import render_invoice_pdf  # tasks import this package

        invoice_id = invoice.pk
        transaction.on_commit(lambda: render_invoice_pdf.delay(invoice_id), robust=True)
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
    settled_by_schedule: Decimal = ZERO,
) -> Invoice:
    """Issue an invoice; existing credit (overpayment) settles it at once.

    `settled_by_schedule`: the part of the net that this invoice documents but does not ask to
    be paid now (a financial lease's asset price, paid by the installments and the buyout).
    """
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
        settled_by_schedule=settled_by_schedule,
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
            exemption_basis=LEASE_INTEREST_EXEMPTION_BASIS,
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


_VEHICLES = {
    LeasedAsset.Kind.PASSENGER_CAR,
    LeasedAsset.Kind.VAN,
    LeasedAsset.Kind.TRUCK,
    LeasedAsset.Kind.TRAILER,
}
_DESCRIPTION_LENGTH = InvoiceLine._meta.get_field("description").max_length


def _asset_description(asset: LeasedAsset) -> str:
    """The goods as art. 106e ust. 1 pkt 7 wants them named: kind, make, model, VIN / serial."""
    kind = str(LeasedAsset.Kind(asset.kind).label)
    parts = [f"{kind[:1].upper()}{kind[1:]} {asset.make} {asset.model}"]
    if asset.serial_number:
        label = _("VIN") if asset.kind in _VEHICLES else _("nr seryjny")
        parts.append(f"{label} {asset.serial_number}")
    if asset.production_year:
        parts.append(_("rok produkcji %(year)s") % {"year": asset.production_year})
    return ", ".join(parts)


def _asset_lines(contract: Contract) -> list[LineSpec]:
    """The leased goods at their net value, 23 % VAT: one line per asset when the assets'
    values add up to the contract's net value, else one line naming them all."""
    assets = list(contract.assets.order_by("id"))
    if not assets:
        raise InvoicingError(
            _(
                "Umowa %(number)s nie ma przedmiotu leasingu: dodaj go (rodzaj, marka, model, "
                "VIN / numer seryjny) przed wystawieniem faktury."
            )
            % {"number": contract.number}
        )
    suffix = _(" – przedmiot umowy leasingu %(number)s") % {"number": contract.number}
    values = [asset.net_value for asset in assets]
    if not (all(values) and sum(values) == contract.net_value):
        description = "; ".join(_asset_description(asset) for asset in assets) + suffix
        if len(description) > _DESCRIPTION_LENGTH:
            description = description[: _DESCRIPTION_LENGTH - 1] + "…"
        return [LineSpec(description, contract.net_value, VatRate.STANDARD)]
    # One line per asset; the VAT is that of the whole value (art. 106e ust. 10: from the sum
    # of the net values), the last line taking the rounding, so the invoice, the contract page
    # and Contract.asset_vat agree to the grosz.
    lines = [
        LineSpec(
            f"{_asset_description(asset)}{suffix}",
            asset.net_value,
            VatRate.STANDARD,
            vat=vat_of(asset.net_value, contract.vat_rate),
        )
        for asset in assets
    ]
    rest = contract.asset_vat - sum(line.vat for line in lines[:-1])
    lines[-1] = dataclasses.replace(lines[-1], vat=rest)
    return lines


@transaction.atomic
def invoice_issue_initial_payment(
    *, contract: Contract, issue_date: dt.date | None = None
) -> Invoice:
    """The handover invoice.

    Operating lease (a service): the initial payment with 23 % VAT.

    Financial lease (a supply of goods, art. 7 ust. 1 pkt 2 ustawy o VAT): the invoice names the
    asset with its whole net value, the VAT on it and the gross price (art. 106e ust. 1 pkt
    7-14). That price is paid in parts: the initial payment and the VAT now, the rest of the net
    (the financed capital) by the capital parts of the installments and the buyout, which their
    own invoices charge outside VAT (np.). So this invoice asks for the initial payment + VAT only
    and records the rest as `settled_by_schedule`: the client is never charged twice, and the
    balance (charges = gross - settled_by_schedule) stays exact to the grosz. Interest is not
    part of the price: it is charged, exempt, on the installment invoices.
    """
    contract = _lock_contract_without(contract, Invoice.Kind.INITIAL)
    if contract.kind == Contract.Kind.OPERATING and not contract.initial_payment:
        raise InvoicingError(_("Umowa nie ma opłaty wstępnej."))
    issue_date = issue_date or contract.start_date
    settled_by_schedule = ZERO
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
            lines = _asset_lines(contract)
            settled_by_schedule = contract.financed_capital
    return invoice_create(
        company=contract.company,
        contract=contract,
        kind=Invoice.Kind.INITIAL,
        lines=lines,
        issue_date=issue_date,
        due_date=issue_date + dt.timedelta(days=7),
        settled_by_schedule=settled_by_schedule,
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
    # A fee with VAT is taxed at 23 %; one without is exempt or outside VAT as staff configured
    # for its kind (insurance re-invoiced: exempt, with the basis printed on the invoice).
    rate, basis = (VatRate.STANDARD, "") if fee.vat else FeeVatRule.for_kind(fee.kind)
    with override("pl"):
        description = fee.description or str(AdditionalFee.Kind(fee.kind).label)
        lines = [
            LineSpec(
                f"{description}, umowa {fee.contract.number}",
                fee.net,
                rate,
                vat=fee.vat,
                exemption_basis=basis,
            )
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
