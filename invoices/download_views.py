"""Invoice downloads: one invoice's PDF, a ZIP of several, the list as an Excel report.

Kept apart from `views.py` (the pages) because they answer with files. Everything goes
through `selectors` scoped to the user: another company's invoice is a 404, and ids of
invoices the user may not see are dropped from a ZIP selection, never included. No file is
ever answered 200 and then cut: every file is complete before its first byte is sent.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.permissions import Perm, client_required
from contracts.download_views import contract_report, list_report
from ebok.exports import export_params
from ebok.http import htmx_redirect
from ebok.pdf import PDF_CONTENT_TYPE
from ebok.services import export_filename, export_job_create

from . import exports, selectors
from .forms import InvoiceFilterForm, InvoiceSelectionForm
from .pdf import invoice_pdf_filename
from .services import invoice_pdf_ensure


@require_GET
@client_required(Perm.FINANCES)
def invoice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The stored PDF (rendered and stored on the first request only).

    An invoice PDF is a few dozen kilobytes: read whole and sent with its length in one
    response (a streamed FileResponse cost a fifth of this view's time in chunks), so a
    download is complete or fails."""
    invoice = selectors.get_invoice_file_for_user(user=request.user, pk=pk)
    try:
        # Stored: read at once (no separate existence check: a download is a file read).
        content = _read_stored(invoice) if invoice.pdf else None
    except FileNotFoundError:
        content = None
    if content is None:
        invoice = invoice_pdf_ensure(invoice=invoice)
        content = _read_stored(invoice)
    return HttpResponse(
        content,
        content_type=PDF_CONTENT_TYPE,
        headers={
            "Content-Disposition": content_disposition_header(
                as_attachment=True, filename=invoice_pdf_filename(invoice)
            )
        },
    )


def _read_stored(invoice) -> bytes:
    with invoice.pdf.open("rb") as file:
        return file.read()


@require_http_methods(["GET", "POST"])
@client_required(Perm.FINANCES)
def invoices_zip(request: HttpRequest) -> HttpResponse:
    """POST: the invoices ticked in the list. GET: every invoice the current filters show.

    With every PDF stored the ZIP is written to a temporary file and sent with its
    Content-Length, so a download cut short fails in the browser instead of saving a broken
    archive. When PDFs must be rendered first (seconds each), it becomes an export job.
    """
    if request.method == "POST":
        back = _back_url(request, request.POST.get("next"))
        form = InvoiceSelectionForm(request.POST)
        if not form.is_valid():
            messages.error(request, form.errors["invoice"][0])
            return HttpResponseRedirect(back)
        params: dict = {"selected": form.cleaned_data["invoice"]}
    else:
        params = {"filters": export_params(request.GET)}
        back = f"{reverse('invoices:list')}?{request.GET.urlencode()}"
    invoices = exports.zip_invoices(request.user, params)
    count = invoices.count()
    refusal = _zip_refusal(count, selected=request.method == "POST")
    if refusal:
        messages.warning(request, refusal)
        return HttpResponseRedirect(back)
    kind = exports.INVOICES_ZIP
    if exports.invoices_missing_pdf(invoices):
        job = export_job_create(owner=request.user, kind=kind, params=params, rows_total=count)
        return htmx_redirect(request, reverse("exports:job", args=[job.pk]))
    return FileResponse(
        exports.invoices_zip_tempfile(invoices.iterator(chunk_size=100)),
        as_attachment=True,
        filename=export_filename(kind.filename(params), kind.extension),
        content_type=kind.content_type,
    )


def _zip_refusal(count: int, *, selected: bool) -> str:
    """Why a ZIP of `count` invoices is not made (empty when it is)."""
    if count == 0:
        if selected:
            return _("Zaznacz co najmniej jedną fakturę do pobrania.")
        return _("Na liście nie ma faktur do pobrania – zmień filtry.")  # "all from the list"
    limit = settings.INVOICE_ZIP_MAX_INVOICES
    if count > limit:
        return _(
            "Jednym plikiem ZIP można pobrać najwyżej %(limit)s faktur (wybrano %(count)s). "
            "Zawęź filtry, np. do jednego miesiąca."
        ) % {"limit": limit, "count": count}
    return ""


@require_GET
@client_required(Perm.FINANCES)
def invoices_xlsx(request: HttpRequest) -> HttpResponse:
    return list_report(request, exports.INVOICES, InvoiceFilterForm(request.GET))


@require_GET
@client_required(Perm.CONTRACTS, Perm.FINANCES)
def contract_invoices_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    return contract_report(request, pk, exports.INVOICES, InvoiceFilterForm(request.GET))


def _back_url(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("invoices:list")
