"""Corrections of issued invoices, and the release of what was paid above a corrected amount."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from ebok.datacache import company_data_changed
from ebok.dates import today as business_today
from ebok.money import ZERO, to_money

from ..models import (
    Invoice,
    InvoiceLine,
    Payment,
)
from .issuing import InvoicingError, LineSpec, _build_invoice
from .settlement import _lock_company, _settle

VatRate = InvoiceLine.VatRate


def _rate_label(rate: str) -> str:
    return str(VatRate(rate).label)


def _correction_specs(family: list[Invoice], specs: list[LineSpec]) -> list[LineSpec]:
    """The correction's lines, checked against what the corrected invoice says per VAT rate.

    A correction changes the invoice's own rates only (moving a supply to another rate is a
    correction to zero at the old rate plus a new invoice), and no rate may end below zero:
    so the before / change / after rows of the correction add up per rate. An exempt line takes
    the exemption basis the invoice gives for that rate.
    """
    specs = list(specs)
    original = family[0]
    before = {
        row["vat_rate"]: (row["net"], row["vat"])
        for row in InvoiceLine.objects.filter(invoice__in=family)
        .order_by()
        .values("vat_rate")
        .annotate(net=Sum("net"), vat=Sum("vat"))
    }
    exempt_basis = ""
    if any(spec.vat_rate == VatRate.EXEMPT and not spec.exemption_basis for spec in specs):
        exempt_basis = (
            original.lines.filter(vat_rate=VatRate.EXEMPT)
            .exclude(exemption_basis="")
            .values_list("exemption_basis", flat=True)
            .first()
        ) or ""
    return correction_specs_check(
        number=original.number,
        rates=original.lines.values_list("vat_rate", flat=True),
        before=before,
        exempt_basis=exempt_basis,
        specs=specs,
    )


@transaction.atomic
def invoice_correct(
    *,
    invoice: Invoice,
    lines: Iterable[LineSpec],
    reason: str,
    issue_date: dt.date | None = None,
    number: str | None = None,
) -> Invoice:
    """Issue a correction: `lines` carry the differences (negative to lower the amount).

    An upward correction (gross > 0) is a payable document of its own: the increase falls due
    on the correction's payment term and is settled like any invoice (oldest due first), so it
    is not overdue the day it is issued. A downward correction owes nothing: it lowers what the
    corrected invoice's family still owes, cancelling the newest upward correction first, then
    the invoice itself. Money already paid above the new amount is released (the newest
    allocations first) and becomes credit, which then settles the next liabilities; how much
    is recorded on the correction (`released_to_credit`), which its PDF states.
    """
    company = _lock_company(invoice.company)
    original = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if original.is_correction:
        raise InvoicingError(_("Korektę wystawia się do faktury pierwotnej, nie do korekty."))
    if not reason.strip():
        raise InvoicingError(_("Podaj przyczynę korekty."))
    # The invoice, then its corrections in issue order; all locked, as their amounts may change.
    family = list(
        Invoice.objects.select_for_update()
        .filter(Q(pk=original.pk) | Q(corrected_invoice=original))
        .order_by("issue_date", "pk")
    )
    family.sort(key=lambda doc: doc.pk != original.pk)  # the invoice first, whatever the DB
    lines = _correction_specs(family, list(lines))
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
        number=number,
    )
    if correction.gross < 0:
        released = ZERO
        for doc, cut in correction_cuts(family, -correction.gross):
            doc.amount_payable -= cut
            released += _release_excess(doc)
            doc.save(update_fields=["amount_payable", "amount_paid"])
        if released:
            correction.released_to_credit = released
            correction.save(update_fields=["released_to_credit"])
    _settle(company)
    company_data_changed(company.pk)
    correction.refresh_from_db()
    return correction


def correction_cuts(family: list[Invoice], reduction: Decimal) -> list[tuple[Invoice, Decimal]]:
    """Where a downward correction of `reduction` comes off the family's payable documents:
    the newest upward correction first, the invoice last, none below zero. Refused when the
    family has less left to pay. Shared by `invoice_correct` and the feed's bulk corrections."""
    payable = [doc for doc in family if doc.is_payable]
    if sum(doc.amount_payable for doc in payable) < reduction:
        raise InvoicingError(_("Korekta nie może obniżyć kwoty poniżej zera."))
    cuts = []
    for doc in reversed(payable):
        cut = min(reduction, doc.amount_payable)
        if cut <= 0:
            continue
        cuts.append((doc, cut))
        reduction -= cut
        if reduction == 0:
            break
    return cuts


