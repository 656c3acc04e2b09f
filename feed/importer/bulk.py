"""New invoices of one company in bulk: a few queries for the whole run (payments are in
`bulk_payments`, contracts, schedules, fees and policies in `bulk_leases`).

What `invoice_create` does one invoice at a time is done here for all of a company's new
invoices at once, with the same checks and the same result: every record is checked in order
(the first one refused names itself), the rows are inserted with `bulk_create`, and credit is
settled in one pass that allocates exactly as the service would have, invoice after invoice.
The company's row is locked by the runner for the whole group.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from contracts.models import Installment
from ebok.datacache import company_data_changed
from ebok.dates import today as business_today
from ebok.money import ZERO
from invoices.events import ISSUED_NOTICE_DAYS, finance_recipients, invoices_notify
from invoices.models import Invoice, InvoiceLine, Payment
from invoices.services import InvoicingError, invoice_lines_build, payments_allocate

from .base import CREATED, UNCHANGED, UPDATED, GroupContext, RecordError
from .money import LINE_FIELDS, _line_specs, _same_document, ksef_update

BATCH = 1000  # rows per INSERT / UPDATE
CHUNK = 5000  # values per IN (...)


class BulkRejected(Exception):
    """The record at `index` of the run cannot be applied."""

    def __init__(self, index: int, error: RecordError) -> None:
        super().__init__(index, error)
        self.index, self.error = index, error


def _chunks(values: list) -> Iterator[list]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _taken_numbers(numbers: Iterable[str]) -> set[str]:
    taken: set[str] = set()
    for chunk in _chunks(sorted(set(numbers))):
        taken.update(Invoice.objects.filter(number__in=chunk).values_list("number", flat=True))
    return taken


def _pdf_content(encoded: str) -> bytes:
    try:
        content = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise RecordError(("pdf_base64", _("PDF nie jest poprawnym base64."))) from None
    if not content.startswith(b"%PDF-"):
        raise RecordError(("pdf_base64", _("To nie jest plik PDF.")))
    return content


def update_column(objects: list, field: str, cast: str = "numeric") -> None:
    """Write one column (an amount, or with `cast="bigint"` a key) of many rows: on PostgreSQL
    one UPDATE … FROM unnest(…) per chunk (`bulk_update` builds a CASE branch per row, which
    for tens of thousands of rows cost more than the rest of the import)."""
    if not objects:
        return
    model = type(objects[0])
    if connection.vendor != "postgresql":
        model.objects.bulk_update(objects, [field], batch_size=BATCH)
        return
    quote = connection.ops.quote_name
    attname = model._meta.get_field(field).attname
    table, column = quote(model._meta.db_table), quote(model._meta.get_field(field).column)
    sql = (
        f"UPDATE {table} AS t SET {column} = v.value "  # noqa: S608 - names from the model
        f"FROM unnest(%s::bigint[], %s::{cast}[]) AS v(id, value) WHERE t.id = v.id"
    )
    with connection.cursor() as cursor:
        for chunk in _chunks(objects):
            values = [getattr(obj, attname) for obj in chunk]
            cursor.execute(sql, [[obj.pk for obj in chunk], values])


# --- invoices ------------------------------------------------------------------------------


class _Invoices:
    """The new invoices of one run, checked in order as `apply_invoice` would check them."""

    def __init__(self, ctx: GroupContext, records: list[dict]) -> None:
        self.ctx = ctx
        self.company = ctx.require_company()
        self.records = records
        fresh = [r for r in records if r["external_id"] not in ctx.known.invoices]
        self.taken = _taken_numbers(r["number"] for r in fresh)
        self.installments = self._installments(fresh)
        self.linked: dict[tuple, Invoice] = {}  # installment / fee -> the new invoice it takes
        self.new: list[Invoice] = []
        self.new_by_key: dict[str, tuple[Invoice, dict]] = {}
        self.lines: list[InvoiceLine] = []
        self.links: list = []  # installments and fees to link, in order
        self.pdfs: list[tuple[Invoice, bytes]] = []
        self.ksef: list[tuple[Invoice, bool]] = []  # stored invoices given their KSeF number

    def _installments(self, fresh: list[dict]) -> dict[tuple[int, int], Installment]:
        wanted = {
            self.ctx.known.contracts[r["contract"]].pk
            for r in fresh
            if "installment_number" in r and r["contract"] in self.ctx.known.contracts
        }
        found = {}
        for chunk in _chunks(sorted(wanted)):
            for row in Installment.objects.filter(contract_id__in=chunk):
                found[(row.contract_id, row.number)] = row
        return found

    def check(self, data: dict) -> str:
        ctx = self.ctx
        contract = ctx.contract(data["contract"]) if data["contract"] else None
        checks = {
            "number": data["number"],
            "kind": data["invoice_kind"],
            "contract_id": contract.pk if contract else None,
            "issue_date": data["issue_date"],
            "due_date": data["due_date"],
            "settled_by_schedule": data["settled_by_schedule"],
        }
        invoice = ctx.known.invoices.get(data["external_id"])
        if invoice is not None:
            _same_document(invoice, ctx.known.invoice_lines.get(invoice.pk, []), data, checks)
            if ksef_update(invoice, data):  # the number KSeF gave it came later
                self.ksef.append((invoice, not data["pdf_base64"]))
                return UPDATED
            return UNCHANGED
        sent_before = self.new_by_key.get(data["external_id"])
        if sent_before is not None:  # the same invoice twice in one batch
            first, first_data = sent_before
            lines = [tuple(line[f] for f in LINE_FIELDS) for line in first_data["lines"]]
            _same_document(first, lines, data, checks)
            ksef_update(first, data)  # not written yet: inserted with it
            return UNCHANGED
        links = self._links(contract, data)
        if data["number"] in self.taken:
            raise RecordError(
                ("number", _("Numer %(number)s ma już inna faktura.") % {"number": data["number"]})
            )
        invoice, lines = self._build(contract, data)
        content = _pdf_content(data["pdf_base64"]) if data["pdf_base64"] else None
        self.taken.add(invoice.number)
        self.new.append(invoice)
        self.new_by_key[data["external_id"]] = (invoice, data)
        self.lines.extend(lines)
        if content is not None:
            self.pdfs.append((invoice, content))
        for key, linked in links:
            self.linked[key] = invoice
            linked.invoice = invoice
            self.links.append(linked)
        return CREATED

    def _links(self, contract, data: dict) -> list[tuple[tuple, object]]:
        links = []
        if "installment_number" in data:
            installment = self.installments.get((contract.pk, data["installment_number"]))
            if installment is None:
                raise RecordError(("installment_number", _("Umowa nie ma raty o tym numerze.")))
            links.append((("installment", installment.pk), installment, "installment_number"))
        if data["fee"]:
            fee = self.ctx.known.fees.get((contract.pk, data["fee"]))
            if fee is None:
                raise RecordError(("fee", _("Nieznana opłata %(key)s.") % {"key": data["fee"]}))
            links.append((("fee", fee.pk), fee, "fee"))
        for key, linked, path in links:
            invoice = self.linked.get(key)
            if invoice is None and linked.invoice_id:
                invoice = Invoice.objects.only("number").get(pk=linked.invoice_id)
            if invoice is not None:
                raise RecordError((path, _("Ma już fakturę %(n)s.") % {"n": invoice.number}))
        return [(key, linked) for key, linked, _path in links]

    def _build(self, contract, data: dict) -> tuple[Invoice, list[InvoiceLine]]:
        """The invoice and its lines as `invoice_create` builds them, unsaved."""
        company = self.company
        issue_date = data["issue_date"]
        invoice = Invoice(
            company=company,
            contract=contract,
            number=data["number"],
            kind=data["invoice_kind"],
            issue_date=issue_date,
            sale_date=data.get("sale_date") or issue_date,
            due_date=data["due_date"]
            or issue_date + dt.timedelta(days=settings.INVOICE_PAYMENT_TERM_DAYS),
            net=ZERO,
            vat=ZERO,
            gross=ZERO,
            amount_payable=ZERO,
            buyer_name=company.name,
            buyer_nip=company.nip,
            buyer_address=company.address,
            external_id=data["external_id"],
            ksef_number=data["ksef_number"],
            ksef_hash=data["ksef_hash"],
        )
        try:
            specs = _line_specs(data["lines"])
            if not specs:
                raise InvoicingError(_("Faktura musi mieć co najmniej jedną pozycję."))
            lines = invoice_lines_build(invoice=invoice, specs=specs)
            if invoice.gross < 0 or invoice.net < 0 or invoice.vat < 0:
                raise InvoicingError(_("Kwoty faktury nie mogą być ujemne; użyj korekty."))
            settled = data["settled_by_schedule"]
            if not ZERO <= settled <= invoice.net:
                raise InvoicingError(_("Część ceny rozliczana w ratach przekracza wartość netto."))
        except InvoicingError as error:
            raise RecordError(("", str(error))) from None
        invoice.settled_by_schedule = settled
        invoice.amount_payable = invoice.gross - settled
        return invoice, lines

    def write(self) -> None:
        self._write_ksef()
        if not self.new:
            return
        Invoice.objects.bulk_create(self.new, batch_size=BATCH)
        InvoiceLine.objects.bulk_create(self.lines, batch_size=BATCH)  # they take the new keys
        for invoice, content in self.pdfs:
            _store_pdf(invoice, content)
        for model in {type(linked) for linked in self.links}:
            rows = [linked for linked in self.links if type(linked) is model]
            for linked in rows:  # the key the invoice got
                linked.invoice = linked.invoice
            update_column(rows, "invoice", cast="bigint")
        self._settle()
        self._announce()
        rendered = {invoice.pk for invoice, _content in self.pdfs}
        render_after_commit([invoice.pk for invoice in self.new if invoice.pk not in rendered])
        for invoice in self.new:
            self.ctx.known.invoices[invoice.external_id] = invoice
        company_data_changed(self.company.pk)

    def _write_ksef(self) -> None:
        write_ksef(self.company, self.ksef)

    def _settle(self) -> None:
        """Credit settles the new invoices as `invoice_create` would, one after the other: the
        first new invoice with whatever the company already owed (oldest due first), then each
        next one in turn (the credit outlives only an invoice it paid whole)."""
        credits = list(
            Payment.objects.select_for_update()
            .filter(company=self.company, unallocated__gt=0)
            .order_by("received_on", "id")
        )
        if not credits:
            return
        new_pks = {invoice.pk for invoice in self.new}
        outstanding = list(
            Invoice.objects.select_for_update()
            .filter(company=self.company, amount_payable__gt=F("amount_paid"))
            .order_by("due_date", "issue_date", "id")
        )
        by_pk = {invoice.pk: invoice for invoice in outstanding}
        first_pk = self.new[0].pk
        order = [i for i in outstanding if i.pk not in new_pks or i.pk == first_pk]
        order += [by_pk[i.pk] for i in self.new[1:] if i.pk in by_pk]
        payments_allocate(payments=credits, invoices=order)
        for invoice in self.new:  # what the settlement paid, on the objects the batch keeps
            if invoice.pk in by_pk:
                invoice.amount_paid = by_pk[invoice.pk].amount_paid

    def _announce(self) -> None:
        announce_issued(self.new)


def announce_issued(invoices: list[Invoice]) -> None:
    """`invoice.issued` for the new invoices (or corrections) that are news, as
    `invoice_issued_notify` raises it for each: not for a document dated long ago, nor for a
    downward correction."""
    since = business_today() - dt.timedelta(days=ISSUED_NOTICE_DAYS)
    pks = [i.pk for i in invoices if i.issue_date >= since and i.gross >= 0]
    for chunk in _chunks(pks):
        pairs = finance_recipients(Invoice.objects.filter(pk__in=chunk))
        invoices_notify("invoice.issued", pairs, key="invoice-{pk}")


def write_ksef(company, ksef: list[tuple[Invoice, bool]]) -> None:
    """The KSeF numbers that came for stored documents (each with whether the PDF the portal
    rendered is to be rendered again with the number and KOD I): a few UPDATEs for all."""
    if not ksef:
        return
    invoices = [invoice for invoice, _rerender in ksef]
    update_column(invoices, "ksef_number", cast="text")
    update_column(invoices, "ksef_hash", cast="text")
    rerender = [invoice.pk for invoice, again in ksef if again]
    for chunk in _chunks(rerender):
        Invoice.objects.filter(pk__in=chunk).update(pdf="")
    for invoice, again in ksef:
        if again:
            invoice.pdf = ""
    render_after_commit(rerender)
    company_data_changed(company.pk)


def _store_pdf(invoice: Invoice, content: bytes) -> None:
    from django.core.files.base import ContentFile

    from invoices.pdf import invoice_pdf_filename

    name = invoice.pdf.storage.save(
        f"invoices/{invoice.issue_date:%Y/%m}/{invoice_pdf_filename(invoice)}",
        ContentFile(content),
    )
    Invoice.objects.filter(pk=invoice.pk).update(pdf=name)
    invoice.pdf.name = name


def render_after_commit(ids: list[int]) -> None:
    """Invoice PDFs are rendered by a worker after the commit, never inside the import."""
    if ids and settings.INVOICE_PDF_ON_ISSUE:
        transaction.on_commit(lambda: _render_later(ids), robust=True)


def _render_later(ids: list[int]) -> None:
    from ..tasks import render_invoice_pdfs

    for chunk in range(0, len(ids), 500):
        render_invoice_pdfs.delay(ids[chunk : chunk + 500])


def apply_run(make_run, ctx: GroupContext, records: list[dict]) -> list[str]:
    """A kind's bulk run: read what exists (an error there is the first record's), check every
    record in order (the first one refused names itself), then write them all."""
    try:
        run = make_run(ctx, records)
    except RecordError as error:
        raise BulkRejected(0, error) from None
    outcomes = []
    for index, data in enumerate(records):
        try:
            outcomes.append(run.check(data))
        except RecordError as error:
            raise BulkRejected(index, error) from None
    run.write()
    return outcomes


def apply_invoices(ctx: GroupContext, records: list[dict]) -> list[str]:
    return apply_run(_Invoices, ctx, records)
