"""Online payment orders: create one for chosen invoices, apply the gateway's notifications,
settle a paid one when the money is booked.

A notification changes an order only when its signature verifies (the gateway's
`parse_notification`), it names an order of ours with the gateway's own id for it, and its
amount and currency are exactly what was ordered. A repeated notification changes nothing; a
final status (paid, cancelled, failed) is never overwritten by a later one.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Mapping, Sequence

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import BACKGROUND, AuditContext, audit_log
from ebok.datacache import company_data_changed
from ebok.money import ZERO, format_money

from ..models import Invoice, Payment
from ..services import payment_record_allocated
from .gateways import Gateway, GatewayError, Notification, get_gateway
from .models import PaymentOrder, PaymentOrderItem

logger = logging.getLogger(__name__)

Status = PaymentOrder.Status


class OnlinePaymentError(Exception):
    """The order cannot be made; the message is user-facing."""


class NotificationRejected(Exception):
    """A notification with a valid signature that does not match what was ordered (logged)."""


@transaction.atomic
def order_create(
    *, user, invoices: Sequence[Invoice], audit: AuditContext, gateway: Gateway | None = None
) -> PaymentOrder:
    """An order for what `invoices` still owe, registered with the gateway. The caller has
    chosen `invoices` through `selectors.payable_invoices` (visible, unpaid, not in settlement)."""
    if not invoices:
        raise OnlinePaymentError(_("Zaznacz co najmniej jedną nieopłaconą fakturę."))
    total = sum((invoice.amount_due for invoice in invoices), ZERO)
    limit = settings.ONLINE_PAYMENT_MAX_AMOUNT
    if total > limit:
        raise OnlinePaymentError(
            _(
                "Jedna płatność online może wynieść najwyżej %(limit)s (wybrano %(total)s). "
                "Zaznacz mniej faktur albo zapłać przelewem."
            )
            % {"limit": format_money(limit), "total": format_money(total)}
        )
    gateway = gateway or get_gateway()
    order = PaymentOrder.objects.create(
        public_id=uuid.uuid4(),
        company_id=user.company_id,
        user=user,
        gateway=gateway.name,
        amount=total,
    )
    PaymentOrderItem.objects.bulk_create(
        PaymentOrderItem(order=order, invoice=invoice, amount=invoice.amount_due)
        for invoice in invoices
    )
    try:
        started = gateway.start(
            order=order,
            continue_url=audit.absolute_url(
                reverse("online_payments:result", args=[order.public_id])
            ),
            notify_url=audit.absolute_url(reverse("online_payments:notify", args=[gateway.name])),
            customer_ip=audit.ip or "",
        )
    except GatewayError:
        logger.exception("payment gateway refused order %s", order.public_id)
        raise OnlinePaymentError(
            _(
                "Bramka płatności jest chwilowo niedostępna. Spróbuj za kilka minut albo "
                "zapłać przelewem."
            )
        ) from None
    order.gateway_order_id = started.gateway_order_id
    order.status = Status.PENDING
    order.save(update_fields=["gateway_order_id", "status"])
    audit_log(
        audit=audit,
        action="online_payment.started",
        obj=order,
        details={"amount": str(total), "invoices": [i.number for i in invoices]},
    )
    order.redirect_url = started.redirect_url
    return order


def order_notification_apply(
    *, gateway: Gateway, body: bytes, headers: Mapping[str, str], audit: AuditContext = BACKGROUND
) -> PaymentOrder:
    """Apply a gateway's notification. Raises `SignatureError` (forged: nothing happens, not
    even a log row), `GatewayError` (unreadable) or `NotificationRejected` (not what was
    ordered: logged and written to the audit log, the order unchanged)."""
    notification = gateway.parse_notification(body=body, headers=headers)
    order, problem = _apply(gateway, notification)
    if problem is not None:
        reason, details = problem
        logger.warning("payment notification rejected: %s %s", reason, details)
        if order is not None:
            audit_log(
                audit=audit,
                company=order.company,
                action="online_payment.rejected",
                obj=order,
                details={"reason": reason, **details},
            )
        raise NotificationRejected(reason)
    return order


@transaction.atomic
def _apply(gateway: Gateway, notification: Notification):
    """(order, None) when applied or a repeat; (order or None, (reason, details)) when refused."""
    try:
        public_id = uuid.UUID(notification.ext_order_id)
    except ValueError:
        return None, ("unknown order", {"ext_order_id": notification.ext_order_id[:80]})
    order = (
        PaymentOrder.objects.select_for_update()
        .select_related("company")
        .filter(public_id=public_id, gateway=gateway.name)
        .first()
    )
    if order is None:
        return None, ("unknown order", {"ext_order_id": notification.ext_order_id[:80]})
    if notification.gateway_order_id != order.gateway_order_id:
        return order, ("order id mismatch", {"order_id": notification.gateway_order_id[:80]})
    if notification.amount_grosz != order.amount_grosz or notification.currency != order.currency:
        return order, (
            "amount mismatch",
            {
                "amount": notification.amount_grosz,
                "currency": notification.currency[:3],
                "expected": order.amount_grosz,
            },
        )
    if order.is_final or notification.status not in (Status.PAID, Status.CANCELLED, Status.FAILED):
        return order, None  # pending, or a repeated / late one: the first final word stands
    order.status = notification.status
    if order.status == Status.PAID:
        order.paid_at = timezone.now()
    order.save(update_fields=["status", "paid_at"])
    audit_log(company=order.company, action=f"online_payment.{order.status}", obj=order)
    company_data_changed(order.company_id)
    return order, None


@transaction.atomic
def order_settle(*, order: PaymentOrder, received_on: dt.date, audit: AuditContext) -> Payment:
    """Book the money of a paid order (the back office, when the gateway's payout arrives): a
    payment allocated to the order's invoices as far as they still owe, the rest as credit."""
    order = PaymentOrder.objects.select_for_update().get(pk=order.pk)
    if order.status != Status.PAID:
        raise OnlinePaymentError(_("Rozliczyć można tylko opłaconą płatność online."))
    items = list(order.items.select_related("invoice"))
    invoices = {i.pk: i for i in Invoice.objects.filter(pk__in=[it.invoice_id for it in items])}
    allocations = []
    for item in items:
        part = min(item.amount, invoices[item.invoice_id].amount_due)
        if part > 0:
            allocations.append((invoices[item.invoice_id], part))
    payment = payment_record_allocated(
        company=order.company,
        amount=order.amount,
        received_on=received_on,
        allocations=allocations,
        title=_("Płatność online %(id)s") % {"id": order.gateway_order_id},
        bank_reference=order.gateway_order_id[:60],
    )
    order.status = Status.SETTLED
    order.settled_by = payment
    order.save(update_fields=["status", "settled_by"])
    audit_log(
        audit=audit,
        company=order.company,
        action="online_payment.settled",
        obj=order,
        details={"payment": payment.pk, "amount": str(order.amount)},
    )
    company_data_changed(order.company_id)
    return payment
