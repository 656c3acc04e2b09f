"""Downloads of the contract pages: the schedule as PDF and the lists as Excel reports.

Kept apart from `views.py` (the pages) because they answer with files, not HTML. Each Excel
download takes the list's current query string, so the file matches the list on screen.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from accounts.permissions import Perm, client_required
from ebok.export_views import export_response
from ebok.exports import ExportKind, export_params
from ebok.pdf import PDF_CONTENT_TYPE

from . import exports, selectors
from .pdf import render_schedule_pdf, schedule_pdf_filename


@require_GET
@client_required(Perm.CONTRACTS)
def schedule_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    contract = selectors.get_contract_for_user(user=request.user, pk=pk)
    response = HttpResponse(render_schedule_pdf(contract), content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{schedule_pdf_filename(contract)}"'
    return response


def contract_report(request: HttpRequest, pk: int, kind: ExportKind) -> HttpResponse:
    """The report of a contract tab's list (the contract checked for this user: else 404)."""
    contract = selectors.get_contract_for_user(user=request.user, pk=pk)
    params = export_params(request.GET, contract_id=contract.pk)
    return export_response(request, kind=kind, params=params)


@require_GET
@client_required(Perm.CONTRACTS)
def schedule_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    contract = selectors.get_contract_for_user(user=request.user, pk=pk)
    params = export_params(request.GET, contract_id=contract.pk, number=contract.number)
    return export_response(request, kind=exports.SCHEDULE, params=params)


@require_GET
@client_required(Perm.CONTRACTS)
def contracts_xlsx(request: HttpRequest) -> HttpResponse:
    return export_response(request, kind=exports.CONTRACTS, params=export_params(request.GET))


@require_GET
@client_required(Perm.CONTRACTS)
def installments_xlsx(request: HttpRequest) -> HttpResponse:
    return export_response(request, kind=exports.INSTALLMENTS, params=export_params(request.GET))


@require_GET
@client_required(Perm.CONTRACTS)
def policies_xlsx(request: HttpRequest) -> HttpResponse:
    return export_response(request, kind=exports.POLICIES, params=export_params(request.GET))


@require_GET
@client_required(Perm.CONTRACTS)
def contract_policies_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    return contract_report(request, pk, exports.POLICIES)


@require_GET
@client_required(Perm.CONTRACTS)
def fees_xlsx(request: HttpRequest) -> HttpResponse:
    return export_response(request, kind=exports.FEES, params=export_params(request.GET))


@require_GET
@client_required(Perm.CONTRACTS)
def contract_fees_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    return contract_report(request, pk, exports.FEES)
