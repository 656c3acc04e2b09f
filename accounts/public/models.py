"""Tables of the public self-service (imported by accounts.models, so they are accounts' own)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from ..models import Company, User


class Registration(models.Model):
    """ "Zarejestruj się": one attempt at self-registration of a company's first user.

    Every attempt is a row, whatever it says, written the moment the form is posted; the data
    are compared with the company's only afterwards, by a task (`registration_check`), so the
    public answer and its timing never depend on them. A matching attempt gets an activation
    link (only a SHA-256 hash of its token is kept), valid until `expires_at`, used once.
    """

    class Status(models.TextChoices):
        CHECKING = "checking", _("sprawdzanie danych")
        NOT_MATCHED = "not_matched", _("dane niezgodne – nic nie wysłano")
        COMPANY_HAS_USERS = (
            "has_users",
            _("firma ma już użytkowników – powiadomiono administratora"),
        )
        PENDING = "pending", _("oczekuje na aktywację (wysłano link)")
        ACTIVATED = "activated", _("aktywowana")
        REPLACED = "replaced", _("zastąpiona nowszą rejestracją")
        REVOKED = "revoked", _("unieważniona przez obsługę")

    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.CHECKING, db_index=True
    )
    created_at = models.DateTimeField(_("złożono"), default=timezone.now, db_index=True)
    # What the registrant typed (as typed, normalised by the form).
    client_number = models.CharField(_("numer klienta"), max_length=8, db_index=True)
    nip = models.CharField(_("NIP"), max_length=10)
    invoice_number = models.CharField(_("numer faktury"), max_length=40)
    invoice_gross = models.DecimalField(_("kwota brutto faktury"), max_digits=14, decimal_places=2)
    email = models.EmailField(_("e-mail"))
    phone = PhoneNumberField(_("telefon komórkowy"))
    terms_version = models.CharField(_("wersja regulaminu"), max_length=20)
    privacy_version = models.CharField(_("wersja informacji o danych"), max_length=20)
    ip = models.GenericIPAddressField(_("adres IP"), null=True, blank=True)
    user_agent = models.CharField(_("przeglądarka"), max_length=300, blank=True)
    language = models.CharField(_("język"), max_length=8, blank=True)  # of the e-mail sent
    # What the check found (for staff only; the public answer never says).
    company = models.ForeignKey(
        Company,
        verbose_name=_("firma"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registrations",
    )
    mismatches = models.JSONField(_("niezgodne dane"), default=list, blank=True)
    checked_at = models.DateTimeField(_("sprawdzono"), null=True, blank=True)
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    expires_at = models.DateTimeField(_("link ważny do"), null=True, blank=True)
    user = models.ForeignKey(
        User,
        verbose_name=_("użytkownik"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Tworzony nieaktywny po wybraniu loginu; aktywny po potwierdzeniu telefonu."),
    )
    activated_at = models.DateTimeField(_("aktywowano"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("unieważniono"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User,
        verbose_name=_("unieważnił(a)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("rejestracja")
        verbose_name_plural = _("rejestracje (samodzielne)")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One live link per company: a newer matching registration replaces the older one.
            models.UniqueConstraint(
                fields=["company"],
                condition=Q(status="pending"),
                name="registration_one_pending_per_company",
            )
        ]

    def __str__(self) -> str:
        return f"{self.client_number} ({timezone.localtime(self.created_at):%d.%m.%Y %H:%M})"

    def is_expired(self, now=None) -> bool:
        return self.expires_at is None or self.expires_at <= (now or timezone.now())
