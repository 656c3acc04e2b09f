"""Invoice downloads: the Excel report of the (filtered) list and the ZIP of invoice PDFs.

The Excel report is the hot path of the benchmark (100 000 rows): rows come straight from
`values_list(...).iterator()` as tuples, the status is derived with two comparisons, and no
model instance is built per row.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.permissions import Perm, has_perm
from ebok import exports
from ebok.dates import today as business_today
from ebok.exports import CHUNK, choice_labels, dated_filename, params_querydict
from ebok.money import ZERO
from ebok.xlsx import Column, Kind

from . import selectors
from .forms import InvoiceFilterForm
from .models import Invoice
from .pdf import invoice_pdf_filename
from .services import invoice_pdf_ensure

# --- Excel ---------------------------------------------------------------------------------------


def filtered_invoices(user, params: exports.Params):
    """The list's own form and selector over the saved query string: the rows on screen."""
    form = InvoiceFilterForm(params_querydict(params))
    # The contract page's invoice tab: the selector keeps it within the user's own invoices.
    contract_id = int(params["contract_id"][0]) if params.get("contract_id") else None
    filters = form.filters(contract_id=contract_id)
    return selectors.invoice_list(user=user, filters=filters, today=business_today())


def _columns() -> list[Column]:
    return [
        Column(_("Numer faktury"), width=22),
        Column(_("Rodzaj"), width=18),
        Column(_("Numer umowy"), width=18),
        Column(_("Data wystawienia"), Kind.DATE, width=14),
        Column(_("Data sprzedaży"), Kind.DATE, width=14),
        Column(_("Termin płatności"), Kind.DATE, width=14),
        Column(_("Netto"), Kind.MONEY, width=15),
        Column(_("VAT"), Kind.MONEY, width=14),
        Column(_("Brutto"), Kind.MONEY, width=15),
        Column(_("Kwota należna"), Kind.MONEY, width=15),
        Column(_("Zapłacono"), Kind.MONEY, width=15),
        Column(_("Do zapłaty"), Kind.MONEY, width=15),
        Column(_("Status"), width=20),
        Column(_("Po terminie"), width=11),
        Column(_("Faktura korygowana"), width=22),
    ]


def _rows(invoices) -> Iterator[tuple[Any, ...]]:
    today = business_today()
    kinds = choice_labels(Invoice.Kind.choices)
    paid_label = str(Invoice.Status.PAID.label)
    partial_label = str(Invoice.Status.PARTIALLY_PAID.label)
    unpaid_label = str(Invoice.Status.UNPAID.label)
    yes, no = _("tak"), _("nie")
    rows = invoices.prefetch_related(None).values_list(
        "number",
        "kind",
        F("contract__number"),
        "issue_date",
        "sale_date",
        "due_date",
        "net",
        "vat",
        "gross",
        "amount_payable",
        "amount_paid",
        F("corrected_invoice__number"),
    )
    for (
        number,
        kind,
        contract,
        issued,
        sold,
        due_on,
        net,
        vat,
        gross,
        payable,
        paid,
        corrected,
    ) in rows.iterator(chunk_size=CHUNK):
        due = payable - paid
        if due <= ZERO:
            status = paid_label
        elif paid > ZERO:
            status = partial_label
        else:
            status = unpaid_label
        yield (
            number,
            kinds.get(kind, kind),
            contract,
            issued,
            sold,
            due_on,
            net,
            vat,
            gross,
            payable,
            paid,
            due,
            status,
            yes if due > ZERO and due_on < today else no,
            corrected,
        )


INVOICES = exports.queryset_report(
    key="invoices",
    title=lambda: _("Faktury"),
    filename=dated_filename(gettext_lazy("Faktury")),
    columns=_columns,
    queryset=filtered_invoices,
    rows=_rows,
    allowed=lambda user: has_perm(user, Perm.FINANCES),
)


def register_reports() -> None:
    exports.register(INVOICES)


# --- ZIP of PDFs ---------------------------------------------------------------------------------


class _ChunkSink:
    """A write-only "file" for zipfile: it keeps what was written until the stream takes it.

    Without seek() and tell(), zipfile writes each member with a trailing data descriptor,
    so the archive can be produced front to back and sent while it is being built.
    """

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def zip_stream(members: Iterable[tuple[str, dt.datetime, bytes]]) -> Iterator[bytes]:
    """A ZIP archive as a stream of chunks; only one member is held in memory at a time."""
    sink = _ChunkSink()
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, modified, content in members:
            info = zipfile.ZipInfo(name, date_time=modified.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            with archive.open(info, mode="w") as member:
                member.write(content)
            yield sink.take()
    yield sink.take()  # the central directory


def invoice_pdf_members(invoices: Iterable[Invoice]) -> Iterator[tuple[str, dt.datetime, bytes]]:
    """Each invoice's stored PDF (rendered and stored first if it is missing)."""
    for invoice in invoices:
        invoice = invoice_pdf_ensure(invoice=invoice)
        with invoice.pdf.open("rb") as handle:
            content = handle.read()
        modified = dt.datetime.combine(invoice.issue_date, dt.time(12, 0))
        yield invoice_pdf_filename(invoice), modified, content


def invoices_zip_stream(invoices: Iterable[Invoice]) -> Iterator[bytes]:
    return zip_stream(invoice_pdf_members(invoices))


def invoices_zip_filename() -> str:
    return f"Faktury_{business_today():%Y-%m-%d}.zip"
