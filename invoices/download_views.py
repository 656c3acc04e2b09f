"""Invoice downloads: one invoice's PDF, a ZIP of several, the list as an Excel report.

Kept apart from `views.py` (the pages) because they answer with files. Everything goes
through `selectors` scoped to the user: another company's invoice is a 404, and ids of
invoices the user may not see are dropped from a ZIP selection, never included.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.permissions import Perm, client_required
from contracts.download_views import contract_report
from ebok.export_views import export_response
from ebok.exports import export_params
from ebok.pdf import PDF_CONTENT_TYPE

from . import exports, selectors
from .pdf import invoice_pdf_filename
from .services import invoice_pdf_ensure


@require_GET
@client_required(Perm.FINANCES)
def invoice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The stored PDF (rendered and stored on the first request only)."""
    invoice = selectors.get_invoice_for_user(user=request.user, pk=pk)
    invoice = invoice_pdf_ensure(invoice=invoice)
    return FileResponse(
        invoice.pdf.open("rb"),
        as_attachment=True,
        filename=invoice_pdf_filename(invoice),
        content_type=PDF_CONTENT_TYPE,
    )


@require_http_methods(["GET", "POST"])
@client_required(Perm.FINANCES)
def invoices_zip(request: HttpRequest) -> HttpResponse:
    """POST: the invoices ticked in the list. GET: every invoice the current filters show."""
    if request.method == "POST":
        ids = [int(value) for value in request.POST.getlist("invoice") if value.isdigit()]
        invoices = selectors.visible_invoices(user=request.user).filter(pk__in=ids)
        invoices = invoices.order_by("issue_date", "number")
        back = _back_url(request, request.POST.get("next"))
    else:
        invoices = exports.filtered_invoices(request.user, export_params(request.GET))
        back = f"{reverse('invoices:list')}?{request.GET.urlencode()}"
    count = invoices.count()
    if count == 0:
        messages.warning(request, _("Zaznacz co najmniej jedną fakturę do pobrania."))
        return HttpResponseRedirect(back)
    limit = settings.INVOICE_ZIP_MAX_INVOICES
    if count > limit:
        messages.warning(
            request,
            _(
                "Jednym plikiem ZIP można pobrać najwyżej %(limit)s faktur (wybrano %(count)s). "
                "Zawęź filtry, np. do jednego miesiąca."
            )
            % {"limit": limit, "count": count},
        )
        return HttpResponseRedirect(back)
    response = StreamingHttpResponse(
        exports.invoices_zip_stream(invoices.prefetch_related(None).iterator(chunk_size=100)),
        content_type="application/zip",
    )
    response["Content-Disposition"] = f'attachment; filename="{exports.invoices_zip_filename()}"'
    return response


@require_GET
@client_required(Perm.FINANCES)
def invoices_xlsx(request: HttpRequest) -> HttpResponse:
    return export_response(request, kind=exports.INVOICES, params=export_params(request.GET))


@require_GET
@client_required(Perm.CONTRACTS, Perm.FINANCES)
def contract_invoices_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    return contract_report(request, pk, exports.INVOICES)


def _back_url(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("invoices:list")
