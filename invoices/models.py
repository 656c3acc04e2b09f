from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.models import AdditionalFee

MONEY = {"max_digits": 14, "decimal_places": 2}


class InvoiceQuerySet(models.QuerySet):
    def outstanding(self):
        return self.filter(outstanding_amount__gt=0)

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

    `amount_payable` is what the client owes on this document, `amount_paid` the sum of the
    payment allocations to it; both are maintained by `invoices.services` inside the transaction
    that changes them (allocations stay the source of truth).

    What a document owes:
    - an invoice: its gross, less `settled_by_schedule` (the part of a financial lease's asset
      price that the installment and buyout invoices charge later, see
      `services.invoice_issue_initial_payment`), less the downward corrections applied to it;
    - an upward correction (gross > 0): the increase, due on the correction's own payment term
      (it is a payable document of its own, settled like any invoice);
    - a downward correction (gross < 0): nothing; it lowers what its family owes (the newest
      upward correction first, then the invoice) and the money paid above that becomes credit
      (`released_to_credit`).
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
        # No index of its own: the indexes below start with the company. A plain one made
        # PostgreSQL read every invoice of a large company for its unpaid ones (it cannot know
        # that only a few are unpaid) instead of the partial index of the unpaid ones.
        db_index=False,
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
    # What is still to pay, kept by the database. Queries ask `outstanding_amount > 0` rather
    # than `amount_payable > amount_paid`: PostgreSQL keeps statistics of a column, not of a
    # comparison of two, so it saw a third of a company's invoices as unpaid and scanned them
    # all instead of the partial index of the unpaid ones (the cold dashboard: 2 x 4 ms -> 0.3).
    outstanding_amount = models.GeneratedField(
        verbose_name=_("pozostało do zapłaty"),
        expression=F("amount_payable") - F("amount_paid"),
        output_field=models.DecimalField(**MONEY),
        db_persist=True,
    )
    settled_by_schedule = models.DecimalField(
        _("część ceny rozliczana w ratach i wykupie"),
        **MONEY,
        default=Decimal(0),
        help_text=_(
            "Leasing finansowy: netto przedmiotu, które nie jest płatne z tą fakturą, lecz "
            "w częściach kapitałowych rat i w wykupie."
        ),
    )
    released_to_credit = models.DecimalField(
        _("zaliczono na poczet innych należności"),
        **MONEY,
        default=Decimal(0),
        help_text=_("Korekta in minus: kwota już zapłacona, która po korekcie stała się nadpłatą."),
    )
    # The buyer as it stood at issue: an invoice is a legal document and does not follow later
    # changes of the company's address.
    buyer_name = models.CharField(_("nabywca"), max_length=200)
    buyer_nip = models.CharField(_("NIP nabywcy"), max_length=10)
    buyer_address = models.CharField(_("adres nabywcy"), max_length=300)
    pdf = models.FileField(_("PDF"), upload_to="invoices/%Y/%m/", blank=True)
    created_at = models.DateTimeField(_("utworzono"), default=timezone.now, editable=False)
    # The core leasing system's id of this record (the feed upserts by it); empty when entered
    # in the portal.
    external_id = models.CharField(  # noqa: DJ001 - NULL (not fed) repeats in the unique pair
        _("identyfikator w systemie źródłowym"), max_length=64, null=True, blank=True
    )

    # KSeF (the national e-invoice system): the number KSeF gave the invoice and the SHA-256 of
    # the file the core system sent (Base64), which the verification QR code ("KOD I") carries.
    ksef_number = models.CharField(_("numer KSeF"), max_length=35, blank=True)
    ksef_hash = models.CharField(
        _("skrót pliku faktury w KSeF (SHA-256, Base64)"), max_length=44, blank=True
    )

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("faktura")
        verbose_name_plural = _("faktury")
        ordering = ["-issue_date", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "external_id"], name="invoice_external_id_unique"
            ),
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
            models.CheckConstraint(
                condition=Q(settled_by_schedule=0)
                | (
                    ~Q(kind="correction")
                    & Q(settled_by_schedule__gt=0)
                    & Q(settled_by_schedule__lte=F("net"))
                ),
                name="invoice_settled_by_schedule_within_net",
            ),
            models.CheckConstraint(
                condition=Q(released_to_credit=0)
                | (Q(kind="correction") & Q(released_to_credit__gt=0)),
                name="invoice_released_only_by_correction",
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
                condition=Q(outstanding_amount__gt=0),
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
    def is_payable(self) -> bool:
        """A document the client pays: an invoice, or a correction that raises the amount."""
        return not self.is_correction or self.gross > 0

    @property
    def payable_as_issued(self) -> Decimal:
        """What this document asked to be paid when it was issued (before later corrections)."""
        if not self.is_payable:
            return Decimal("0.00")
        return self.gross - self.settled_by_schedule

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
    # Art. 106e ust. 1 pkt 19 ustawy o VAT: an exempt supply names the provision that exempts it.
    # Kept on the line as issued (a later change of the configured basis does not rewrite it).
    exemption_basis = models.CharField(_("podstawa zwolnienia z VAT"), max_length=200, blank=True)

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
            models.CheckConstraint(
                condition=~Q(vat_rate="zw") | ~Q(exemption_basis=""),
                name="invoiceline_exempt_names_its_basis",
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


# Financial-lease interest is an exempt credit service.
LEASE_INTEREST_EXEMPTION_BASIS = "art. 43 ust. 1 pkt 38 ustawy o VAT"
# Insurance of the leased asset passed on to the lessee at cost: an insurance service
# (art. 43 ust. 1 pkt 37), re-invoiced under art. 8 ust. 2a (TSUE C-224/11 BGŻ Leasing).
INSURANCE_EXEMPTION_BASIS = "art. 43 ust. 1 pkt 37 w zw. z art. 8 ust. 2a ustawy o VAT"


class FeeVatRule(models.Model):
    """How an additional fee of one kind is invoiced when it is charged without VAT.

    A fee with VAT is invoiced at the standard rate; one without VAT is either exempt (with
    the legal basis printed on the invoice) or outside VAT. Staff edit the rules in admin;
    a kind without a rule uses `FeeVatRule.DEFAULTS` (insurance exempt, anything else np.).
    """

    class Rate(models.TextChoices):
        EXEMPT = "zw", _("zwolniona z VAT (zw.)")
        NOT_SUBJECT = "np", _("niepodlegająca VAT (np.)")

    DEFAULTS: dict[str, tuple[str, str]] = {
        AdditionalFee.Kind.INSURANCE: (Rate.EXEMPT, INSURANCE_EXEMPTION_BASIS),
    }

    fee_kind = models.CharField(
        _("rodzaj opłaty"),
        max_length=12,
        unique=True,
        choices=AdditionalFee.Kind.choices,
    )
    rate = models.CharField(
        _("stawka opłaty bez VAT"), max_length=2, choices=Rate.choices, default=Rate.NOT_SUBJECT
    )
    exemption_basis = models.CharField(
        _("podstawa zwolnienia z VAT"),
        max_length=200,
        blank=True,
        help_text=_(
            "Drukowana na fakturze przy pozycji zwolnionej, np. „art. 43 ust. 1 pkt 37 ustawy "
            "o VAT”."
        ),
    )

    class Meta:
        verbose_name = _("stawka VAT opłaty dodatkowej")
        verbose_name_plural = _("stawki VAT opłat dodatkowych")
        ordering = ["fee_kind"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(rate="zw") | ~Q(exemption_basis=""),
                name="feevatrule_exempt_names_its_basis",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_fee_kind_display()}: {self.get_rate_display()}"

    def clean(self) -> None:
        self.exemption_basis = self.exemption_basis.strip()
        if self.rate == self.Rate.EXEMPT and not self.exemption_basis:
            raise ValidationError(
                {"exemption_basis": _("Opłata zwolniona z VAT musi mieć podstawę zwolnienia.")}
            )
        if self.rate == self.Rate.NOT_SUBJECT:
            self.exemption_basis = ""

    @classmethod
    def for_kind(cls, fee_kind: str) -> tuple[str, str]:
        """(rate, exemption basis) for a fee of `fee_kind` charged without VAT."""
        rule = cls.objects.filter(fee_kind=fee_kind).first()
        if rule is not None:
            return rule.rate, rule.exemption_basis
        return cls.DEFAULTS.get(fee_kind, (cls.Rate.NOT_SUBJECT, ""))


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
    # The core leasing system's id of this record (the feed upserts by it); empty when entered
    # in the portal.
    external_id = models.CharField(  # noqa: DJ001 - NULL (not fed) repeats in the unique pair
        _("identyfikator w systemie źródłowym"), max_length=64, null=True, blank=True
    )

    class Meta:
        verbose_name = _("wpłata")
        verbose_name_plural = _("wpłaty")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "external_id"], name="payment_external_id_unique"
            ),
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


# Online payment orders live in their own module (invoices/online/) to keep this one readable.
from .online.models import PaymentOrder, PaymentOrderItem  # noqa: E402, F401
