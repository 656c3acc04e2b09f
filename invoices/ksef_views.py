"""The client's download of an invoice as KSeF FA(3) XML."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from accounts.permissions import Perm, client_required

from . import selectors
from .ksef import fa3_filename, invoice_fa3_xml


@require_GET
@client_required(Perm.FINANCES)
def invoice_fa3(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = selectors.get_invoice_for_user(user=request.user, pk=pk)
    content = invoice_fa3_xml(invoice)
    response = HttpResponse(content, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{fa3_filename(invoice)}"'
    response["Content-Length"] = str(len(content))
    return response