def _release_excess(invoice: Invoice) -> Decimal:
    """Release what was paid on `invoice` above its amount payable, the newest allocations
    first, back to their payments as credit. Returns the amount released.

    The new values are computed here in Decimal and written as literals: SQLite evaluates
    `F("unallocated") + x` in binary floating point (0.1 + 0.2 > 0.3), which broke the
    `payment_unallocated_within_amount` check when a payment came back to exactly its amount.
    The company row is locked, so the values read here cannot change underneath.
    """
    excess = invoice.amount_paid - invoice.amount_payable
    if excess <= 0:
        return ZERO
    released_by_payment: dict[int, Decimal] = {}
    for allocation in invoice.allocations.order_by("-id"):
        if excess <= 0:
            break
        released = min(excess, allocation.amount)
        released_by_payment[allocation.payment_id] = (
            released_by_payment.get(allocation.payment_id, ZERO) + released
        )
        if released == allocation.amount:
            allocation.delete()
        else:
            allocation.amount -= released
            allocation.save(update_fields=["amount"])
        invoice.amount_paid -= released
        excess -= released
    payments = Payment.objects.select_for_update().filter(pk__in=released_by_payment)
    for payment in payments:
        payment.unallocated += released_by_payment[payment.pk]
        payment.save(update_fields=["unallocated"])
    return sum(released_by_payment.values(), ZERO)


def correction_specs_check(
    *,
    number: str,
    rates: Iterable[str],
    before: dict[str, tuple[Decimal, Decimal]],
    exempt_basis: str,
    specs: Iterable[LineSpec],
) -> list[LineSpec]:
    """The checks of a correction's lines on what the caller has read (`_correction_specs`
    reads it for one correction; the core-system feed for many at once): `number` and `rates`
    are the corrected invoice's, `before` the net and VAT per rate of the invoice and its
    corrections so far, `exempt_basis` the first exemption basis its exempt lines give ("" if
    none, or if no line needs it)."""
    rates = sorted(set(rates), key=list(VatRate.values).index)
    change: dict[str, list[Decimal]] = {}
    checked = []
    for spec in specs:
        if spec.vat_rate not in rates:
            raise InvoicingError(
                _(
                    "Faktura %(number)s nie ma pozycji w stawce %(rate)s: korekta może zmieniać "
                    "tylko jej stawki (%(rates)s)."
                )
                % {
                    "number": number,
                    "rate": _rate_label(spec.vat_rate),
                    "rates": ", ".join(_rate_label(rate) for rate in rates),
                }
            )
        if spec.vat_rate == VatRate.EXEMPT and not spec.exemption_basis:
            spec = dataclasses.replace(spec, exemption_basis=exempt_basis)
        totals = change.setdefault(spec.vat_rate, [ZERO, ZERO])
        totals[0] += to_money(spec.net)
        totals[1] += spec.vat_amount()
        checked.append(spec)
    for rate, (net, vat) in change.items():
        if to_money(before[rate][0]) + net < 0 or to_money(before[rate][1]) + vat < 0:
            raise InvoicingError(
                _("Korekta obniżyłaby wartość faktury w stawce %(rate)s poniżej zera.")
                % {"rate": _rate_label(rate)}
            )
    return checked
