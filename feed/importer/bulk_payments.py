"""New payments of one company in bulk, allocated in one pass exactly as the services would
allocate them one after the other (see `bulk`)."""

from __future__ import annotations

import bisect

from django.db.models import F
from django.utils.translation import gettext as _

from ebok.datacache import company_data_changed
from ebok.money import ZERO, to_money
from invoices.models import Invoice, Payment, PaymentAllocation

from .base import CREATED, UNCHANGED, GroupContext, RecordError
from .bulk import BATCH, _chunks, apply_run, update_column
from .money import check_payment_mode


def _allocation_key(payment: Payment, order: int) -> tuple:
    return (payment.received_on, order)


class _Payments:
    """The new payments of one run, checked in order as `apply_payment` would check them."""

    def __init__(self, ctx: GroupContext, records: list[dict]) -> None:
        self.ctx = ctx
        self.company = ctx.require_company()
        self.core = ctx.payment_mode == "core"
        self.new: list[Payment] = []
        self.sent: dict[str, Payment] = {}
        self.targets: list[int | None] = []  # portal: the invoice each new payment names
        self.rows: list[PaymentAllocation] = []  # core: the allocations as sent
        self.touched: list[Invoice] = []
        self.touched_payments: list[Payment] = []
        self.invoices: dict[int, Invoice] = {}
        if self.core:  # what the invoices the allocations name still owe, locked
            keys = {item["invoice"] for r in records for item in r.get("allocations", ())}
            pks = sorted(ctx.known.invoices[k].pk for k in keys if k in ctx.known.invoices)
            for chunk in _chunks(pks):
                self.invoices.update(
                    (invoice.pk, invoice)
                    for invoice in Invoice.objects.select_for_update().filter(pk__in=chunk)
                )

    def check(self, data: dict) -> str:
        check_payment_mode(self.ctx, data)
        known = self.ctx.known.payments.get(data["external_id"]) or self.sent.get(
            data["external_id"]
        )
        if known is not None:
            return self._same(known, data)
        amount = to_money(data["amount"])
        if self.core:
            allocations = [
                (self._invoice(item["invoice"], f"allocations[{i}].invoice"), item["amount"])
                for i, item in enumerate(data["allocations"])
            ]
        else:
            named = self._invoice(data["invoice"], "invoice") if data["invoice"] else None
        if amount <= 0:
            raise RecordError(("", _("Kwota wpłaty musi być dodatnia.")))
        payment = Payment(
            company=self.company,
            amount=amount,
            received_on=data["received_on"],
            title=data["title"],
            bank_reference=data["bank_reference"],
            unallocated=amount,
            external_id=data["external_id"],
        )
        if self.core:
            self._allocate_as_sent(payment, allocations)
        else:
            payment.assigned_invoice = named
            target = None
            if named is not None:
                target = named.pk if named.is_payable else named.corrected_invoice_id
            self.targets.append(target)
        self.new.append(payment)
        self.sent[payment.external_id] = payment
        return CREATED

    def _allocate_as_sent(self, payment: Payment, allocations: list) -> None:
        """`payment_record_allocated`: each part at most what the invoice still owes after the
        earlier payments of the batch."""
        parts = [(self.invoices[invoice.pk], to_money(part)) for invoice, part in allocations]
        if sum((part for _invoice, part in parts), ZERO) > payment.amount:
            raise RecordError(("", _("Rozliczenia przekraczają kwotę wpłaty.")))
        rows = []
        for target, part in parts:
            if part <= 0 or part > target.amount_due:
                message = _("Faktura %(number)s ma do zapłaty %(due)s, rozliczenie: %(amount)s.")
                raise RecordError(
                    (
                        "",
                        message
                        % {"number": target.number, "due": target.amount_due, "amount": part},
                    )
                )
            target.amount_paid += part
            payment.unallocated -= part
            rows.append(PaymentAllocation(payment=payment, invoice=target, amount=part))
        self.rows.extend(rows)

    def _same(self, payment: Payment, data: dict) -> str:
        if payment.amount != data["amount"] or payment.received_on != data["received_on"]:
            raise RecordError(("amount", _("Wpłata jest już zaksięgowana z inną kwotą lub datą.")))
        return UNCHANGED

    def _invoice(self, external_id: str, path: str) -> Invoice:
        invoice = self.ctx.known.invoices.get(external_id)
        if invoice is None:
            raise RecordError((path, _("Nieznana faktura %(key)s.") % {"key": external_id}))
        return invoice

    # --- portal allocation -------------------------------------------------------------------

    def allocate_as_admin(self) -> list[PaymentAllocation]:
        """`payment_record` for each new payment in turn: the invoice it names first, then every
        credit of the company over the outstanding invoices, oldest due first."""
        outstanding = list(
            Invoice.objects.select_for_update()
            .filter(company=self.company, amount_payable__gt=F("amount_paid"))
            .order_by("due_date", "issue_date", "id")
        )
        by_pk = {invoice.pk: invoice for invoice in outstanding}
        missing = sorted({pk for pk in self.targets if pk is not None and pk not in by_pk})
        for chunk in _chunks(missing):
            by_pk.update(
                (invoice.pk, invoice)
                for invoice in Invoice.objects.select_for_update().filter(pk__in=chunk)
            )
        credits = list(
            Payment.objects.select_for_update()
            .filter(company=self.company, unallocated__gt=0)
            .order_by("received_on", "id")
        )
        keys = [_allocation_key(payment, payment.pk) for payment in credits]
        rows: list[PaymentAllocation] = []
        touched_payments: dict[int, Payment] = {}
        touched_invoices: dict[int, Invoice] = {}

        def give(payment: Payment, invoice: Invoice) -> None:
            amount = min(payment.unallocated, invoice.amount_due)
            rows.append(PaymentAllocation(payment=payment, invoice=invoice, amount=amount))
            payment.unallocated -= amount
            invoice.amount_paid += amount
            if payment.pk is not None:
                touched_payments[payment.pk] = payment
            touched_invoices[invoice.pk] = invoice

        position = 0  # the invoices before it are paid
        first_new = 1 << 62  # new payments sort after every stored one received the same day
        for number, (payment, target_pk) in enumerate(zip(self.new, self.targets, strict=True)):
            if target_pk is not None:
                target = by_pk[target_pk]
                if target.amount_due > 0:
                    give(payment, target)
            if payment.unallocated > 0:
                key = _allocation_key(payment, first_new + number)
                at = bisect.bisect_right(keys, key)
                keys.insert(at, key)
                credits.insert(at, payment)
            current = 0
            while credits and position < len(outstanding):
                invoice = outstanding[position]
                if invoice.amount_due <= 0:
                    position += 1
                    continue
                credit = credits[current]
                give(credit, invoice)
                if credit.unallocated <= 0:
                    current += 1
                    if current == len(credits):
                        break
            if current:
                del credits[:current], keys[:current]
        self.touched = list(touched_invoices.values())
        self.touched_payments = list(touched_payments.values())
        return rows

    def write(self) -> None:
        if not self.new:
            return
        if self.core:
            rows, self.touched = self.rows, list(self.invoices.values())
        else:
            rows = self.allocate_as_admin()
        Payment.objects.bulk_create(self.new, batch_size=BATCH)  # with what is left unallocated
        PaymentAllocation.objects.bulk_create(rows, batch_size=BATCH)
        update_column(self.touched_payments, "unallocated")
        update_column(self.touched, "amount_paid")
        for payment in self.new:
            self.ctx.known.payments[payment.external_id] = payment
        company_data_changed(self.company.pk)


def apply_payments(ctx: GroupContext, records: list[dict]) -> list[str]:
    return apply_run(_Payments, ctx, records)
