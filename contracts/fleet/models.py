"""Fleet records. Each row keeps its vehicle's contract and company next to the asset, so a
company-scoped list reads one table by an index, and restrictions filter on the contract.
`save()` fills both from the asset; the feed's bulk writer sets them itself."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.models import MONEY


class FleetRecord(models.Model):
    """What every fleet row has: the vehicle, its contract and company, the core system's id."""

    asset = models.ForeignKey(
        "contracts.LeasedAsset",
        verbose_name=_("pojazd"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    contract = models.ForeignKey(
        "contracts.Contract", verbose_name=_("umowa"), on_delete=models.CASCADE, related_name="+"
    )
    company = models.ForeignKey(
        "accounts.Company", verbose_name=_("firma"), on_delete=models.CASCADE, related_name="+"
    )
    # The core leasing system's id of this record (the feed upserts by it); empty when entered
    # in the portal.
    external_id = models.CharField(  # noqa: DJ001 - NULL (not fed) repeats in the unique pair
        _("identyfikator w systemie źródłowym"), max_length=64, null=True, blank=True
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.asset_id and not (self.contract_id and self.company_id):
            asset = self.asset
            self.contract_id = asset.contract_id
            self.company_id = asset.contract.company_id
        super().save(*args, **kwargs)


class ServiceVisit(FleetRecord):
    """A workshop visit: inspection, repair, tyres..."""

    class Scope(models.TextChoices):
        INSPECTION = "inspection", _("przegląd okresowy")
        REPAIR = "repair", _("naprawa mechaniczna")
        TYRES = "tyres", _("opony")
        BODYWORK = "bodywork", _("naprawa blacharsko-lakiernicza")
        GLASS = "glass", _("szyby")
        OTHER = "other", _("inne")

    date = models.DateField(_("data"))
    workshop = models.CharField(_("warsztat"), max_length=200)
    mileage_km = models.PositiveIntegerField(_("przebieg (km)"), null=True, blank=True)
    scope = models.CharField(_("zakres"), max_length=12, choices=Scope.choices)
    description = models.CharField(_("opis prac"), max_length=500, blank=True)
    net = models.DecimalField(_("koszt netto"), **MONEY)
    gross = models.DecimalField(_("koszt brutto"), **MONEY)
    # The workshop's invoice as the core system knows it; `invoice` when the lessor re-invoiced
    # the cost to the client through the portal.
    invoice_number = models.CharField(_("numer faktury"), max_length=60, blank=True)
    invoice = models.ForeignKey(
        "invoices.Invoice",
        verbose_name=_("faktura w portalu"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("wizyta serwisowa")
        verbose_name_plural = _("wizyty serwisowe")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "external_id"], name="service_external_id_unique"
            ),
            models.CheckConstraint(condition=Q(net__gte=0), name="service_net_non_negative"),
            models.CheckConstraint(condition=Q(gross__gte=F("net")), name="service_gross_ge_net"),
        ]
        indexes = [
            models.Index(fields=["company", "-date", "-id"], name="service_company_date_idx"),
            models.Index(fields=["asset", "-date"], name="service_asset_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} {self.date:%d.%m.%Y}"


class Damage(FleetRecord):
    """A damage to a vehicle and the insurance claim that follows it (szkoda)."""

    class Status(models.TextChoices):
        REPORTED = "reported", _("zgłoszona")
        REGISTERED = "registered", _("zarejestrowana u ubezpieczyciela")
        INSPECTION = "inspection", _("oględziny")
        REPAIR = "repair", _("w naprawie")
        SETTLED = "settled", _("rozliczona")
        REJECTED = "rejected", _("odmowa wypłaty")
        CLOSED = "closed", _("zamknięta")

    OPEN_STATUSES = (Status.REPORTED, Status.REGISTERED, Status.INSPECTION, Status.REPAIR)

    class Source(models.TextChoices):
        PORTAL = "portal", _("zgłoszona w portalu")
        CORE = "core", _("z systemu leasingodawcy")

    occurred_on = models.DateField(_("data zdarzenia"))
    place = models.CharField(_("miejsce"), max_length=200)
    description = models.TextField(_("opis"), max_length=4000)
    status = models.CharField(
        _("status szkody"), max_length=12, choices=Status.choices, default=Status.REPORTED
    )
    source = models.CharField(
        _("źródło"), max_length=8, choices=Source.choices, default=Source.CORE
    )
    insurer = models.CharField(_("ubezpieczyciel"), max_length=120, blank=True)
    claim_number = models.CharField(_("numer szkody"), max_length=60, blank=True)
    policy = models.ForeignKey(
        "contracts.InsurancePolicy",
        verbose_name=_("polisa"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    repair_cost = models.DecimalField(_("koszt naprawy brutto"), **MONEY, default=Decimal(0))
    covered_amount = models.DecimalField(
        _("pokryte przez ubezpieczyciela"), **MONEY, default=Decimal(0)
    )
    handler_name = models.CharField(_("prowadzący szkodę"), max_length=120, blank=True)
    handler_phone = models.CharField(_("telefon prowadzącego"), max_length=30, blank=True)
    handler_email = models.EmailField(_("e-mail prowadzącego"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("zgłaszający"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reported_at = models.DateTimeField(_("zgłoszono"), default=timezone.now)
    status_changed_at = models.DateTimeField(_("zmiana statusu"), default=timezone.now)
    # The portal form's one-time token: the same form posted twice opens one claim.
    submit_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("szkoda")
        verbose_name_plural = _("szkody")
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "external_id"], name="damage_external_id_unique"
            ),
            models.CheckConstraint(
                condition=Q(repair_cost__gte=0), name="damage_cost_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(covered_amount__gte=0) & Q(covered_amount__lte=F("repair_cost")),
                name="damage_covered_within_cost",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "-occurred_on", "-id"], name="damage_company_date_idx"),
            models.Index(fields=["asset", "-occurred_on"], name="damage_asset_date_idx"),
            models.Index(fields=["status", "reported_at"], name="damage_status_idx"),
        ]

    def __str__(self) -> str:
        return self.claim_number or f"{self.place} {self.occurred_on:%d.%m.%Y}"

    @property
    def not_covered(self) -> Decimal:
        """What the damage cost the client: the repair less what the insurer paid."""
        return self.repair_cost - self.covered_amount

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class DamageStatusChange(models.Model):
    """One step of a claim's status history (append-only)."""

    damage = models.ForeignKey(
        Damage, verbose_name=_("szkoda"), on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(
        _("poprzedni status"), max_length=12, choices=Damage.Status.choices, blank=True
    )
    to_status = models.CharField(_("nowy status"), max_length=12, choices=Damage.Status.choices)
    at = models.DateTimeField(_("kiedy"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("kto"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("uwagi"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("zmiana statusu szkody")
        verbose_name_plural = _("historia statusów szkód")
        ordering = ["damage", "at", "id"]

    def __str__(self) -> str:
        return f"{self.get_to_status_display()} {self.at:%d.%m.%Y}"


def damage_photo_path(instance: DamagePhoto, filename: str) -> str:
    return f"fleet/damages/{instance.damage_id}/{filename}"


class DamagePhoto(models.Model):
    """A photo or document attached to a damage report (checked like application uploads)."""

    damage = models.ForeignKey(
        Damage, verbose_name=_("szkoda"), on_delete=models.CASCADE, related_name="photos"
    )
    file = models.FileField(_("plik"), upload_to=damage_photo_path, max_length=255)
    name = models.CharField(_("nazwa pliku"), max_length=200)
    content_type = models.CharField(_("typ"), max_length=100)
    size = models.PositiveIntegerField(_("rozmiar (B)"))
    uploaded_at = models.DateTimeField(_("dodano"), default=timezone.now)

    class Meta:
        verbose_name = _("zdjęcie szkody")
        verbose_name_plural = _("zdjęcia szkody")
        ordering = ["damage", "id"]

    def __str__(self) -> str:
        return self.name


class FuelTransaction(FleetRecord):
    """A fuel card transaction (tankowanie, ładowanie, myjnia...)."""

    class Product(models.TextChoices):
        PETROL = "petrol", _("benzyna")
        DIESEL = "diesel", _("olej napędowy")
        LPG = "lpg", _("LPG")
        ELECTRICITY = "electricity", _("energia elektryczna")
        ADBLUE = "adblue", _("AdBlue")
        WASH = "wash", _("myjnia")
        OTHER = "other", _("inne")

    # Products that move the car: only these count in the consumption per 100 km.
    FUELS = (Product.PETROL, Product.DIESEL, Product.LPG)

    occurred_at = models.DateTimeField(_("data i godzina"))
    card_number = models.CharField(_("karta (ostatnie cyfry)"), max_length=8, blank=True)
    station = models.CharField(_("stacja"), max_length=200)
    product = models.CharField(_("produkt"), max_length=12, choices=Product.choices)
    litres = models.DecimalField(
        _("ilość (l / kWh)"), max_digits=9, decimal_places=2, default=Decimal(0)
    )
    net = models.DecimalField(_("kwota netto"), **MONEY)
    gross = models.DecimalField(_("kwota brutto"), **MONEY)
    mileage_km = models.PositiveIntegerField(_("przebieg (km)"), null=True, blank=True)

    class Meta:
        verbose_name = _("transakcja kartą paliwową")
        verbose_name_plural = _("transakcje kartami paliwowymi")
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "external_id"], name="fuel_external_id_unique"
            ),
            models.CheckConstraint(condition=Q(litres__gte=0), name="fuel_litres_non_negative"),
            models.CheckConstraint(condition=Q(gross__gte=F("net")), name="fuel_gross_ge_net"),
        ]
        indexes = [
            models.Index(fields=["company", "-occurred_at", "-id"], name="fuel_company_date_idx"),
            models.Index(fields=["asset", "-occurred_at"], name="fuel_asset_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_product_display()} {self.occurred_at:%d.%m.%Y}"


class MileageReading(FleetRecord):
    """An odometer reading (from a service visit, a fuel card, telematics or the driver)."""

    class Source(models.TextChoices):
        SERVICE = "service", _("serwis")
        FUEL = "fuel", _("karta paliwowa")
        TELEMATICS = "telematics", _("telematyka")
        DRIVER = "driver", _("kierowca")

    read_on = models.DateField(_("data odczytu"))
    mileage_km = models.PositiveIntegerField(_("przebieg (km)"))
    source = models.CharField(_("źródło"), max_length=12, choices=Source.choices)

    class Meta:
        verbose_name = _("odczyt przebiegu")
        verbose_name_plural = _("odczyty przebiegu")
        ordering = ["-read_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "external_id"], name="mileage_external_id_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["asset", "-read_on"], name="mileage_asset_date_idx"),
            models.Index(fields=["company", "-read_on"], name="mileage_company_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.mileage_km} km {self.read_on:%d.%m.%Y}"
