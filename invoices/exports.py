"""Invoice downloads: the Excel report of the (filtered) list and the ZIP of invoice PDFs.

The Excel report is the hot path of the benchmark (100 000 rows): rows come straight from
`values_list(...).iterator()` as tuples, the status is derived with two comparisons, and no
model instance is built per row.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

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

Progress = Callable[[int], None]

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
    exports.register(INVOICES_ZIP)


# --- ZIP of PDFs ---------------------------------------------------------------------------------

ZIP_CONTENT_TYPE = "application/zip"


def zip_invoices(user, params: exports.Params):
    """The invoices of a ZIP: the ticked ones (`{"selected": [ids]}`, ids the user may not see
    are dropped) or the filtered list (`{"filters": {...}}`)."""
    if "selected" in params:
        invoices = selectors.visible_invoices(user=user).filter(pk__in=params["selected"])
        invoices = invoices.order_by("issue_date", "number")
    else:
        invoices = filtered_invoices(user, params.get("filters", {}))
    return invoices.prefetch_related(None)


def invoices_missing_pdf(invoices) -> bool:
    """Would this ZIP have to render PDFs first (then it is a job, not a download)?"""
    return invoices.filter(pdf="").exists()


def write_invoices_zip(
    handle: IO[bytes], invoices: Iterable[Invoice], *, on_progress: Progress | None = None
) -> int:
    """The invoices' stored PDFs as a ZIP archive in `handle` (a seekable binary file); a PDF
    still missing is rendered and stored first. Returns the number of PDFs.

    ZIP_STORED: the PDFs are compressed already; each is copied block by block, so memory
    stays flat at any size, and the finished file's size is the Content-Length of its download.
    """
    count = 0
    with zipfile.ZipFile(handle, mode="w", compression=zipfile.ZIP_STORED) as archive:
        for invoice in invoices:
            stored = invoice_pdf_ensure(invoice=invoice)
            issued = stored.issue_date
            info = zipfile.ZipInfo(
                invoice_pdf_filename(stored),
                date_time=(issued.year, issued.month, issued.day, 12, 0, 0),
            )
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            with stored.pdf.open("rb") as source, archive.open(info, mode="w") as member:
                shutil.copyfileobj(source, member, _COPY_BLOCK)
            count += 1
            if on_progress is not None:
                on_progress(count)
    return count


_COPY_BLOCK = 256 * 1024


def invoices_zip_tempfile(invoices: Iterable[Invoice]) -> IO[bytes]:
    """The whole ZIP in an anonymous temporary file, rewound; the caller closes it."""
    handle = tempfile.TemporaryFile(suffix=".zip")  # noqa: SIM115 - returned open
    try:
        write_invoices_zip(handle, invoices)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return handle


INVOICES_ZIP = exports.file_export(
    key="invoices_zip",
    title=lambda: _("Faktury PDF"),
    filename=dated_filename(gettext_lazy("Faktury")),
    count=lambda user, params: zip_invoices(user, params).count(),
    write=lambda user, params, handle, on_progress: write_invoices_zip(
        handle, zip_invoices(user, params).iterator(chunk_size=100), on_progress=on_progress
    ),
    allowed=lambda user: has_perm(user, Perm.FINANCES),
    extension="zip",
    content_type=ZIP_CONTENT_TYPE,
)
