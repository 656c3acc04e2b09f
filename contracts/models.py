from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ebok.money import vat_of

MONEY = {"max_digits": 14, "decimal_places": 2}


class Contract(models.Model):
    class Kind(models.TextChoices):
        OPERATING = "operating", _("leasing operacyjny")
        FINANCIAL = "financial", _("leasing finansowy")

    class Status(models.TextChoices):
        SIGNED = "signed", _("podpisana")
        ACTIVE = "active", _("aktywna")
        ENDED = "ended", _("zakończona")

    class ReferenceRate(models.TextChoices):
        WIBOR_1M = "WIBOR1M", "WIBOR 1M"
        WIBOR_3M = "WIBOR3M", "WIBOR 3M"
        WIRON_1M = "WIRON1M", "WIRON 1M"
        POLSTR_1M = "POLSTR1M", "POLSTR 1M"
        FIXED = "FIXED", _("stała stopa")

    company = models.ForeignKey(
        "accounts.Company",
        verbose_name=_("firma"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    number = models.CharField(_("numer umowy"), max_length=40)
    kind = models.CharField(_("rodzaj"), max_length=10, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    signed_on = models.DateField(_("data zawarcia"))
    start_date = models.DateField(_("data rozpoczęcia"))
    end_date = models.DateField(_("data zakończenia"))
    currency = models.CharField(_("waluta"), max_length=3, default="PLN")
    net_value = models.DecimalField(_("wartość początkowa netto"), **MONEY)
    initial_payment = models.DecimalField(_("opłata wstępna netto"), **MONEY, default=Decimal(0))
    buyout_value = models.DecimalField(_("wartość wykupu netto"), **MONEY, default=Decimal(0))
    installment_count = models.PositiveSmallIntegerField(_("liczba rat"))
    reference_rate = models.CharField(
        _("stopa referencyjna"),
        max_length=10,
        choices=ReferenceRate.choices,
        default=ReferenceRate.WIBOR_1M,
    )
    reference_rate_value = models.DecimalField(
        _("wartość stopy referencyjnej (%)"), max_digits=7, decimal_places=4
    )
    margin = models.DecimalField(_("marża (%)"), max_digits=7, decimal_places=4)
    # Car fleet management (CFM): the lessor also runs the vehicles' service, claims and fuel
    # cards, and the client sees them under "Flota" (contracts.fleet).
    fleet_management = models.BooleanField(_("zarządzanie flotą (CFM)"), default=False)
    created_at = models.DateTimeField(_("utworzono"), default=timezone.now, editable=False)
    # The core leasing system's id of this record (the feed upserts by it); empty when entered
    # in the portal.
    external_id = models.CharField(  # noqa: DJ001 - NULL (not fed) repeats in the unique pair
        _("identyfikator w systemie źródłowym"), max_length=64, null=True, blank=True
    )

    class Meta:
        verbose_name = _("umowa leasingu")
        verbose_name_plural = _("umowy leasingu")
        ordering = ["-start_date", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "number"], name="contract_number_unique_in_company"
            ),
            models.UniqueConstraint(
                fields=["company", "external_id"], name="contract_external_id_unique"
            ),
            models.CheckConstraint(
                condition=Q(net_value__gt=0), name="contract_net_value_positive"
            ),
            models.CheckConstraint(
                condition=Q(initial_payment__gte=0), name="contract_initial_payment_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(buyout_value__gte=0), name="contract_buyout_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(net_value__gt=F("initial_payment") + F("buyout_value")),
                name="contract_financed_capital_positive",
            ),
            models.CheckConstraint(
                condition=Q(installment_count__gt=0), name="contract_installments_positive"
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="contract_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(start_date__gte=F("signed_on")), name="contract_starts_after_signing"
            ),
            models.CheckConstraint(condition=Q(margin__gte=0), name="contract_margin_non_negative"),
            models.CheckConstraint(
                condition=Q(reference_rate_value__gte=0),
                name="contract_reference_rate_non_negative",
            ),
        ]
        indexes = [
            models.Index(
                fields=["company", "status", "-start_date"], name="contract_company_status_idx"
            ),
            models.Index(fields=["company", "end_date"], name="contract_company_end_idx"),
            # The contract list's default order (newest start first): its first page is read
            # straight from the index instead of sorting every contract of the company.
            models.Index(
                fields=["company", "-start_date", "-number", "-id"],
                name="contract_company_start_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def financed_capital(self) -> Decimal:
        return self.net_value - self.initial_payment

    @property
    def interest_rate(self) -> Decimal:
        """Annual nominal rate in percent: reference rate + margin."""
        return self.reference_rate_value + self.margin

    @property
    def vat_rate(self) -> int:
        return settings.VAT_RATE

    # A financial lease is a supply of goods: its handover invoice charges VAT on the whole
    # asset value once, and the price (net) is paid by the initial payment, the capital parts
    # of the installments and the buyout (see invoices.services.invoice_issue_initial_payment).

    @property
    def asset_vat(self) -> Decimal:
        return vat_of(self.net_value, self.vat_rate)

    @property
    def asset_gross(self) -> Decimal:
        return self.net_value + self.asset_vat

    @property
    def capital_in_installments(self) -> Decimal:
        """The part of the price the installments' capital parts pay (the buyout pays the rest)."""
        return self.financed_capital - self.buyout_value

    @property
    def handover_payable(self) -> Decimal:
        """What a financial lease's handover invoice asks to be paid: initial payment + VAT."""
        return self.initial_payment + self.asset_vat


class LeasedAsset(models.Model):
    class Kind(models.TextChoices):
        PASSENGER_CAR = "car", _("samochód osobowy")
        VAN = "van", _("samochód dostawczy")
        TRUCK = "truck", _("samochód ciężarowy")
        TRAILER = "trailer", _("naczepa / przyczepa")
        MACHINE = "machine", _("maszyna")
        EQUIPMENT = "equipment", _("urządzenie")
        IT = "it", _("sprzęt IT")

    contract = models.ForeignKey(
        Contract, verbose_name=_("umowa"), on_delete=models.CASCADE, related_name="assets"
    )
    kind = models.CharField(_("rodzaj"), max_length=10, choices=Kind.choices)
    make = models.CharField(_("marka / producent"), max_length=100)
    model = models.CharField(_("model"), max_length=100)
    registration_number = models.CharField(_("numer rejestracyjny"), max_length=12, blank=True)
    serial_number = models.CharField(_("VIN / numer seryjny"), max_length=40, blank=True)
    production_year = models.PositiveSmallIntegerField(_("rok produkcji"), null=True, blank=True)
    net_value = models.DecimalField(_("wartość netto"), **MONEY, null=True, blank=True)
    # The core leasing system's id of this record (the feed upserts by it); empty when entered
    # in the portal.
    external_id = models.CharField(  # noqa: DJ001 - NULL (not fed) repeats in the unique pair
        _("identyfikator w systemie źródłowym"), max_length=64, null=True, blank=True
    )

    class Meta:
        verbose_name = _("przedmiot leasingu")
        verbose_name_plural = _("przedmioty leasingu")
        ordering = ["contract", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "external_id"], name="asset_external_id_unique"
            ),
            models.CheckConstraint(
                condition=Q(net_value__isnull=True) | Q(net_value__gte=0),
                name="asset_value_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(production_year__isnull=True) | Q(production_year__gte=1950),
                name="asset_year_plausible",
            ),
        ]
        indexes = [
            models.Index(fields=["registration_number"], name="asset_registration_idx"),
            models.Index(fields=["serial_number"], name="asset_serial_idx"),
        ]

    def __str__(self) -> str:
        label = f"{self.make} {self.model}"
        return f"{label} ({self.registration_number})" if self.registration_number else label


class Installment(models.Model):
    """One row of a contract's repayment schedule (number 1..n)."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("umowa"), on_delete=models.CASCADE, related_name="installments"
    )
    number = models.PositiveSmallIntegerField(_("nr raty"))
    due_date = models.DateField(_("termin płatności"))
    capital = models.DecimalField(_("część kapitałowa"), **MONEY)
    interest = models.DecimalField(_("część odsetkowa"), **MONEY)
    net = models.DecimalField(_("netto"), **MONEY)
    vat = models.DecimalField(_("VAT"), **MONEY)
    gross = models.DecimalField(_("brutto"), **MONEY)
    remaining_capital = models.DecimalField(_("kapitał pozostały po racie"), **MONEY)
    invoice = models.OneToOneField(
        "invoices.Invoice",
        verbose_name=_("faktura"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="installment",
    )

    class Meta:
        verbose_name = _("rata")
        verbose_name_plural = _("harmonogram rat")
        ordering = ["contract", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "number"], name="installment_number_unique"
            ),
            models.CheckConstraint(condition=Q(number__gt=0), name="installment_number_positive"),
            models.CheckConstraint(
                condition=Q(capital__gte=0), name="installment_capital_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(interest__gte=0), name="installment_interest_non_negative"
            ),
            models.CheckConstraint(condition=Q(vat__gte=0), name="installment_vat_non_negative"),
            models.CheckConstraint(
                condition=Q(net=Round(F("capital") + F("interest"), 2)),
                name="installment_net_adds_up",
            ),
            models.CheckConstraint(
                condition=Q(gross=Round(F("net") + F("vat"), 2)), name="installment_gross_adds_up"
            ),
            models.CheckConstraint(
                condition=Q(remaining_capital__gte=0), name="installment_remaining_non_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["contract", "due_date"], name="installment_contract_due_idx"),
            models.Index(fields=["due_date"], name="installment_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} / {self.number}"


class InstallmentMonthTotal(models.Model):
    """The gross of a company's installments due in one month, for the dashboard's chart.

    Kept by PostgreSQL triggers on `contracts_installment` (and on a contract moving to
    another company; migration 0006), whatever writes the schedule: services, bulk loads, the
    back office. The chart then reads twelve rows instead of summing some ten thousand
    installments on the first dashboard after every change. Elsewhere (SQLite) nothing fills
    it and the chart sums the installments (`installments_per_month`).
    """

    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the first day of the month
    gross = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal(0))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["company", "month"], name="installment_month_unique")
        ]

    def __str__(self) -> str:
        return f"{self.company_id} {self.month:%Y-%m}: {self.gross}"


class RateChange(models.Model):
    """A reference-rate change applied to a contract's unpaid installments (history)."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("umowa"), on_delete=models.CASCADE, related_name="rate_changes"
    )
    effective_from = models.DateField(_("obowiązuje od"))
    old_rate = models.DecimalField(_("poprzednia stopa (%)"), max_digits=7, decimal_places=4)
    new_rate = models.DecimalField(_("nowa stopa (%)"), max_digits=7, decimal_places=4)
    installments_recomputed = models.PositiveSmallIntegerField(_("przeliczone raty"))
    created_at = models.DateTimeField(_("wprowadzono"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("zmiana stopy referencyjnej")
        verbose_name_plural = _("zmiany stopy referencyjnej")
        ordering = ["contract", "-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(new_rate__gte=0), name="ratechange_rate_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract} {self.effective_from}: {self.old_rate}% → {self.new_rate}%"


class InsurancePolicy(models.Model):
    class Type(models.TextChoices):
        OC = "oc", _("OC")
        AC = "ac", _("AC")
        NNW = "nnw", _("NNW")
        ASSISTANCE = "assistance", _("Assistance")
        GAP = "gap", _("GAP")
        PROPERTY = "property", _("mienie (maszyny i urządzenia)")

    class ArrangedBy(models.TextChoices):
        LESSOR = "lessor", _("leasingodawca")
        CLIENT = "client", _("klient (polisa obca)")

    class Status(models.TextChoices):
        ACTIVE = "active", _("aktywna")
        EXPIRING = "expiring", _("wygasająca")
        EXPIRED = "expired", _("wygasła")
        PENDING = "pending", _("oczekująca")

    contract = models.ForeignKey(
        Contract, verbose_name=_("umowa"), on_delete=models.CASCADE, related_name="policies"
    )
    asset = models.ForeignKey(
        LeasedAsset,
        verbose_name=_("przedmiot"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="policies",
    )
    insurer = models.CharField(_("ubezpieczyciel"), max_length=120)
    number = models.CharField(_("numer polisy"), max_length=60)
    type = models.CharField(_("rodzaj"), max_length=12, choices=Type.choices)
    variant = models.CharField(_("wariant"), max_length=120, blank=True)
    valid_from = models.DateField(_("ważna od"))
    valid_to = models.DateField(_("ważna do"))
    sum_insured = models.DecimalField(_("suma ubezpieczenia"), **MONEY)
    premium = models.DecimalField(_("składka"), **MONEY)
    arranged_by = models.CharField(
        _("zawarta przez"), max_length=10, choices=ArrangedBy.choices, default=ArrangedBy.LESSOR
    )
    # Where the client reports a claim under this policy (shown with the vehicle's damages).
    claims_phone = models.CharField(_("telefon likwidacji szkód"), max_length=30, blank=True)
    claims_email = models.EmailField(_("e-mail likwidacji szkód"), blank=True)
    claims_url = models.URLField(_("zgłoszenie szkody online"), blank=True)
    # The core leasing system's id of this record (the feed upserts by it); empty when entered
    # in the portal.
    external_id = models.CharField(  # noqa: DJ001 - NULL (not fed) repeats in the unique pair
        _("identyfikator w systemie źródłowym"), max_length=64, null=True, blank=True
    )

    class Meta:
        verbose_name = _("polisa ubezpieczeniowa")
        verbose_name_plural = _("polisy ubezpieczeniowe")
        ordering = ["valid_to", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["insurer", "number", "type"], name="policy_number_unique"
            ),
            models.UniqueConstraint(
                fields=["contract", "external_id"], name="policy_external_id_unique"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__gte=F("valid_from")), name="policy_dates_ordered"
            ),
            models.CheckConstraint(condition=Q(sum_insured__gte=0), name="policy_sum_non_negative"),
            models.CheckConstraint(condition=Q(premium__gte=0), name="policy_premium_non_negative"),
        ]
        indexes = [
            models.Index(fields=["contract", "valid_to"], name="policy_contract_valid_idx"),
            models.Index(fields=["valid_to"], name="policy_valid_to_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.number}"

    def status_on(self, day: dt.date) -> str:
        if day < self.valid_from:
            return self.Status.PENDING
        if day > self.valid_to:
            return self.Status.EXPIRED
        if (self.valid_to - day).days <= settings.POLICY_EXPIRING_DAYS:
            return self.Status.EXPIRING
        return self.Status.ACTIVE

    @property
    def status(self) -> str:
        return self.status_on(timezone.localdate())

    def get_status_display(self) -> str:
        return self.Status(self.status).label


class AdditionalFee(models.Model):
    """Opłaty dodatkowe: charges outside the schedule, as in the lessor's fee table."""

    class Kind(models.TextChoices):
        REGISTRATION = "registration", _("rejestracja pojazdu")
        ADMIN = "admin", _("opłata administracyjna")
        DUPLICATE = "duplicate", _("duplikat dokumentu")
        ABROAD = "abroad", _("zgoda na wyjazd za granicę")
        LENDING = "lending", _("zgoda na użyczenie")
        SCHEDULE_CHANGE = "schedule", _("zmiana harmonogramu")
        REMINDER = "reminder", _("wezwanie do zapłaty")
        INSURANCE = "insurance", _("obsługa ubezpieczenia")
        TAX = "tax", _("podatek od środków transportu")
        FINE = "fine", _("obsługa mandatu")
        OTHER = "other", _("inna")

    contract = models.ForeignKey(
        Contract, verbose_name=_("umowa"), on_delete=models.CASCADE, related_name="fees"
    )
    kind = models.CharField(_("rodzaj"), max_length=12, choices=Kind.choices)
    description = models.CharField(_("opis"), max_length=200, blank=True)
    charged_on = models.DateField(_("data naliczenia"))
    net = models.DecimalField(_("netto"), **MONEY)
    vat = models.DecimalField(_("VAT"), **MONEY)
    gross = models.DecimalField(_("brutto"), **MONEY)
    invoice = models.ForeignKey(
        "invoices.Invoice",
        verbose_name=_("faktura"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="fees",
    )
    # The core leasing system's id of this record (the feed upserts by it); empty when entered
    # in the portal.
    external_id = models.CharField(  # noqa: DJ001 - NULL (not fed) repeats in the unique pair
        _("identyfikator w systemie źródłowym"), max_length=64, null=True, blank=True
    )

    class Meta:
        verbose_name = _("opłata dodatkowa")
        verbose_name_plural = _("opłaty dodatkowe")
        ordering = ["-charged_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "external_id"], name="fee_external_id_unique"
            ),
            models.CheckConstraint(condition=Q(net__gte=0), name="fee_net_non_negative"),
            models.CheckConstraint(condition=Q(vat__gte=0), name="fee_vat_non_negative"),
            models.CheckConstraint(
                condition=Q(gross=Round(F("net") + F("vat"), 2)), name="fee_gross_adds_up"
            ),
        ]
        indexes = [models.Index(fields=["contract", "-charged_on"], name="fee_contract_date_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.gross}"
