"""Client portal pages of contracts: list, detail with tabs, installments, policies, fees.

Every view is `client_required(Perm.CONTRACTS)` and reads through `contracts.selectors`, which
scope everything to the user's company and visible contracts (another company's contract: 404).
HTMX requests get only the part of the page they replace (see `ebok.lists.render_list`).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from accounts.permissions import Perm, client_required, has_perm
from ebok.dates import today as business_today
from ebok.lists import paginate, render_list

from . import selectors
from .forms import (
    ContractFilterForm,
    FeeFilterForm,
    InstallmentFilterForm,
    PolicyFilterForm,
    ScheduleFilterForm,
)


def contract_page_context(request: HttpRequest, contract, active_tab: str) -> dict:
    """What every tab of the contract page shows around its own content."""
    return {
        "contract": contract,
        "active_tab": active_tab,
        "can_see_finances": has_perm(request.user, Perm.FINANCES),
    }


def render_tab(request: HttpRequest, tab: str, context: dict) -> HttpResponse:
    """A tab of the contract page: the whole page (contracts/detail.html with the tab in it),
    the tab alone (a click on the tab strip, aimed at #contract-tab), or the tab's results (a
    filter, sort or page change). `tab` is the tab's template; every tab extends the same
    layout, contracts/_tab.html."""
    context["tab_template"] = tab
    return render_list(
        request,
        "contracts/detail.html",
        context,
        partial=f"{tab}#results",
        targets={"contract-tab": tab},
    )


@require_GET
@client_required(Perm.CONTRACTS)
def contract_list(request: HttpRequest) -> HttpResponse:
    form = ContractFilterForm(request.GET)
    filters = form.filters()
    contracts = selectors.for_list_rows(selectors.contract_list(user=request.user, filters=filters))
    count = selectors.contract_count(user=request.user, filters=filters)
    context = {"form": form, "page_obj": paginate(contracts, form.page_number, count=count)}
    return render_list(request, "contracts/list.html", context, partial="results")


@require_GET
@client_required(Perm.CONTRACTS)
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The contract's parameters and its schedule (the first tab)."""
    form = ScheduleFilterForm(request.GET)
    filters = form.filters()
    whole_schedule = filters == selectors.InstallmentFilters()
    contract = selectors.get_contract_for_user(
        user=request.user, pk=pk, count_remaining=not whole_schedule
    )
    today = business_today()
    # The (filtered) schedule is on the page: its totals are summed from the same rows, and
    # when it is the whole schedule, the installments still to pay are counted from it too.
    installments = selectors.schedule_installments(contract=contract, filters=filters, today=today)
    installments = selectors.installment_rows(
        selectors.installment_values(installments), today=today
    )
    if whole_schedule:
        contract.remaining_installments = selectors.remaining_in(installments)
    context = contract_page_context(request, contract, "schedule") | {
        "form": form,
        "installments": installments,
        "totals": selectors.totals_of(installments),
    }
    return render_tab(request, "contracts/_schedule_tab.html", context)


@require_GET
@client_required(Perm.CONTRACTS)
def contract_policies(request: HttpRequest, pk: int) -> HttpResponse:
    contract = selectors.get_contract_for_user(user=request.user, pk=pk)
    form = PolicyFilterForm(request.GET)
    policies = selectors.policy_list(
        user=request.user, filters=form.filters(), today=business_today(), contract=contract
    )
    context = contract_page_context(request, contract, "policies") | {
        "form": form,
        "page_obj": paginate(policies, form.page_number),
    }
    return render_tab(request, "contracts/_policies_tab.html", context)


@require_GET
@client_required(Perm.CONTRACTS)
def contract_fees(request: HttpRequest, pk: int) -> HttpResponse:
    contract = selectors.get_contract_for_user(user=request.user, pk=pk)
    form = FeeFilterForm(request.GET)
    fees = selectors.fee_list(user=request.user, filters=form.filters(), contract=contract)
    totals = selectors.fee_totals(fees)
    context = contract_page_context(request, contract, "fees") | {
        "form": form,
        "page_obj": paginate(fees, form.page_number, count=totals.count),
        "totals": totals,
    }
    return render_tab(request, "contracts/_fees_tab.html", context)


@require_GET
@client_required(Perm.CONTRACTS)
def installment_list(request: HttpRequest) -> HttpResponse:
    """Raty: every visible contract's installments in a date range, with totals."""
    today = business_today()
    form = InstallmentFilterForm(request.GET, today=today)
    filters = form.filters()
    installments = selectors.installments_between(user=request.user, filters=filters, today=today)
    totals = selectors.installments_due_between_totals(
        user=request.user, filters=filters, today=today
    )
    values = selectors.installment_values(installments)
    page = paginate(values, form.page_number, count=totals.count)
    page.object_list = selectors.installment_rows(page.object_list, today=today)
    context = {
        "form": form,
        "page_obj": page,
        "totals": totals,
        "contract_numbers": selectors.visible_contract_numbers(user=request.user),
    }
    return render_list(request, "contracts/installments.html", context, partial="results")


@require_GET
@client_required(Perm.CONTRACTS)
def policy_list(request: HttpRequest) -> HttpResponse:
    form = PolicyFilterForm(request.GET)
    policies = selectors.policy_list(
        user=request.user, filters=form.filters(), today=business_today()
    )
    context = {"form": form, "page_obj": paginate(policies, form.page_number)}
    return render_list(request, "contracts/policies.html", context, partial="results")


@require_GET
@client_required(Perm.CONTRACTS)
def fee_list(request: HttpRequest) -> HttpResponse:
    form = FeeFilterForm(request.GET)
    fees = selectors.fee_list(user=request.user, filters=form.filters())
    totals = selectors.fee_totals(fees)
    context = {
        "form": form,
        "page_obj": paginate(fees, form.page_number, count=totals.count),
        "totals": totals,
        "contract_numbers": selectors.visible_contract_numbers(user=request.user),
        "can_see_finances": has_perm(request.user, Perm.FINANCES),
    }
    return render_list(request, "contracts/fees.html", context, partial="results")
