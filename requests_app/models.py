"""Applications ("Wnioski") and contact cases ("Kontakt").

The catalogue (`Fee`, `RequestType`, `RequestField`) is managed by staff in admin. A client's
`Application` is either a request of a catalogue type or a contact case (a topic and a message);
both carry a status with its append-only history, a message thread and attachments.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.append_only import AppendOnlyModel
from ebok.money import to_money, vat_of

MONEY = {"max_digits": 12, "decimal_places": 2}


def _localized(obj, field: str) -> str:
    """The English text when the page is in English and one was written, else the Polish."""
    if (get_language() or "pl").startswith("en"):
        english = getattr(obj, f"{field}_en", "")
        if english:
            return english
    return getattr(obj, f"{field}_pl")


class Fee(models.Model):
    """One row of the lessor's fee table ("Tabela opłat"): what a request type costs."""

    code = models.SlugField(_("kod"), max_length=40, unique=True)
    name_pl = models.CharField(_("nazwa (polski)"), max_length=200)
    name_en = models.CharField(_("nazwa (angielski)"), max_length=200)
    net = models.DecimalField(_("kwota netto"), **MONEY)
    vat_rate = models.PositiveSmallIntegerField(_("stawka VAT (%)"), default=23)

    class Meta:
        verbose_name = _("pozycja tabeli opłat")
        verbose_name_plural = _("tabela opłat")
        ordering = ["name_pl"]
        constraints = [models.CheckConstraint(condition=Q(net__gte=0), name="fee_table_net_gte_0")]

    def __str__(self) -> str:
        return f"{self.name_pl} ({self.net} zł)"

    @property
    def name(self) -> str:
        return _localized(self, "name")

    @property
    def gross(self) -> Decimal:
        return to_money(self.net + vat_of(self.net, self.vat_rate))


class RequestType(models.Model):
    """A kind of request a client can submit, with the fields it asks for."""

    class ContractRule(models.TextChoices):
        NONE = "none", _("nie dotyczy umowy")
        OPTIONAL = "optional", _("umowa opcjonalna")
        REQUIRED = "required", _("wymaga wskazania umowy")

    code = models.SlugField(_("kod"), max_length=40, unique=True)
    name_pl = models.CharField(_("nazwa (polski)"), max_length=200)
    name_en = models.CharField(_("nazwa (angielski)"), max_length=200)
    description_pl = models.TextField(_("opis (polski)"), blank=True)
    description_en = models.TextField(_("opis (angielski)"), blank=True)
    contract_rule = models.CharField(
        _("umowa"), max_length=10, choices=ContractRule.choices, default=ContractRule.REQUIRED
    )
    # Empty: any. Values of contracts.Contract.Status / .Kind.
    contract_statuses = models.JSONField(_("dozwolone statusy umowy"), default=list, blank=True)
    contract_kinds = models.JSONField(_("dozwolone rodzaje umowy"), default=list, blank=True)
    fee = models.ForeignKey(
        Fee,
        verbose_name=_("opłata wg tabeli opłat"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="request_types",
    )
    handling_days = models.PositiveSmallIntegerField(_("czas realizacji (dni robocze)"), default=7)
    is_critical = models.BooleanField(
        _("krytyczny (wymaga kodu SMS)"),
        default=False,
        help_text=_("Złożenie wniosku trzeba potwierdzić jednorazowym kodem SMS."),
    )
    extra_attachments = models.BooleanField(_("dowolne dodatkowe załączniki"), default=True)
    active = models.BooleanField(_("dostępny dla klientów"), default=True)
    order = models.PositiveSmallIntegerField(_("kolejność"), default=100)

    class Meta:
        verbose_name = _("rodzaj wniosku")
        verbose_name_plural = _("rodzaje wniosków")
        ordering = ["order", "name_pl"]

    def __str__(self) -> str:
        return self.name_pl

    @property
    def name(self) -> str:
        return _localized(self, "name")

    @property
    def description(self) -> str:
        return _localized(self, "description")

    @property
    def needs_contract(self) -> bool:
        return self.contract_rule == self.ContractRule.REQUIRED

    @property
    def asks_contract(self) -> bool:
        return self.contract_rule != self.ContractRule.NONE


class RequestField(models.Model):
    """One field of a request type's form, typed and validated (requests_app.fieldtypes)."""

    class Type(models.TextChoices):
        TEXT = "text", _("tekst")
        LONG_TEXT = "long_text", _("tekst długi")
        DATE = "date", _("data")
        DATE_RANGE = "date_range", _("okres (od – do)")
        CHOICE = "choice", _("wybór z listy")
        AMOUNT = "amount", _("kwota")
        COUNTRY = "country", _("kraj")
        PERSON = "person", _("osoba (PESEL, dokument tożsamości)")
        REGISTRATION = "registration", _("numer rejestracyjny pojazdu")
        EMAIL = "email", _("adres e-mail")
        PHONE = "phone", _("numer telefonu")
        ATTACHMENT = "attachment", _("załącznik")

    request_type = models.ForeignKey(
        RequestType,
        verbose_name=_("rodzaj wniosku"),
        on_delete=models.CASCADE,
        related_name="fields",
    )
    key = models.SlugField(_("klucz"), max_length=40)
    field_type = models.CharField(_("typ"), max_length=20, choices=Type.choices)
    label_pl = models.CharField(_("etykieta (polski)"), max_length=200)
    label_en = models.CharField(_("etykieta (angielski)"), max_length=200)
    help_pl = models.CharField(_("podpowiedź (polski)"), max_length=300, blank=True)
    help_en = models.CharField(_("podpowiedź (angielski)"), max_length=300, blank=True)
    required = models.BooleanField(_("wymagane"), default=True)
    choices = models.TextField(
        _("opcje wyboru"),
        blank=True,
        help_text=_("Dla typu „wybór z listy”: jedna opcja w wierszu: kod | polski | angielski."),
    )
    order = models.PositiveSmallIntegerField(_("kolejność"), default=100)

    class Meta:
        verbose_name = _("pole wniosku")
        verbose_name_plural = _("pola wniosku")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request_type", "key"], name="request_field_key_unique")
        ]

    def __str__(self) -> str:
        return self.label_pl

    @property
    def label(self) -> str:
        return _localized(self, "label")

    @property
    def help(self) -> str:
        return _localized(self, "help")

    def choice_list(self) -> list[tuple[str, str]]:
        english = (get_language() or "pl").startswith("en")
        options = []
        for line in self.choices.splitlines():
            parts = [part.strip() for part in line.split("|")]
            if not parts[0]:
                continue
            polish = parts[1] if len(parts) > 1 and parts[1] else parts[0]
            label = parts[2] if english and len(parts) > 2 and parts[2] else polish
            options.append((parts[0], label))
        return options


