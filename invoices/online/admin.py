"""The back office of online payments: see every order; book a paid one when the gateway's
payout arrives (the money then settles the order's invoices and leaves "in settlement")."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.audit import audit_context
from ebok.admin_tools import ReadOnlyAdmin, ReadOnlyInline
from ebok.dates import today as business_today

from .models import PaymentOrder, PaymentOrderItem
from .services import OnlinePaymentError, order_settle


class PaymentOrderItemInline(ReadOnlyInline):
    model = PaymentOrderItem
    fields = ["invoice", "amount"]


@admin.register(PaymentOrder)
class PaymentOrderAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "company", "amount", "status", "gateway", "gateway_order_id"]
    list_filter = ["status", "gateway"]
    search_fields = ["gateway_order_id", "public_id", "company__name", "items__invoice__number"]
    list_select_related = ["company"]
    inlines = [PaymentOrderItemInline]
    actions = ["settle"]

    def has_settle_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("invoices.add_payment")

    @admin.action(
        description=gettext_lazy("Zaksięguj wpłatę i rozlicz faktury"), permissions=["settle"]
    )
    def settle(self, request: HttpRequest, queryset: QuerySet) -> None:
        audit = audit_context(request)
        for order in queryset:
            try:
                payment = order_settle(order=order, received_on=business_today(), audit=audit)
            except OnlinePaymentError as error:
                self.message_user(request, f"{order.gateway_order_id}: {error}", messages.WARNING)
                continue
            self.message_user(
                request,
                _("%(order)s: zaksięgowano wpłatę %(amount)s.")
                % {"order": order.gateway_order_id, "amount": payment.amount},
                messages.SUCCESS,
            )
