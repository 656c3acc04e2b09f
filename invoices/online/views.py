"""Paying invoices online: the checkout (total and transfer QR code), the way to the gateway,
the result page, the gateway's notifications and the demo gateway's page."""

from __future__ import annotations

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
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.audit import audit_context
from accounts.permissions import Perm, client_required
from ebok.dates import today as business_today
from ebok.money import ZERO

from . import selectors
from .forms import DemoGatewayForm, PaySelectionForm
from .gateways import DemoGateway, GatewayError, SignatureError, get_gateway
from .qr import invoices_transfer_code
from .services import (
    NotificationRejected,
    OnlinePaymentError,
    order_create,
    order_notification_apply,
)


def _chosen_invoices(request: HttpRequest, data) -> list | None:
    form = PaySelectionForm(data)
    if not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])
        return None
    invoices = selectors.payable_invoices(
        user=request.user, today=business_today(), **form.selection()
    )
    if not invoices:
        messages.warning(request, _("Nie ma nieopłaconych faktur do zapłaty w tym wyborze."))
        return None
    return invoices


@require_http_methods(["GET", "POST"])
@client_required(Perm.FINANCES)
def checkout(request: HttpRequest) -> HttpResponse:
    """What the client is about to pay: the invoices, the total, a QR code for a transfer."""
    invoices = _chosen_invoices(request, request.POST if request.method == "POST" else request.GET)
    if invoices is None:
        return redirect("invoices:list")
    total = sum((invoice.amount_due for invoice in invoices), ZERO)
    code = invoices_transfer_code(invoices, total, request.user.company.nip)
    context = {
        "invoices": invoices,
        "total": total,
        "transfer": code,
        "qr_svg": code.svg(),
        "today": business_today(),
    }
    return render(request, "invoices/online/checkout.html", context)


@require_POST
@client_required(Perm.FINANCES)
def pay(request: HttpRequest) -> HttpResponse:
    invoices = _chosen_invoices(request, request.POST)
    if invoices is None:
        return redirect("invoices:list")
    try:
        order = order_create(user=request.user, invoices=invoices, audit=audit_context(request))
    except OnlinePaymentError as error:
        messages.error(request, str(error))
        return redirect("invoices:list")
    return HttpResponseRedirect(order.redirect_url)


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
