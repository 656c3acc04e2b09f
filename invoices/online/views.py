"""Paying invoices online: the checkout (total and transfer QR code), the way to the gateway,
the result page, the gateway's notifications and the demo gateway's page."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseRedirect,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.audit import audit_context
from accounts.permissions import Perm, client_required
from ebok.dates import today as business_today
from ebok.money import ZERO, format_money

from ..models import Invoice
from ..selectors import OUTSTANDING
from . import selectors
from .forms import DemoGatewayForm, PaySelectionForm
from .gateways import DemoGateway, GatewayError, SignatureError, get_gateway
from .qr import selection_transfer_code
from .selectors import SCOPE_ALL, SCOPE_OVERDUE
from .services import (
    NotificationRejected,
    OnlinePaymentError,
    order_create,
    order_notification_apply,
)


def _selection_form(request: HttpRequest, data) -> PaySelectionForm | None:
    form = PaySelectionForm(data)
    if not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])
        return None
    return form


def _nothing_to_pay(request: HttpRequest) -> HttpResponse:
    messages.warning(request, _("Nie ma nieopłaconych faktur do zapłaty w tym wyborze."))
    return redirect("invoices:list")


def _checkout_url(form: PaySelectionForm) -> str:
    """The checkout of the same selection (GET), to show it again."""
    selection = form.selection()
    if "ids" in selection:
        query = urlencode({"invoice": selection["ids"]}, doseq=True)
    else:
        query = urlencode({"scope": selection["scope"]})
    return f"{reverse('online_payments:checkout')}?{query}"


@require_http_methods(["GET", "POST"])
@client_required(Perm.FINANCES)
def checkout(request: HttpRequest) -> HttpResponse:
    """What the client is about to pay: the count and total, the first invoices (the oldest due
    first), a QR code for a transfer, and the way to the gateway when within the limit."""
    form = _selection_form(request, request.POST if request.method == "POST" else request.GET)
    if form is None:
        return redirect("invoices:list")
    chosen = form.selection()
    selection = selectors.payable_selection(user=request.user, today=business_today(), **chosen)
    if selection is None:
        return _nothing_to_pay(request)
    code = selection_transfer_code(
        numbers=[invoice.number for invoice in selection.first],
        count=selection.count,
        amount=selection.total,
        nip=request.user.company.nip,
    )
    context = {
        "selection": selection,
        "invoices": selection.first,
        "total": selection.total,
        "ids": chosen.get("ids", []),
        "scope": chosen.get("scope", ""),
        "more_url": _more_url(chosen.get("scope", "")),
        "limit": settings.ONLINE_PAYMENT_MAX_AMOUNT,
        "transfer": code,
        "qr_svg": code.svg(),
        "today": business_today(),
    }
    return render(request, "invoices/online/checkout.html", context)


def _more_url(scope: str) -> str:
    """The invoice list showing the whole selection of a scope, the oldest due first."""
    status = {SCOPE_ALL: OUTSTANDING, SCOPE_OVERDUE: Invoice.Status.OVERDUE}.get(scope)
    if status is None:
        return ""
    return f"{reverse('invoices:list')}?{urlencode({'status': status, 'sort': 'due'})}"


@require_POST
@client_required(Perm.FINANCES)
def pay(request: HttpRequest) -> HttpResponse:
    """Order exactly what the checkout showed: the same invoices owing the same amounts (the
    fingerprint it sent), else back to the checkout with the new figures."""
    form = _selection_form(request, request.POST)
    if form is None:
        return redirect("invoices:list")
    invoices = selectors.payable_invoices(
        user=request.user, today=business_today(), **form.selection()
    )
    if not invoices:
        return _nothing_to_pay(request)
    if not form.cleaned_data["shown"]:  # not from the checkout: show what would be paid
        messages.info(request, _("Sprawdź, co zapłacisz, i potwierdź płatność."))
        return HttpResponseRedirect(_checkout_url(form))
    if selectors.invoices_digest(invoices) != form.cleaned_data["shown"]:
        total = sum((invoice.amount_due for invoice in invoices), ZERO)
        messages.error(
            request,
            _(
                "Faktury do zapłaty zmieniły się, odkąd wyświetliliśmy podsumowanie (teraz: "
                "%(count)d na %(total)s). Sprawdź kwotę i zapłać ponownie."
            )
            % {"count": len(invoices), "total": format_money(total)},
        )
        return HttpResponseRedirect(_checkout_url(form))
    try:
        order = order_create(user=request.user, invoices=invoices, audit=audit_context(request))
    except OnlinePaymentError as error:
        messages.error(request, str(error))
        return HttpResponseRedirect(_checkout_url(form))
    return HttpResponseRedirect(order.redirect_url)


@require_GET
@client_required(Perm.FINANCES)
def selection_bar(request: HttpRequest) -> HttpResponse:
    """The invoice list's "pay the ticked" button (HTMX, as boxes are ticked): offered while the
    ticked invoices are within the per-transaction limit, else disabled with the reason."""
    form = PaySelectionForm(request.GET)
    selection = None
    if form.is_valid() and form.cleaned_data["invoice"]:
        selection = selectors.payable_selection(
            user=request.user, today=business_today(), ids=form.cleaned_data["invoice"], rows=0
        )
    context = {"selection": selection, "limit": settings.ONLINE_PAYMENT_MAX_AMOUNT}
    return render(request, "invoices/online/_pay_selected_button.html", context)


@require_GET
@client_required(Perm.FINANCES)
def result(request: HttpRequest, public_id) -> HttpResponse:
    order = selectors.get_order_for_user(user=request.user, public_id=public_id)
    context = {"order": order, "items": selectors.order_items(order)}
    return render(request, "invoices/online/result.html", context)


@require_http_methods(["GET", "POST"])
@client_required(Perm.FINANCES)
def demo_gateway(request: HttpRequest, public_id) -> HttpResponse:
    """The demo gateway's page: the client picks the outcome; the page then sends the signed
    notification through the path a real gateway's takes and returns to the result page."""
    order = selectors.get_order_for_user(user=request.user, public_id=public_id)
    if order.gateway != DemoGateway.name:
        raise Http404
    form = DemoGatewayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        gateway = DemoGateway()
        body = gateway.notification_body(order=order, status=form.cleaned_data["outcome"])
        headers = {DemoGateway.HEADER: gateway.sign(body)}
        order_notification_apply(
            gateway=gateway, body=body, headers=headers, audit=audit_context(request)
        )
        return redirect("online_payments:result", public_id=order.public_id)
    return render(request, "invoices/online/demo_gateway.html", {"order": order})


@csrf_exempt
@require_POST
def notify(request: HttpRequest, gateway: str) -> HttpResponse:
    """The gateway's notification (webhook): verified before anything changes."""
    try:
        chosen = get_gateway(gateway)
    except GatewayError:
        raise Http404 from None
    try:
        order_notification_apply(gateway=chosen, body=request.body, headers=request.headers)
    except SignatureError:
        return HttpResponseForbidden("invalid signature")
    except (GatewayError, NotificationRejected) as error:
        return HttpResponseBadRequest(str(error))
    return HttpResponse("OK")
