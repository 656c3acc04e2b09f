"""Online payment orders: the client pays chosen invoices through a payment gateway.

Imported by `invoices.models` (the tables belong to the invoices app). A paid order is money
on its way: it shows as "in settlement" on the invoices it covers until the real payment is
booked (core feed or admin) and settles them; it never changes a balance by itself.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 14, "decimal_places": 2}


class PaymentOrder(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("rozpoczęta")
        PENDING = "pending", _("oczekuje na bramkę płatności")
        PAID = "paid", _("wpłata w trakcie rozliczania")
        SETTLED = "settled", _("rozliczona")
        CANCELLED = "cancelled", _("anulowana")
        FAILED = "failed", _("nieudana")

    FINAL = (Status.PAID, Status.SETTLED, Status.CANCELLED, Status.FAILED)

    # The id the gateway sees (extOrderId): not guessable, unlike the primary key.
    public_id = models.UUIDField(_("identyfikator zamówienia"), default=uuid.uuid4, unique=True)
    company = models.ForeignKey(
        "accounts.Company",
        verbose_name=_("firma"),
        on_delete=models.PROTECT,
        related_name="payment_orders",
    )
    user = models.ForeignKey(
        "accounts.User",
        verbose_name=_("zlecający"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    gateway = models.CharField(_("bramka płatności"), max_length=20)
    gateway_order_id = models.CharField(_("identyfikator w bramce"), max_length=80, blank=True)
    amount = models.DecimalField(_("kwota"), **MONEY)
    currency = models.CharField(_("waluta"), max_length=3, default="PLN")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NEW
    )
    created_at = models.DateTimeField(_("utworzono"), default=timezone.now, editable=False)
    paid_at = models.DateTimeField(_("opłacono"), null=True, blank=True)
    settled_by = models.ForeignKey(
        "invoices.Payment",
        verbose_name=_("zaksięgowana wpłata"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        app_label = "invoices"
        verbose_name = _("płatność online")
        verbose_name_plural = _("płatności online")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="paymentorder_amount_positive"),
        ]
        indexes = [
            models.Index(
                fields=["company"], condition=Q(status="paid"), name="paymentorder_in_settlement"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} ({self.amount} {self.currency})"

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL

    @property
    def amount_grosz(self) -> int:
        return int(self.amount * 100)


class PaymentOrderItem(models.Model):
    order = models.ForeignKey(
        PaymentOrder, verbose_name=_("płatność"), on_delete=models.CASCADE, related_name="items"
    )
    invoice = models.ForeignKey(
        "invoices.Invoice",
        verbose_name=_("faktura"),
        on_delete=models.PROTECT,
        related_name="payment_order_items",
    )
    amount = models.DecimalField(_("kwota"), **MONEY)

    class Meta:
        app_label = "invoices"
        verbose_name = _("faktura w płatności online")
        verbose_name_plural = _("faktury w płatności online")
        ordering = ["order", "invoice__due_date", "invoice_id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "invoice"], name="paymentorderitem_unique"),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="paymentorderitem_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.invoice_id} {self.amount}"
