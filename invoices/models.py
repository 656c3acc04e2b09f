from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 14, "decimal_places": 2}


class InvoiceQuerySet(models.QuerySet):
    def outstanding(self):
        return self.filter(amount_payable__gt=F("amount_paid"))

    def overdue(self, today: dt.date):
        return self.outstanding().filter(due_date__lt=today)

    def with_status(self, status: str, today: dt.date):
        """Filter by payment status (paid / unpaid / partially paid) or by "overdue"."""
        S = Invoice.Status
        if status == S.PAID:
            return self.filter(amount_paid__gte=F("amount_payable"))
        if status == S.UNPAID:
            return self.outstanding().filter(amount_paid=0)
        if status == S.PARTIALLY_PAID:
            return self.outstanding().filter(amount_paid__gt=0)
        if status == S.OVERDUE:
            return self.overdue(today)
        return self


class Invoice(models.Model):
    """A VAT invoice (or a correction) issued by the lessor to a client company.

    `amount_payable` is what the client owes on it: its gross plus the gross of its corrections
    (a correction itself owes nothing; it changes its original). `amount_paid` is the sum of the
    payment allocations to it. Both are maintained by `invoices.services` inside the transaction
    that changes them; allocations stay the source of truth.
    """

    class Kind(models.TextChoices):
        INSTALLMENT = "installment", _("rata leasingowa")
        INITIAL = "initial", _("opłata wstępna")
        BUYOUT = "buyout", _("wykup")
        FEE = "fee", _("opłata dodatkowa")
        INSURANCE = "insurance", _("ubezpieczenie")
        CORRECTION = "correction", _("korekta")
        OTHER = "other", _("inna")

    class Status(models.TextChoices):
        PAID = "paid", _("zapłacona")
        UNPAID = "unpaid", _("niezapłacona")
        PARTIALLY_PAID = "partially_paid", _("częściowo zapłacona")
        OVERDUE = "overdue", _("przeterminowana")

    company = models.ForeignKey(
        "accounts.Company",
        verbose_name=_("firma"),
        on_delete=models.PROTECT,
        related_name="invoices",
    )
    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("umowa"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoices",
    )
    number = models.CharField(_("numer faktury"), max_length=40, unique=True)
    kind = models.CharField(_("rodzaj"), max_length=12, choices=Kind.choices)
    issue_date = models.DateField(_("data wystawienia"))
    sale_date = models.DateField(_("data sprzedaży"))
    due_date = models.DateField(_("termin płatności"))
    net = models.DecimalField(_("netto"), **MONEY)
    vat = models.DecimalField(_("VAT"), **MONEY)
    gross = models.DecimalField(_("brutto"), **MONEY)
    corrected_invoice = models.ForeignKey(
        "self",
        verbose_name=_("faktura korygowana"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
    )
    correction_reason = models.CharField(_("przyczyna korekty"), max_length=200, blank=True)
    amount_payable = models.DecimalField(_("kwota należna"), **MONEY)
    amount_paid = models.DecimalField(_("zapłacono"), **MONEY, default=Decimal(0))
    # The buyer as it stood at issue: an invoice is a legal document and does not follow later
    # changes of the company's address.
    buyer_name = models.CharField(_("nabywca"), max_length=200)
    buyer_nip = models.CharField(_("NIP nabywcy"), max_length=10)
    buyer_address = models.CharField(_("adres nabywcy"), max_length=300)
    pdf = models.FileField(_("PDF"), upload_to="invoices/%Y/%m/", blank=True)
    created_at = models.DateTimeField(_("utworzono"), default=timezone.now, editable=False)

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("faktura")
        verbose_name_plural = _("faktury")
        ordering = ["-issue_date", "-number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(gross=Round(F("net") + F("vat"), 2)), name="invoice_gross_adds_up"
            ),
            models.CheckConstraint(
                condition=Q(due_date__gte=F("issue_date")), name="invoice_due_after_issue"
            ),
            models.CheckConstraint(
                condition=Q(amount_paid__gte=0), name="invoice_paid_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(amount_payable__gte=0), name="invoice_payable_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(amount_paid__lte=F("amount_payable")), name="invoice_not_overpaid"
            ),
            models.CheckConstraint(
                condition=(Q(kind="correction") & Q(corrected_invoice__isnull=False))
                | (~Q(kind="correction") & Q(corrected_invoice__isnull=True)),
                name="invoice_correction_has_original",
            ),
            models.CheckConstraint(
                condition=Q(kind="correction") | (Q(net__gte=0) & Q(vat__gte=0)),
                name="invoice_amounts_non_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "-issue_date"], name="invoice_company_issue_idx"),
            models.Index(fields=["company", "due_date"], name="invoice_company_due_idx"),
            models.Index(fields=["contract", "-issue_date"], name="invoice_contract_issue_idx"),
            # Outstanding invoices by due date (overdue / upcoming tiles, the balance's unpaid
            # part, the "unpaid" and "overdue" filters): a small share of all invoices.
            models.Index(
                fields=["company", "due_date"],
                condition=Q(amount_payable__gt=F("amount_paid")),
                name="invoice_outstanding_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def amount_due(self) -> Decimal:
        return self.amount_payable - self.amount_paid

    @property
    def is_correction(self) -> bool:
        return self.kind == self.Kind.CORRECTION

    @property
    def status(self) -> str:
        """Payment status: paid / unpaid / partially paid. Overdue is a separate flag."""
        if self.amount_paid >= self.amount_payable:
            return self.Status.PAID
        if self.amount_paid > 0:
            return self.Status.PARTIALLY_PAID
        return self.Status.UNPAID

    def get_status_display(self) -> str:
        return self.Status(self.status).label

    def is_overdue_on(self, day: dt.date) -> bool:
        return self.amount_paid < self.amount_payable and self.due_date < day

    @property
    def is_overdue(self) -> bool:
        return self.is_overdue_on(timezone.localdate())


class InvoiceLine(models.Model):
    class VatRate(models.TextChoices):
        STANDARD = "23", "23%"
        REDUCED_8 = "8", "8%"
        REDUCED_5 = "5", "5%"
        ZERO = "0", "0%"
        EXEMPT = "zw", _("zw.")
        NOT_SUBJECT = "np", _("np.")

    invoice = models.ForeignKey(
        Invoice, verbose_name=_("faktura"), on_delete=models.CASCADE, related_name="lines"
    )
    position = models.PositiveSmallIntegerField(_("lp."))
    description = models.CharField(_("nazwa towaru lub usługi"), max_length=300)
    quantity = models.DecimalField(_("ilość"), max_digits=10, decimal_places=3, default=Decimal(1))
    unit = models.CharField(_("j.m."), max_length=10, default="szt.")
    unit_net = models.DecimalField(_("cena jedn. netto"), **MONEY)
    net = models.DecimalField(_("wartość netto"), **MONEY)
    vat_rate = models.CharField(_("stawka VAT"), max_length=2, choices=VatRate.choices)
    vat = models.DecimalField(_("kwota VAT"), **MONEY)
    gross = models.DecimalField(_("wartość brutto"), **MONEY)

    class Meta:
        verbose_name = _("pozycja faktury")
        verbose_name_plural = _("pozycje faktury")
        ordering = ["invoice", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "position"], name="invoiceline_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(gross=Round(F("net") + F("vat"), 2)), name="invoiceline_gross_adds_up"
            ),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def vat_percent(self) -> Decimal:
        return Decimal(self.vat_rate) if self.vat_rate.isdigit() else Decimal(0)


class InvoiceNumberSequence(models.Model):
    """Per-month counter behind invoice numbers `FV/2026/11/000123` (row-locked on use)."""

    prefix = models.CharField(max_length=20, unique=True)
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("numeracja faktur")
        verbose_name_plural = _("numeracja faktur")

    def __str__(self) -> str:
        return f"{self.prefix} ({self.last_value})"


class Payment(models.Model):
    """Money received from a client company (a bank transfer booked by the core system)."""

    company = models.ForeignKey(
        "accounts.Company",
        verbose_name=_("firma"),
        on_delete=models.PROTECT,
        related_name="payments",
    )
    amount = models.DecimalField(_("kwota"), **MONEY)
    received_on = models.DateField(_("data wpływu"))
    title = models.CharField(_("tytuł przelewu"), max_length=200, blank=True)
    bank_reference = models.CharField(_("referencja bankowa"), max_length=60, blank=True)
    assigned_invoice = models.ForeignKey(
        Invoice,
        verbose_name=_("wskazana faktura"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_payments",
        help_text=_(
            "Faktura wskazana przez klienta w tytule przelewu; wpłata trafia tam najpierw."
        ),
    )
    unallocated = models.DecimalField(_("nierozliczone (nadpłata)"), **MONEY)
    created_at = models.DateTimeField(_("zaksięgowano"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("wpłata")
        verbose_name_plural = _("wpłaty")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(unallocated__gte=0), name="payment_unallocated_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(unallocated__lte=F("amount")), name="payment_unallocated_within_amount"
            ),
        ]
        indexes = [
            models.Index(fields=["company", "-received_on"], name="payment_company_received_idx"),
            models.Index(
                fields=["company", "received_on"],
                condition=Q(unallocated__gt=0),
                name="payment_company_credit_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.received_on} {self.amount}"

    @property
    def allocated(self) -> Decimal:
        return self.amount - self.unallocated


class PaymentAllocation(models.Model):
    payment = models.ForeignKey(
        Payment, verbose_name=_("wpłata"), on_delete=models.CASCADE, related_name="allocations"
    )
    invoice = models.ForeignKey(
        Invoice, verbose_name=_("faktura"), on_delete=models.PROTECT, related_name="allocations"
    )
    amount = models.DecimalField(_("kwota"), **MONEY)
    created_at = models.DateTimeField(_("rozliczono"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("rozliczenie wpłaty")
        verbose_name_plural = _("rozliczenia wpłat")
        ordering = ["payment", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive"),
        ]
        indexes = [models.Index(fields=["invoice", "payment"], name="allocation_invoice_idx")]

    def __str__(self) -> str:
        return f"{self.payment} → {self.invoice}: {self.amount}"
