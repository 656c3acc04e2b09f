"""API credentials of the core leasing system, the log of every batch it sent, and the
reconciliation of balances that a batch reports."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 16, "decimal_places": 2}


class AuditAction:
    CLIENT_CREATED = "feed.client_created"
    CLIENT_REVOKED = "feed.client_revoked"
    BATCH_IMPORTED = "feed.batch_imported"
    LABELS = {
        CLIENT_CREATED: _("zasilanie: utworzono klucz API"),
        CLIENT_REVOKED: _("zasilanie: unieważniono klucz API"),
        BATCH_IMPORTED: _("zasilanie: zaimportowano paczkę danych"),
    }


def parse_networks(text: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Addresses or networks (CIDR), separated by commas, spaces or new lines."""
    items = [item for item in text.replace(",", " ").split() if item]
    return [ipaddress.ip_network(item, strict=False) for item in items]


def validate_networks(text: str) -> None:
    try:
        parse_networks(text)
    except ValueError as error:
        raise ValidationError(
            _("Niepoprawny adres lub sieć: %(error)s"), params={"error": error}
        ) from None


class ApiClient(models.Model):
    """A system (not a person) allowed to call the import API with its own key.

    Only the key's SHA-256 is stored: the key is 256 random bits, so a slow hash adds nothing,
    and every request checks it. The prefix (shown in admin and in the batch log) finds the row.
    """

    class Scope(models.TextChoices):
        IMPORT = "import", _("import danych")
        REPORTS = "reports", _("odczyt raportów importu")

    name = models.CharField(_("nazwa systemu"), max_length=100)
    scope = models.CharField(
        _("zakres"), max_length=10, choices=Scope.choices, default=Scope.IMPORT
    )
    key_prefix = models.CharField(_("prefiks klucza"), max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    allowed_ips = models.TextField(
        _("dozwolone adresy IP"),
        blank=True,
        validators=[validate_networks],
        help_text=_(
            "Adresy lub sieci (CIDR) oddzielone spacją, przecinkiem lub nową linią; puste: "
            "dowolny adres."
        ),
    )
    rate_limit_per_minute = models.PositiveIntegerField(
        _("limit żądań na minutę"),
        null=True,
        blank=True,
        help_text=_("Puste: limit domyślny wdrożenia."),
    )
    created_at = models.DateTimeField(_("utworzono"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utworzył"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    last_used_at = models.DateTimeField(_("ostatnie użycie"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("unieważniono"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("klient API")
        verbose_name_plural = _("klienci API")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix})"

    # DRF treats the authenticated principal as a user: it only asks whether it is one.
    is_authenticated = True

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def rate_limit(self) -> int:
        return self.rate_limit_per_minute or settings.FEED_RATE_LIMIT_PER_MINUTE

    def allows_ip(self, ip: str | None) -> bool:
        networks = parse_networks(self.allowed_ips)
        if not networks:
            return True
        if ip is None:
            return False
        address = ipaddress.ip_address(ip)
        return any(address in network for network in networks)


class ImportBatch(models.Model):
    """One batch: an API request or a nightly file. Who, when, what came of it."""

    class Source(models.TextChoices):
        API = "api", _("API")
        FILE = "file", _("plik nocny")

    class Status(models.TextChoices):
        RUNNING = "running", _("w toku")
        APPLIED = "applied", _("zastosowana")
        PARTIAL = "partial", _("zastosowana częściowo")
        REJECTED = "rejected", _("odrzucona")
        FAILED = "failed", _("błąd")

    source = models.CharField(_("źródło"), max_length=4, choices=Source.choices)
    client = models.ForeignKey(
        ApiClient,
        verbose_name=_("klient API"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="batches",
    )
    file_name = models.CharField(_("plik"), max_length=300, blank=True)
    ip = models.GenericIPAddressField(_("adres IP"), null=True, blank=True)
    status = models.CharField(
        _("wynik"), max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    started_at = models.DateTimeField(_("rozpoczęto"), default=timezone.now)
    finished_at = models.DateTimeField(_("zakończono"), null=True, blank=True)
    records = models.PositiveIntegerField(_("rekordy"), default=0)
    created = models.PositiveIntegerField(_("utworzone"), default=0)
    updated = models.PositiveIntegerField(_("zmienione"), default=0)
    unchanged = models.PositiveIntegerField(_("bez zmian"), default=0)
    rejected = models.PositiveIntegerField(_("odrzucone"), default=0)
    companies_applied = models.PositiveIntegerField(_("firmy zastosowane"), default=0)
    companies_rejected = models.PositiveIntegerField(_("firmy odrzucone"), default=0)
    counts = models.JSONField(_("liczby według rodzaju"), default=dict, blank=True)
    errors = models.JSONField(_("błędy"), default=list, blank=True)
    message = models.CharField(_("komunikat"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("paczka importu")
        verbose_name_plural = _("paczki importu")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["source", "file_name"], name="feed_batch_file_idx")]

    def __str__(self) -> str:
        label = self.file_name or (self.client.name if self.client_id else "")
        return f"{self.get_source_display()} {label} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def duration(self):
        return self.finished_at - self.started_at if self.finished_at else None


class ReconciliationLine(models.Model):
    """The core system's balance of a company next to the portal's, after a batch."""

    batch = models.ForeignKey(
        ImportBatch,
        verbose_name=_("paczka importu"),
        on_delete=models.CASCADE,
        related_name="reconciliation",
    )
    company = models.ForeignKey(
        "accounts.Company",
        verbose_name=_("firma"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    as_of = models.DateField(_("stan na"))
    core_balance = models.DecimalField(_("saldo w systemie źródłowym"), **MONEY)
    portal_balance = models.DecimalField(_("saldo w portalu"), **MONEY)
    difference = models.DecimalField(_("różnica"), **MONEY)
    mismatch = models.BooleanField(_("niezgodność"), default=False)
    resolved_at = models.DateTimeField(_("wyjaśniono"), null=True, blank=True)

    class Meta:
        verbose_name = _("uzgodnienie salda")
        verbose_name_plural = _("uzgodnienia sald")
        ordering = ["-batch__started_at", "company__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(difference=models.F("portal_balance") - models.F("core_balance")),
                name="reconciliation_difference_adds_up",
            ),
        ]
        indexes = [
            models.Index(
                fields=["batch"], condition=Q(mismatch=True), name="feed_recon_mismatch_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.company} {self.as_of}: {self.difference}"

    @property
    def is_open(self) -> bool:
        return self.mismatch and self.resolved_at is None


class RecordFingerprint(models.Model):
    """The digest of the last record of one identity a company's batch applied (its normalized
    payload), so the same record sent again is recognised as unchanged without being validated
    or compared with the portal's rows. A record is skipped only while the row it wrote still
    exists; see `feed.importer.fingerprints`."""

    company = models.ForeignKey(
        "accounts.Company", verbose_name=_("firma"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("rodzaj rekordu"), max_length=20)
    # The record's identity within the company and kind: its external id; for a schedule the
    # contract's; for a fee or policy the contract's and its own (JSON pair).
    key = models.CharField(_("klucz"), max_length=300)
    digest = models.CharField(_("skrót"), max_length=32)

    class Meta:
        verbose_name = _("odcisk rekordu")
        verbose_name_plural = _("odciski rekordów")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "kind", "key"], name="feed_fingerprint_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"
