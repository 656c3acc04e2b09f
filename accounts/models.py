from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _
from django_otp.models import CooldownMixin, SideChannelDevice, ThrottlingMixin
from phonenumber_field.modelfields import PhoneNumberField

from .append_only import AppendOnlyModel
from .permissions import PERMISSIONS
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
    # The core leasing system's id of the client (the feed upserts by it).
    external_id = models.CharField(
        _("identyfikator w systemie źródłowym"), max_length=64, null=True, blank=True, unique=True
    )

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


class LockReason(models.TextChoices):
    FAILED_PASSWORD = "password", _("błędne hasło")
    FAILED_CODE = "sms_code", _("błędne kody SMS")
    ADMIN = "admin", _("zablokowany przez administratora")


def _client_permission_columns() -> type[models.Model]:
    """An abstract model with one boolean column per entry of accounts.permissions.PERMISSIONS
    (company admins grant them; staff permissions are Django's own)."""
    columns = {p.field: models.BooleanField(p.label, default=p.default) for p in PERMISSIONS}
    meta = type("Meta", (), {"abstract": True})
    return type(
        "ClientPermissions", (models.Model,), {"__module__": __name__, "Meta": meta, **columns}
    )


ClientPermissions = _client_permission_columns()


class User(AbstractBaseUser, ClientPermissions, PermissionsMixin):
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
    # The client permission flags come from ClientPermissions; this narrows what they show.
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
    # Sign-in security (client users). A locked user cannot sign in until unlocked.
    locked_at = models.DateTimeField(_("zablokowany od"), null=True, blank=True)
    lock_reason = models.CharField(
        _("powód blokady"), max_length=16, choices=LockReason.choices, blank=True
    )
    failed_signin_count = models.PositiveSmallIntegerField(
        _("nieudane próby logowania z rzędu"), default=0
    )
    must_change_password = models.BooleanField(
        _("wymagana zmiana hasła"),
        default=False,
        help_text=_("Pierwsze logowanie hasłem jednorazowym: użytkownik musi ustawić własne."),
    )
    password_changed_at = models.DateTimeField(_("hasło zmienione"), null=True, blank=True)

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
            # Client sign-in and the staff admin stay separate: a client user is never staff.
            models.CheckConstraint(
                condition=Q(company__isnull=True) | Q(is_staff=False, is_superuser=False),
                name="user_client_is_not_staff",
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

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class MaskedPassword(models.Model):
    """A client user's masked password: Shamir shares, each masked by its position's character.

    Nothing here reveals the password or any of its characters: each share is XOR-ed with a key
    derived from the server pepper (not in the database), the salt, the position and the
    character; only a slow hash of the shared secret is kept. See `accounts.masked`.
    """

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="masked_password", verbose_name=_("użytkownik")
    )
    salt = models.CharField(max_length=64)
    length = models.PositiveSmallIntegerField()
    threshold = models.PositiveSmallIntegerField()
    shares = models.JSONField()  # hex strings; index i holds position i + 1
    secret_hash = models.CharField(max_length=128)
    kdf = models.JSONField()  # {"alg": "scrypt", "n": ..., "r": ..., "p": ...}
    # The version of the pepper that masks the shares (MASKED_PASSWORD_PEPPER_VERSION when set;
    # records older than versioning were all masked under version 1).
    pepper_version = models.PositiveSmallIntegerField(default=1)
    # A one-time password from an invitation: valid until `expires_at`, then must be replaced.
    is_temporary = models.BooleanField(default=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    # The positions asked for, pinned until a successful sign-in (no re-drawing to harvest).
    challenge = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("hasło maskowane")
        verbose_name_plural = _("hasła maskowane")

    def __str__(self) -> str:
        return f"{self.user} ({self.length})"


class SmsDevice(ThrottlingMixin, CooldownMixin, SideChannelDevice):
    """A client user's phone as a django-otp side-channel device: 6-digit codes by SMS.

    Each code is bound to a `purpose` (sign-in, password change, a step-up operation's digest)
    and verifies only for that purpose. Codes are single use and expire; failed verifications
    back off exponentially (ThrottlingMixin) and resends wait for a cooldown (CooldownMixin).
    """

    purpose = models.CharField(max_length=120, blank=True)
    sent_on = models.DateField(null=True, blank=True)
    sent_count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("urządzenie SMS")
        verbose_name_plural = _("urządzenia SMS")

    def get_throttle_factor(self) -> int:
        return settings.SMS_CODE_THROTTLE_FACTOR

    def get_cooldown_duration(self) -> int:
        return settings.SMS_CODE_RESEND_COOLDOWN

    def verify_token(self, token) -> bool:
        # Only purpose-bound verification (`verify_code`) is allowed.
        return False

    def verify_code(self, token: str, purpose: str) -> bool:
        """Check and consume a code for `purpose`; count a failure otherwise."""
        allowed, _info = self.verify_is_allowed()
        if not allowed:
            return False
        now = timezone.now()
        ok = (
            bool(self.token)
            and constant_time_compare(self.purpose, purpose)
            and constant_time_compare(self.token, token)
            and now < self.valid_until
        )
        if ok:
            self.token = None
            self.purpose = ""
            self.valid_until = now
            self.throttle_reset(commit=False)
            self.cooldown_reset(commit=False)
            self.save()
        else:
            self.throttle_increment()
        return ok


class AuditEntry(AppendOnlyModel):
    """Who did what, to which object, when and from where. Append-only (see accounts.audit).

    Rows are never updated or deleted: the model refuses, and on PostgreSQL a trigger does too.
    """

    created_at = models.DateTimeField(_("czas"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        User,
        verbose_name=_("użytkownik"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    company = models.ForeignKey(
        Company,
        verbose_name=_("firma"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor = models.CharField(_("kto"), max_length=200, blank=True)
    action = models.CharField(_("zdarzenie"), max_length=64, db_index=True)
    object_type = models.CharField(_("typ obiektu"), max_length=100, blank=True)
    object_id = models.CharField(_("id obiektu"), max_length=64, blank=True)
    object_repr = models.CharField(_("obiekt"), max_length=200, blank=True)
    ip = models.GenericIPAddressField(_("adres IP"), null=True, blank=True)
    user_agent = models.CharField(_("przeglądarka"), max_length=300, blank=True)
    details = models.JSONField(_("szczegóły"), default=dict, blank=True)

    append_only_message = "The audit log is append-only."

    class Meta:
        verbose_name = _("wpis dziennika zdarzeń")
        verbose_name_plural = _("dziennik zdarzeń")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["company", "-created_at"], name="audit_company_idx"),
            models.Index(fields=["user", "-created_at"], name="audit_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.action} {self.actor}"


class AccessApplication(models.Model):
    """ "Wniosek o nadanie dostępu": a public request for a company's first eBOK administrator.

    Submitting stores the application whatever it says: nothing is looked up until staff
    verify it in the back office, so the public answer cannot reveal whether a company or a
    contract exists. Approving creates the admin user (accounts.public.services).
    """

    class Status(models.TextChoices):
        NEW = "new", _("do weryfikacji")
        APPROVED = "approved", _("zatwierdzony")
        REJECTED = "rejected", _("odrzucony")

    nip = models.CharField(_("NIP firmy"), max_length=10, validators=[validate_nip])
    contract_number = models.CharField(_("numer umowy leasingu"), max_length=40)
    first_name = models.CharField(_("imię"), max_length=100)
    last_name = models.CharField(_("nazwisko"), max_length=100)
    email = models.EmailField(_("e-mail"))
    phone = PhoneNumberField(_("telefon komórkowy"))
    terms_accepted_at = models.DateTimeField(_("akceptacja regulaminu"))
    marketing_consent = models.BooleanField(_("zgoda marketingowa"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NEW, db_index=True
    )
    reject_reason = models.TextField(_("powód odrzucenia"), blank=True)
    created_at = models.DateTimeField(_("złożono"), default=timezone.now, db_index=True)
    ip = models.GenericIPAddressField(_("adres IP"), null=True, blank=True)
    user_agent = models.CharField(_("przeglądarka"), max_length=300, blank=True)
    decided_at = models.DateTimeField(_("rozpatrzono"), null=True, blank=True)
    decided_by = models.ForeignKey(
        User,
        verbose_name=_("rozpatrzył(a)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    company = models.ForeignKey(
        Company,
        verbose_name=_("firma"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="access_applications",
    )
    created_user = models.ForeignKey(
        User,
        verbose_name=_("utworzony użytkownik"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("wniosek o nadanie dostępu")
        verbose_name_plural = _("wnioski o nadanie dostępu")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}, NIP {self.nip} ({self.created_at:%d.%m.%Y})"


class Consent(AppendOnlyModel):
    """One change of a consent: who gave or withdrew what, when and from where. Append-only.

    The current state of a consent is its latest row. E-invoices are the company's consent
    (`user` empty; company admins decide); marketing and the terms are each user's own.
    """

    class Kind(models.TextChoices):
        TERMS = "terms", _("akceptacja regulaminu eBOK")
        E_INVOICES = "e_invoices", _("faktury elektroniczne")
        MARKETING = "marketing", _("informacje marketingowe")
        PRIVACY_NOTICE = "privacy_notice", _("zapoznanie się z informacją o przetwarzaniu danych")

    class Source(models.TextChoices):
        PORTAL = "portal", _("eBOK")
        APPLICATION = "application", _("wniosek o nadanie dostępu")
        BACK_OFFICE = "back_office", _("obsługa klienta")
        REGISTRATION = "registration", _("samodzielna rejestracja")

    company = models.ForeignKey(
        Company, verbose_name=_("firma"), on_delete=models.PROTECT, related_name="consents"
    )
    user = models.ForeignKey(
        User,
        verbose_name=_("czyja zgoda"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consents",
        help_text=_("Puste: zgoda firmy (np. faktury elektroniczne)."),
    )
    kind = models.CharField(_("zgoda"), max_length=16, choices=Kind.choices)
    granted = models.BooleanField(_("udzielona"))
    created_at = models.DateTimeField(_("kiedy"), default=timezone.now, db_index=True)
    by = models.ForeignKey(
        User,
        verbose_name=_("kto"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    source = models.CharField(
        _("źródło"), max_length=16, choices=Source.choices, default=Source.PORTAL
    )
    ip = models.GenericIPAddressField(_("adres IP"), null=True, blank=True)
    # The version of the document accepted (the terms, the data-processing notice); empty for
    # consents recorded before versions were kept and for consents that name no document.
    version = models.CharField(_("wersja dokumentu"), max_length=20, blank=True)

    append_only_message = "Consent history is append-only."

    class Meta:
        verbose_name = _("zgoda")
        verbose_name_plural = _("zgody (historia)")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["company", "kind", "-created_at"], name="consent_company_kind_idx"
            ),
            models.Index(fields=["user", "kind", "-created_at"], name="consent_user_kind_idx"),
        ]

    def __str__(self) -> str:
        state = _("udzielona") if self.granted else _("wycofana")
        return f"{self.get_kind_display()}: {state} ({self.created_at:%d.%m.%Y %H:%M})"


class EmailChange(models.Model):
    """A new e-mail address waiting for the link sent to it to be followed.

    The user's `email` stays the old one until then. Only a hash of the link's token is kept;
    every (re)send is a row of its own (the older link then no longer works), and a user has at
    most one pending change. A row leaves "pending" once: confirmed, cancelled or replaced.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("oczekuje na potwierdzenie")
        CONFIRMED = "confirmed", _("potwierdzona")
        CANCELLED = "cancelled", _("anulowana")
        REPLACED = "replaced", _("zastąpiona nowszym linkiem")

    user = models.ForeignKey(
        User, verbose_name=_("użytkownik"), on_delete=models.CASCADE, related_name="email_changes"
    )
    old_email = models.EmailField(_("dotychczasowy e-mail"), blank=True)
    new_email = models.EmailField(_("nowy e-mail"))
    token_hash = models.CharField(max_length=64, unique=True)
    requested_by = models.ForeignKey(
        User,
        verbose_name=_("zlecił(a)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("wysłano link"), default=timezone.now)
    expires_at = models.DateTimeField(_("link ważny do"))
    closed_at = models.DateTimeField(_("zamknięto"), null=True, blank=True)

    class Meta:
        verbose_name = _("zmiana adresu e-mail")
        verbose_name_plural = _("zmiany adresu e-mail")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status="pending"),
                name="email_change_one_pending_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.new_email} ({self.get_status_display()})"

    def is_expired(self, now=None) -> bool:
        return self.expires_at <= (now or timezone.now())


# The public self-service's own tables live next to its code (accounts/public/models.py).
from .public.models import Registration  # noqa: E402, F401
