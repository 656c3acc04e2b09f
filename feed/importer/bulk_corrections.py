"""New corrections of one company in bulk: a few queries for the whole run, whatever its size.

`invoice_correct`, called once per correction, reads the corrected invoice's family (the invoice
and its corrections), checks the correction's lines per VAT rate against it, issues the
correction, lowers what the family owes for a downward one (the newest upward correction first)
releasing what was paid above that (the newest allocations first) back to the payments as
credit, and then settles the company's credit over its outstanding documents, oldest due first.

Here the same happens for all of a company's new corrections in one pass: what they need is read
once (the families with their lines and allocations, the company's credit, and, when credit
has anything to settle, the outstanding documents), every correction is checked and applied in
the batch's order on those rows in memory, each followed by the settlement the service would
make, and the result is written in a few statements (the corrections with their lines, the
allocations released, cut or made, the amounts paid and payable, the payments' credit). A
correction refused names itself with the service's message. A run with a correction of a
correction sent in the same run, or one external id twice, goes record by record through
`money.apply_correction` instead (the service then names the error).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.db.models import F, Q
from django.utils.translation import gettext as _

from ebok.datacache import company_data_changed
from ebok.money import ZERO
from invoices.models import Invoice, InvoiceLine, Payment, PaymentAllocation
from invoices.services import InvoicingError, invoice_lines_build
from invoices.services.corrections import correction_cuts, correction_specs_check

from . import money
from .base import CREATED, UNCHANGED, UPDATED, GroupContext, RecordError
from .bulk import (
    BATCH,
    BulkRejected,
    _chunks,
    _taken_numbers,
    announce_issued,
    apply_run,
    render_after_commit,
    update_column,
    write_ksef,
)
from .money import _invoice, _line_specs, ksef_update

EXEMPT = InvoiceLine.VatRate.EXEMPT


class _Slow(Exception):
    """The run needs the record-by-record path."""


class _Corrections:
    """The corrections of one run, applied in memory in order as `invoice_correct` would apply
    them one after the other; `write` stores the result."""

    def __init__(self, ctx: GroupContext, records: list[dict]) -> None:
        self.ctx = ctx
        self.company = ctx.require_company()
        known = ctx.known.invoices
        fresh = [r for r in records if r["external_id"] not in known]
        keys = [r["external_id"] for r in fresh]
        if len(set(keys)) != len(keys) or any(r["corrects"] in keys for r in fresh):
            raise _Slow
        self.ksef: list[tuple[Invoice, bool]] = []
        self.new: list[Invoice] = []
        self.lines: list[InvoiceLine] = []
        # Every document and payment read, one object per row: the state the services would
        # read at each step.
        self.invoices: dict[int, Invoice] = {}
        self.payments: dict[int, Payment] = {}
        self.families: dict[int, list[Invoice]] = {}
        self.before: dict[int, dict[str, list[Decimal]]] = {}
        self.rates: dict[int, list[str]] = {}
        self.exempt_basis: dict[int, str] = {}
        # Allocations per document (by id(document)), oldest first.
        self.allocations: dict[int, list[PaymentAllocation]] = defaultdict(list)
        self.made: list[PaymentAllocation] = []  # new allocations, in the order they are made
        self.deleted: set[int] = set()
        self.cut: dict[int, PaymentAllocation] = {}
        self.paid_changed: dict[int, Invoice] = {}
        self.payable_changed: dict[int, Invoice] = {}
        self.credit_changed: dict[int, Payment] = {}
        self.credits: dict[int, Payment] = {}  # payments that may have credit
        self.outstanding: list[Invoice] | None = None  # read when credit first has to settle
        self.outstanding_keys: list[tuple] = []
        self.order: dict[int, int] = {}  # id(new correction) -> its place among the new ones
        self.taken: set[str] = set()
        if not fresh:
            return
        self.taken = _taken_numbers(r["number"] for r in fresh)
        originals = sorted({known[r["corrects"]].pk for r in fresh if r["corrects"] in known})
        self._read_families(originals)
        self._read_payments()

    # --- reading ------------------------------------------------------------------------------

    def _read_families(self, originals: list[int]) -> None:
        for chunk in _chunks(originals):
            rows = Invoice.objects.select_for_update().filter(
                Q(pk__in=chunk) | Q(corrected_invoice_id__in=chunk)
            )
            for row in rows:
                self.invoices[row.pk] = row
        for pk in originals:
            self.families[pk] = [self.invoices[pk]]
            self.before[pk] = {}
            self.rates[pk] = []
            self.exempt_basis[pk] = ""
        family_of = {pk: pk for pk in originals}
        for doc in self.invoices.values():
            if doc.corrected_invoice_id in self.families:
                self.families[doc.corrected_invoice_id].append(doc)
                # A correction named as corrected (refused) still counts in its own family.
                family_of[doc.pk] = doc.corrected_invoice_id
        for chunk in _chunks(sorted(family_of)):
            lines = (
                InvoiceLine.objects.filter(invoice_id__in=chunk)
                .order_by("invoice_id", "position")
                .values_list("invoice_id", "vat_rate", "net", "vat", "exemption_basis")
            )
            for invoice_id, rate, net, vat, basis in lines:
                original = family_of[invoice_id]
                totals = self.before[original].setdefault(rate, [ZERO, ZERO])
                totals[0] += net
                totals[1] += vat
                if invoice_id == original:
                    self.rates[original].append(rate)
                    if rate == EXEMPT and basis and not self.exempt_basis[original]:
                        self.exempt_basis[original] = basis
        payable = sorted(pk for pk in family_of if self.invoices[pk].is_payable)
        for chunk in _chunks(payable):
            for allocation in PaymentAllocation.objects.filter(invoice_id__in=chunk).order_by("id"):
                self.allocations[id(self.invoices[allocation.invoice_id])].append(allocation)

    def _read_payments(self) -> None:
        rows = Payment.objects.select_for_update().filter(company=self.company, unallocated__gt=0)
        for payment in rows:
            self.payments[payment.pk] = self.credits[payment.pk] = payment
        wanted = sorted(
            {a.payment_id for allocations in self.allocations.values() for a in allocations}
            - set(self.payments)
        )
        for chunk in _chunks(wanted):
            for payment in Payment.objects.select_for_update().filter(pk__in=chunk):
                self.payments[payment.pk] = payment
        for allocations in self.allocations.values():
            for allocation in allocations:
                allocation.payment = self.payments[allocation.payment_id]

    # --- one record ---------------------------------------------------------------------------

    def check(self, data: dict) -> str:
        """`apply_correction`, in memory."""
        ctx = self.ctx
        original = _invoice(ctx, data["corrects"], "corrects")
        existing = money.correction_resent(ctx, data, original)
        if existing is not None:
            if ksef_update(existing, data):  # the correction record has no PDF of its own
                self.ksef.append((existing, True))
                return UPDATED
            return UNCHANGED
        if data["number"] in self.taken:
            raise RecordError(
                ("number", _("Numer %(number)s ma już inna faktura.") % {"number": data["number"]})
            )
        try:
            self._correct(self.invoices[original.pk], data)
        except InvoicingError as error:
            raise RecordError(("", str(error))) from None
        self.taken.add(data["number"])
        return CREATED

    def _correct(self, original: Invoice, data: dict) -> None:
        """`invoice_correct`, on the rows in memory."""
        if original.is_correction:
            raise InvoicingError(_("Korektę wystawia się do faktury pierwotnej, nie do korekty."))
        if not data["reason"].strip():
            raise InvoicingError(_("Podaj przyczynę korekty."))
        family = sorted(
            self.families[original.pk],
            key=lambda doc: (doc is not original, doc.issue_date, self._id_key(doc)),
        )
        specs = correction_specs_check(
            number=original.number,
            rates=self.rates[original.pk],
            before={rate: tuple(totals) for rate, totals in self.before[original.pk].items()},
            exempt_basis=self.exempt_basis[original.pk],
            specs=_line_specs(data["lines"]),
        )
        if not specs:
            raise InvoicingError(_("Faktura musi mieć co najmniej jedną pozycję."))
        correction, lines = self._build(original, data, specs)
        if correction.gross < 0:
            released = ZERO
            for doc, cut in correction_cuts(family, -correction.gross):
                doc.amount_payable -= cut
                self.payable_changed[id(doc)] = doc
                released += self._release_excess(doc)
            correction.released_to_credit = released
        self.order[id(correction)] = len(self.new)
        self.new.append(correction)
        self.lines.extend(lines)
        self.families[original.pk].append(correction)
        for line in lines:
            totals = self.before[original.pk].setdefault(line.vat_rate, [ZERO, ZERO])
            totals[0] += line.net
            totals[1] += line.vat
        if self.outstanding is not None and correction.amount_due > 0:
            key = self._due_key(correction)
            at = bisect.bisect_right(self.outstanding_keys, key)
            self.outstanding_keys.insert(at, key)
            self.outstanding.insert(at, correction)
        self._settle()

    def _build(
        self, original: Invoice, data: dict, specs: list
    ) -> tuple[Invoice, list[InvoiceLine]]:
        """The correction and its lines as `_build_invoice` builds them, unsaved."""
        company = self.company
        issue_date = data["issue_date"]
        correction = Invoice(
            company=company,
            contract_id=original.contract_id,
            number=data["number"],
            kind=Invoice.Kind.CORRECTION,
            issue_date=issue_date,
            sale_date=original.sale_date or issue_date,
            due_date=issue_date + dt.timedelta(days=settings.INVOICE_PAYMENT_TERM_DAYS),
            net=ZERO,
            vat=ZERO,
            gross=ZERO,
            corrected_invoice=original,
            correction_reason=data["reason"],
            amount_payable=ZERO,
            buyer_name=company.name,
            buyer_nip=company.nip,
            buyer_address=company.address,
            external_id=data["external_id"],
            ksef_number=data["ksef_number"],
            ksef_hash=data["ksef_hash"],
        )
        lines = invoice_lines_build(invoice=correction, specs=specs)
        if correction.gross > 0:  # an upward correction is paid on its own term
            correction.amount_payable = correction.gross
        return correction, lines

    def _release_excess(self, doc: Invoice) -> Decimal:
        """`_release_excess`: what was paid above the amount payable goes back to the payments
        as credit, the newest allocations first."""
        excess = doc.amount_paid - doc.amount_payable
        if excess <= 0:
            return ZERO
        allocations = self.allocations[id(doc)]
        released_total = ZERO
        while allocations and excess > 0:
            allocation = allocations[-1]
            released = min(excess, allocation.amount)
            allocation.amount -= released
            if allocation.amount == 0:
                allocations.pop()
                if allocation.pk is not None:
                    self.deleted.add(allocation.pk)
            elif allocation.pk is not None:
                self.cut[allocation.pk] = allocation
            payment = allocation.payment
            payment.unallocated += released
            self.credit_changed[id(payment)] = payment
            self.credits[payment.pk] = payment
            doc.amount_paid -= released
            excess -= released
            released_total += released
        self.paid_changed[id(doc)] = doc
        return released_total

    # --- settlement ---------------------------------------------------------------------------

    def _id_key(self, doc: Invoice) -> tuple[int, int]:
        """The order of the documents' keys: a new correction gets a key above every stored
        one, in the order the corrections come."""
        return (0, doc.pk) if doc.pk is not None else (1, self.order[id(doc)])

    def _due_key(self, doc: Invoice) -> tuple:
        return (doc.due_date, doc.issue_date, self._id_key(doc))

    def _outstanding(self) -> list[Invoice]:
        """The company's documents that still owe something, oldest due first."""
        if self.outstanding is None:
            rows = Invoice.objects.select_for_update().filter(
                company=self.company, amount_payable__gt=F("amount_paid")
            )
            docs = [self.invoices.setdefault(row.pk, row) for row in rows]
            docs += [doc for doc in self.new if doc.amount_due > 0]
            docs.sort(key=self._due_key)
            self.outstanding = docs
            self.outstanding_keys = [self._due_key(doc) for doc in docs]
        paid = 0
        while paid < len(self.outstanding) and self.outstanding[paid].amount_due <= 0:
            paid += 1
        if paid:
            del self.outstanding[:paid], self.outstanding_keys[:paid]
        return self.outstanding

    def _settle(self) -> None:
        """`_settle`: the company's credit over its outstanding documents, oldest due first
        (the greedy pass of `settlement._allocate`)."""
        credits = [payment for payment in self.credits.values() if payment.unallocated > 0]
        self.credits = {payment.pk: payment for payment in credits}
        if not credits:
            return
        credits.sort(key=lambda payment: (payment.received_on, payment.pk))
        payment_iter = iter(credits)
        payment = next(payment_iter, None)
        for invoice in self._outstanding():
            while payment is not None and invoice.amount_due > 0:
                if payment.unallocated <= 0:
                    payment = next(payment_iter, None)
                    continue
                amount = min(payment.unallocated, invoice.amount_due)
                allocation = PaymentAllocation(payment=payment, invoice=invoice, amount=amount)
                self.made.append(allocation)
                self.allocations[id(invoice)].append(allocation)
                payment.unallocated -= amount
                invoice.amount_paid += amount
                self.credit_changed[id(payment)] = payment
                self.paid_changed[id(invoice)] = invoice
            if payment is None:
                break

    # --- writing ------------------------------------------------------------------------------

    def write(self) -> None:
        write_ksef(self.company, self.ksef)
        if not self.new:
            return
        new = {id(doc) for doc in self.new}
        stored_paid = [doc for key, doc in self.paid_changed.items() if key not in new]
        stored_payable = [doc for key, doc in self.payable_changed.items() if key not in new]
        Invoice.objects.bulk_create(self.new, batch_size=BATCH)  # with what they owe and got
        InvoiceLine.objects.bulk_create(self.lines, batch_size=BATCH)  # they take the new keys
        for chunk in _chunks(sorted(self.deleted)):
            PaymentAllocation.objects.filter(pk__in=chunk).delete()
        update_column([a for pk, a in self.cut.items() if pk not in self.deleted], "amount")
        made = [allocation for allocation in self.made if allocation.amount > 0]
        for allocation in made:  # the key the correction got
            allocation.invoice = allocation.invoice
        PaymentAllocation.objects.bulk_create(made, batch_size=BATCH)
        # What was paid first: an amount payable only ever goes down, never below what is paid.
        update_column(stored_paid, "amount_paid")
        update_column(stored_payable, "amount_payable")
        update_column(list(self.credit_changed.values()), "unallocated")
        for correction in self.new:
            self.ctx.known.invoices[correction.external_id] = correction
        announce_issued(self.new)
        render_after_commit([correction.pk for correction in self.new])
        company_data_changed(self.company.pk)


def apply_corrections(ctx: GroupContext, records: list[dict]) -> list[str]:
    try:
        return apply_run(_Corrections, ctx, records)
    except _Slow:  # raised while reading, before anything is written
        return _one_by_one(ctx, records)


def _one_by_one(ctx: GroupContext, records: list[dict]) -> list[str]:
    outcomes = []
    for index, data in enumerate(records):
        try:
            outcomes.append(money.apply_correction(ctx, data))
        except RecordError as error:
            raise BulkRejected(index, error) from None
    return outcomes
