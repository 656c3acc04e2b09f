from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from .validators import (
    client_number_validator,
    normalize_nip,
    normalize_regon,
    validate_nip,
    validate_regon,
)


class Company(models.Model):
    """A client of the lessor: the tenant every client-side query is scoped to."""

    client_number = models.CharField(
        _("numer klienta"), max_length=8, unique=True, validators=[client_number_validator]
    )
    name = models.CharField(_("nazwa"), max_length=200)
    nip = models.CharField(_("NIP"), max_length=10, unique=True, validators=[validate_nip])
    regon = models.CharField(_("REGON"), max_length=14, blank=True, validators=[validate_regon])
    street = models.CharField(_("ulica i numer"), max_length=200)
    postal_code = models.CharField(_("kod pocztowy"), max_length=6)
    city = models.CharField(_("miejscowość"), max_length=100)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = PhoneNumberField(_("telefon"), blank=True)
    is_active = models.BooleanField(_("aktywna"), default=True)
    created_at = models.DateTimeField(_("utworzono"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("firma")
        verbose_name_plural = _("firmy")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(client_number__regex=r"^[0-9]{8}$"),
                name="company_client_number_8_digits",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.client_number})"

    def clean(self) -> None:
        self.nip = normalize_nip(self.nip or "")
        self.regon = normalize_regon(self.regon or "")

    @property
    def address(self) -> str:
        return f"{self.street}, {self.postal_code} {self.city}"


class User(AbstractBaseUser, PermissionsMixin):
    """A person: a client company's user (company set) or back-office staff (company empty).

    `username` is the unique system identity (staff sign in to admin with it); client users sign
    in with their company's client number and their `login`, unique within the company.
    """

    username = models.CharField(_("identyfikator systemowy"), max_length=150, unique=True)
    company = models.ForeignKey(
        Company,
        verbose_name=_("firma"),
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        blank=True,
    )
    login = models.CharField(_("login"), max_length=64, blank=True)
    first_name = models.CharField(_("imię"), max_length=100, blank=True)
    last_name = models.CharField(_("nazwisko"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = PhoneNumberField(_("telefon komórkowy"), blank=True)
    # Client permissions (company admins grant them). Staff permissions are Django's own.
    is_company_admin = models.BooleanField(_("administrator firmy"), default=False)
    can_view_finances = models.BooleanField(_("finanse (faktury, płatności, saldo)"), default=True)
    can_view_contracts = models.BooleanField(_("umowy"), default=True)
    can_submit_requests = models.BooleanField(_("składanie wniosków"), default=True)
    can_sign_documents = models.BooleanField(_("podpisywanie dokumentów"), default=False)
    contracts_restricted = models.BooleanField(
        _("dostęp tylko do wybranych umów"),
        default=False,
        help_text=_("Jeśli zaznaczone, użytkownik widzi tylko umowy wybrane poniżej."),
    )
    allowed_contracts = models.ManyToManyField(
        "contracts.Contract",
        verbose_name=_("dostępne umowy"),
        blank=True,
        related_name="restricted_users",
    )
    is_staff = models.BooleanField(_("pracownik (panel administracyjny)"), default=False)
    is_active = models.BooleanField(_("aktywny"), default=True)
    date_joined = models.DateTimeField(_("data utworzenia"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("użytkownik")
        verbose_name_plural = _("użytkownicy")
        ordering = ["last_name", "first_name", "username"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "login"],
                condition=Q(company__isnull=False),
                name="user_login_unique_in_company",
            ),
            models.CheckConstraint(
                condition=Q(company__isnull=True) | ~Q(login=""),
                name="user_client_has_login",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.username

    @property
    def is_client(self) -> bool:
        return self.company_id is not None

    @staticmethod
    def client_username(client_number: str, login: str) -> str:
        return f"{client_number}.{login}".lower()
