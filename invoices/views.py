"""Client portal pages of finances: invoices (list, detail, a contract's tab) and payments.

Every view needs Perm.FINANCES and reads through `invoices.selectors`, scoped to the user's
company and visible contracts (another company's invoice: 404).
"""

from __future__ import annotations

from django.core.paginator import Page
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.permissions import Perm, client_required, has_perm
from contracts.selectors import get_contract_for_user, visible_contract_numbers
from contracts.views import contract_page_context, render_tab
from ebok.dates import today as business_today
from ebok.lists import paginate, render_list

from . import selectors
from .forms import InvoiceFilterForm, PaymentFilterForm
from .online.context import online_payment_context
from .online.selectors import cached_in_settlement_summary
from .pdf import vat_summary


def _invoice_page(request: HttpRequest, form: InvoiceFilterForm, filters, today) -> Page:
    """The page of `invoice_list` the form asks for, rows with their corrections."""
    invoices = selectors.invoice_list(user=request.user, filters=filters, today=today)
    count = selectors.invoice_count(user=request.user, filters=filters, today=today)
    page = paginate(selectors.for_list_rows(invoices), form.page_number, count=count)
    page.object_list = selectors.with_corrections(page.object_list)
    return page


@require_GET
@client_required(Perm.FINANCES)
def invoice_list(request: HttpRequest) -> HttpResponse:
    form = InvoiceFilterForm(request.GET)
    today = business_today()
    context = {
        "form": form,
        "page_obj": _invoice_page(request, form, form.filters(), today),
        "today": today,
        "contract_numbers": visible_contract_numbers(user=request.user),
        "can_see_contracts": has_perm(request.user, Perm.CONTRACTS),
        "in_settlement": cached_in_settlement_summary(user=request.user, today=today),
    }
    return render_list(request, "invoices/list.html", context, partial="results")


@require_GET
@client_required(Perm.FINANCES)
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = selectors.get_invoice_for_user(user=request.user, pk=pk)
    context = {
        "invoice": invoice,
        "vat_rows": vat_summary(invoice.lines.all()),
        "today": business_today(),
        "can_see_contracts": has_perm(request.user, Perm.CONTRACTS),
        # A restricted user sees what settled this invoice, not the transfers' titles.
        "sees_company": selectors.user_sees_all_contracts(request.user),
    } | online_payment_context(user=request.user, invoice=invoice)
    return render(request, "invoices/detail.html", context)


@require_GET
@client_required(Perm.CONTRACTS, Perm.FINANCES)
def contract_invoices(request: HttpRequest, pk: int) -> HttpResponse:
    """The "Faktury" tab of the contract page."""
    contract = get_contract_for_user(user=request.user, pk=pk)
    form = InvoiceFilterForm(request.GET)
    today = business_today()
    filters = form.filters(contract_id=contract.pk)
    context = contract_page_context(request, contract, "invoices") | {
        "form": form,
        "page_obj": _invoice_page(request, form, filters, today),
        "today": today,
    }
    return render_tab(request, "invoices/_contract_invoices_tab.html", context)


@require_GET
@client_required(Perm.FINANCES)
def payment_list(request: HttpRequest) -> HttpResponse:
    """Wpłaty i saldo: the balance, and every payment with the invoices it settled."""
    form = PaymentFilterForm(request.GET)
    payments = selectors.payment_list(user=request.user, filters=form.filters())
    sees_company = selectors.user_sees_all_contracts(request.user)
    if not sees_company:  # their search looks in invoice numbers only (selectors.payment_list)
        form.fields["q"].widget.attrs["placeholder"] = _("numer faktury")
    page = paginate(payments, form.page_number)
    page.object_list = selectors.with_first_allocations(user=request.user, payments=page)
    context = {
        "form": form,
        "page_obj": page,
        "balance": selectors.cached_balance(user=request.user, today=business_today()),
        "sees_company": sees_company,
    }
    return render_list(request, "invoices/payments.html", context, partial="results")


@require_GET
@client_required(Perm.FINANCES)
def payment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One payment and every invoice it settled (paginated: it may be hundreds)."""
    payment = selectors.get_payment_for_user(user=request.user, pk=pk)
    form = PaymentFilterForm(request.GET)
    allocations = selectors.payment_allocations(user=request.user, payment=payment)
    context = {
        "payment": payment,
        "form": form,
        "page_obj": paginate(allocations, form.page_number),
        "sees_company": selectors.user_sees_all_contracts(request.user),
    }
    return render_list(request, "invoices/payment_detail.html", context, partial="results")