class Application(models.Model):
    """A client's request of a catalogue type, or a contact case: both handled the same way."""

    class Kind(models.TextChoices):
        REQUEST = "request", _("wniosek")
        CONTACT = "contact", _("sprawa (kontakt)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("do potwierdzenia kodem SMS")
        SENT = "sent", _("wysłany")
        IN_PROGRESS = "in_progress", _("w toku")
        WAITING = "waiting", _("oczekuje na klienta")
        COMPLETED = "completed", _("zrealizowany")
        REJECTED = "rejected", _("odrzucony")

    class Topic(models.TextChoices):
        INVOICES = "invoices", _("faktury i płatności")
        SETTLEMENT = "settlement", _("rozliczenia i księgowość")
        CONTRACT = "contract", _("umowa leasingu")
        INSURANCE = "insurance", _("ubezpieczenie")
        VEHICLE = "vehicle", _("pojazd / przedmiot leasingu")
        PORTAL = "portal", _("dostęp do eBOK")
        COMPLAINT = "complaint", _("reklamacja")
        OTHER = "other", _("inne")

    OPEN_STATUSES = (Status.SENT, Status.IN_PROGRESS, Status.WAITING)
    CLOSED_STATUSES = (Status.COMPLETED, Status.REJECTED)

    company = models.ForeignKey(
        "accounts.Company", verbose_name=_("firma"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("złożył(a)"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    kind = models.CharField(_("rodzaj"), max_length=10, choices=Kind.choices)
    request_type = models.ForeignKey(
        RequestType,
        verbose_name=_("rodzaj wniosku"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
    )
    topic = models.CharField(_("temat"), max_length=12, choices=Topic.choices, blank=True)
    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("umowa"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
    )
    number = models.CharField(_("numer"), max_length=20, blank=True)
    subject = models.CharField(_("tytuł"), max_length=200)
    body = models.TextField(_("treść"), blank=True)
    # The answers as submitted, with that day's labels:
    # [{"key", "type", "label": {"pl", "en"}, "value"}]
    values = models.JSONField(_("dane wniosku"), default=list, blank=True)
    fee_net = models.DecimalField(_("opłata netto"), **MONEY, null=True, blank=True)
    fee_gross = models.DecimalField(_("opłata brutto"), **MONEY, null=True, blank=True)
    handling_days = models.PositiveSmallIntegerField(_("czas realizacji (dni)"), null=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("prowadzi"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_applications",
    )
    # One form, one application: a second POST of the same form finds the first.
    submit_token = models.UUIDField(_("klucz formularza"), default=uuid.uuid4)
    created_at = models.DateTimeField(_("utworzono"), default=timezone.now)
    submitted_at = models.DateTimeField(_("data złożenia"), null=True, blank=True)
    updated_at = models.DateTimeField(_("ostatnia zmiana"), default=timezone.now)
    closed_at = models.DateTimeField(_("data zamknięcia"), null=True, blank=True)
    # Events the other side has not seen yet (a lessor's answer, a status change; a client's reply).
    client_unread = models.PositiveSmallIntegerField(_("nieprzeczytane przez klienta"), default=0)
    staff_unread = models.PositiveSmallIntegerField(_("nowe od klienta"), default=0)

    class Meta:
        verbose_name = _("wniosek lub sprawa")
        verbose_name_plural = _("wnioski i sprawy")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "submit_token"], name="application_submit_once"
            ),
            models.UniqueConstraint(
                fields=["number"], condition=~Q(number=""), name="application_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind="contact") | Q(request_type__isnull=False),
                name="application_request_has_type",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "-updated_at"], name="application_company_idx"),
            models.Index(fields=["status", "submitted_at"], name="application_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number or _('szkic')} – {self.subject}"

    @property
    def status_css(self) -> str:
        return _STATUS_CSS.get(self.status, "ebok-badge-info")

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def type_name(self) -> str:
        if self.request_type_id:
            return self.request_type.name
        return str(self.Topic(self.topic).label) if self.topic else ""


_STATUS_CSS = {
    Application.Status.DRAFT: "ebok-badge-expiring",
    Application.Status.IN_PROGRESS: "ebok-badge-partial",
    Application.Status.WAITING: "ebok-badge-overdue",
    Application.Status.COMPLETED: "ebok-badge-paid",
    Application.Status.REJECTED: "ebok-badge-muted",
}


class StatusChange(AppendOnlyModel):
    """One step of an application's status history (never edited, never deleted)."""

    append_only_message = "The status history is append-only."

    application = models.ForeignKey(
        Application, verbose_name=_("wniosek"), on_delete=models.CASCADE, related_name="history"
    )
    from_status = models.CharField(
        _("poprzedni status"), max_length=12, choices=Application.Status.choices, blank=True
    )
    to_status = models.CharField(
        _("nowy status"), max_length=12, choices=Application.Status.choices
    )
    at = models.DateTimeField(_("kiedy"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("kto"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("uwagi"), blank=True)

    class Meta:
        verbose_name = _("zmiana statusu")
        verbose_name_plural = _("historia statusów")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"

    @property
    def by_lessor(self) -> bool:
        return self.by is not None and not self.by.company_id


class Message(models.Model):
    """One message of an application's thread, from the client or from the lessor."""

    application = models.ForeignKey(
        Application, verbose_name=_("wniosek"), on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("autor"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    from_lessor = models.BooleanField(_("od leasingodawcy"), default=False)
    body = models.TextField(_("treść"))
    created_at = models.DateTimeField(_("wysłano"), default=timezone.now)

    class Meta:
        verbose_name = _("wiadomość")
        verbose_name_plural = _("wiadomości")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:60]


def attachment_path(instance: Attachment, filename: str) -> str:
    # A generated name: nothing of the client's file name reaches the file system.
    now = timezone.now()
    return f"requests/{now:%Y/%m}/{uuid.uuid4().hex}{instance.extension}"


class Attachment(models.Model):
    """A file of an application: sent with it, with a message, or with the lessor's answer."""

    application = models.ForeignKey(
        Application,
        verbose_name=_("wniosek"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    message = models.ForeignKey(
        Message,
        verbose_name=_("wiadomość"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
    )
    field_key = models.CharField(_("pole wniosku"), max_length=40, blank=True)
    file = models.FileField(_("plik"), upload_to=attachment_path, max_length=200)
    name = models.CharField(_("nazwa pliku"), max_length=150)
    content_type = models.CharField(_("typ"), max_length=100)
    size = models.PositiveIntegerField(_("rozmiar (bajty)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    from_lessor = models.BooleanField(_("od leasingodawcy"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dodał(a)"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("dodano"), default=timezone.now)

    class Meta:
        verbose_name = _("załącznik")
        verbose_name_plural = _("załączniki")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def extension(self) -> str:
        from ebok.uploads import extension_for

        return extension_for(self.content_type)
