"""Downloads of the contract pages: the schedule as PDF and the lists as Excel reports.

Kept apart from `views.py` (the pages) because they answer with files, not HTML. Each Excel
download reads the list's current query string through the list's own filter form, so the
file matches the list on screen and the job keeps only cleaned filter values.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from accounts.permissions import Perm, client_required
from ebok.dates import today as business_today
from ebok.export_views import export_response
from ebok.exports import ExportKind, export_params
from ebok.forms import ListFilterForm
from ebok.pdf import PDF_CONTENT_TYPE

from . import exports, selectors
from .forms import (
    ContractFilterForm,
    FeeFilterForm,
    InstallmentFilterForm,
    PolicyFilterForm,
    ScheduleFilterForm,
)
from .pdf import cached_schedule_pdf, schedule_pdf_filename


@require_GET
@client_required(Perm.CONTRACTS)
def schedule_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    contract = selectors.get_contract_for_user(user=request.user, pk=pk)
    response = HttpResponse(cached_schedule_pdf(contract), content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{schedule_pdf_filename(contract)}"'
    return response


def contract_report(
    request: HttpRequest, pk: int, kind: ExportKind, form: ListFilterForm
) -> HttpResponse:
    """The report of a contract tab's list (the contract checked for this user: else 404)."""
    contract = selectors.get_contract_for_user(user=request.user, pk=pk)
    params = export_params(form, contract_id=contract.pk)
    return export_response(request, kind=kind, params=params)


def list_report(request: HttpRequest, kind: ExportKind, form: ListFilterForm) -> HttpResponse:
    return export_response(request, kind=kind, params=export_params(form))


@require_GET
@client_required(Perm.CONTRACTS)
def schedule_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    contract = selectors.get_contract_for_user(user=request.user, pk=pk)
    form = ScheduleFilterForm(request.GET)
    params = export_params(form, contract_id=contract.pk, number=contract.number)
    return export_response(request, kind=exports.SCHEDULE, params=params)


@require_GET
@client_required(Perm.CONTRACTS)
def contracts_xlsx(request: HttpRequest) -> HttpResponse:
    return list_report(request, exports.CONTRACTS, ContractFilterForm(request.GET))


@require_GET
@client_required(Perm.CONTRACTS)
def installments_xlsx(request: HttpRequest) -> HttpResponse:
    form = InstallmentFilterForm(request.GET, today=business_today())
    return list_report(request, exports.INSTALLMENTS, form)


@require_GET
@client_required(Perm.CONTRACTS)
def policies_xlsx(request: HttpRequest) -> HttpResponse:
    return list_report(request, exports.POLICIES, PolicyFilterForm(request.GET))


@require_GET
@client_required(Perm.CONTRACTS)
def contract_policies_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    return contract_report(request, pk, exports.POLICIES, PolicyFilterForm(request.GET))


@require_GET
@client_required(Perm.CONTRACTS)
def fees_xlsx(request: HttpRequest) -> HttpResponse:
    return list_report(request, exports.FEES, FeeFilterForm(request.GET))


@require_GET
@client_required(Perm.CONTRACTS)
def contract_fees_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    return contract_report(request, pk, exports.FEES, FeeFilterForm(request.GET))
