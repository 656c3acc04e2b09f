"""Document exchange: processes to sign ("Podpisz") and to receive ("Odbierz").

A process belongs to a company (optionally to one of its contracts). Its files are versions
that are only ever added; its thread is comments (plain, accept, reject); its history is events
that record every status change with who and when. Unread markers are per process, one per
side: the client has something new when the lessor acted after any of the company's users
last opened it, and the lessor likewise.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.append_only import AppendOnlyModel


class Side(models.TextChoices):
    STAFF = "staff", _("leasingodawca")
    CLIENT = "client", _("klient")


class DocumentProcess(models.Model):
    class Kind(models.TextChoices):
        SIGN = "sign", _("do podpisu")
        RECEIVE = "receive", _("do odebrania")

    class Category(models.TextChoices):
        CONTRACT = "contract", _("umowa")
        ANNEX = "annex", _("aneks")
        STATEMENT = "statement", _("oświadczenie")
        CONSENT = "consent", _("zgoda")
        LETTER = "letter", _("pismo")
        OTHER = "other", _("inny dokument")

    class Status(models.TextChoices):
        # As the reference portal names them: whose move it is, or how it ended.
        CLIENT = "client", _("w trakcie procesowania (Klient)")
        PROCESSING = "processing", _("w trakcie procesowania")
        DONE = "done", _("zakończony")
        REJECTED = "rejected", _("odrzucony")

    OPEN = (Status.CLIENT, Status.PROCESSING)

    company = models.ForeignKey(
        "accounts.Company",
        verbose_name=_("firma"),
        on_delete=models.PROTECT,
        related_name="document_processes",
    )
    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("umowa"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="document_processes",
    )
    kind = models.CharField(_("rodzaj procesu"), max_length=10, choices=Kind.choices)
    category = models.CharField(
        _("typ dokumentu"), max_length=12, choices=Category.choices, default=Category.OTHER
    )
    title = models.CharField(_("tytuł"), max_length=200)
    description = models.TextField(_("opis dla klienta"), blank=True, max_length=2000)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.CLIENT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utworzył"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("utworzono"), default=timezone.now)
    # Unread markers: the last thing each side did, and when each side last looked.
    staff_activity_at = models.DateTimeField(_("ostatnia zmiana leasingodawcy"), null=True)
    client_activity_at = models.DateTimeField(_("ostatnia zmiana klienta"), null=True)
    client_seen_at = models.DateTimeField(_("otwarty przez klienta"), null=True, blank=True)
    staff_seen_at = models.DateTimeField(_("otwarty przez obsługę"), null=True, blank=True)
    # "Odbierz": when and by whom the document was received.
    received_at = models.DateTimeField(_("odebrano"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("odebrał"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    signed_version = models.ForeignKey(
        "DocumentVersion",
        verbose_name=_("wersja podpisana"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("proces dokumentu")
        verbose_name_plural = _("procesy dokumentów")
        ordering = ["-staff_activity_at", "-pk"]
        indexes = [
            models.Index(
                fields=["company", "kind", "-staff_activity_at"], name="doc_company_kind_idx"
            ),
            models.Index(fields=["contract"], name="doc_contract_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def unread_by_client(self) -> bool:
        if self.kind == self.Kind.RECEIVE:
            return self.received_at is None
        return self.staff_activity_at is not None and (
            self.client_seen_at is None or self.client_seen_at < self.staff_activity_at
        )

    @property
    def unread_by_staff(self) -> bool:
        return self.client_activity_at is not None and (
            self.staff_seen_at is None or self.staff_seen_at < self.client_activity_at
        )


def client_unread_q(prefix: str = "") -> Q:
    """Processes with something the client has not opened yet (one condition for every list)."""
    p = prefix
    return Q(**{f"{p}kind": DocumentProcess.Kind.RECEIVE, f"{p}received_at__isnull": True}) | Q(
        Q(**{f"{p}kind": DocumentProcess.Kind.SIGN, f"{p}staff_activity_at__isnull": False})
        & (
            Q(**{f"{p}client_seen_at__isnull": True})
            | Q(**{f"{p}client_seen_at__lt": models.F(f"{p}staff_activity_at")})
        )
    )


def version_upload_to(instance: DocumentVersion, filename: str) -> str:
    # A random stored name: the client's file name is kept in `original_name`, never as a path.
    return f"documents/{timezone.now():%Y/%m}/{secrets.token_hex(16)}"


class DocumentVersion(AppendOnlyModel):
    """One file of a process. Never changed, never deleted: a new upload is a new version."""

    class Signature(models.TextChoices):
        NONE = "", _("bez podpisu")
        PADES = "pades", _("PAdES (podpis w PDF)")
        XADES = "xades", _("XAdES")
        ASIC = "asic", _("ASiC")

    append_only_message = "Document versions are never changed or deleted."

    process = models.ForeignKey(
        DocumentProcess, verbose_name=_("proces"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("wersja"))
    file = models.FileField(_("plik"), upload_to=version_upload_to, max_length=200)
    original_name = models.CharField(_("nazwa pliku"), max_length=150)
    content_type = models.CharField(_("typ pliku"), max_length=80)
    size = models.PositiveBigIntegerField(_("rozmiar (bajty)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    side = models.CharField(_("strona"), max_length=6, choices=Side.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("autor"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    note = models.CharField(_("notatka"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("dodano"), default=timezone.now)
    # A client's signed upload: what was checked, and the version it signs.
    signature = models.CharField(
        _("podpis"), max_length=6, choices=Signature.choices, blank=True, default=""
    )
    signer_name = models.CharField(_("podpisujący"), max_length=200, blank=True)
    signed_at = models.DateTimeField(_("czas podpisu"), null=True, blank=True)
    signs_version = models.ForeignKey(
        "self",
        verbose_name=_("podpisuje wersję"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # A PDF signed incrementally ("revision") or rewritten by the signing tool ("text").
    match = models.CharField(_("zgodność z wersją"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("wersja dokumentu")
        verbose_name_plural = _("wersje dokumentów")
        ordering = ["process", "number"]
        constraints = [
            models.UniqueConstraint(fields=["process", "number"], name="doc_version_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.process} – v{self.number}"


class DocumentComment(AppendOnlyModel):
    class Kind(models.TextChoices):
        COMMENT = "comment", _("komentarz")
        ACCEPT = "accept", _("akceptacja")
        REJECT = "reject", _("odrzucenie")

    append_only_message = "Comments are never changed or deleted."

    process = models.ForeignKey(
        DocumentProcess, verbose_name=_("proces"), on_delete=models.PROTECT, related_name="comments"
    )
    kind = models.CharField(_("rodzaj"), max_length=8, choices=Kind.choices, default=Kind.COMMENT)
    side = models.CharField(_("strona"), max_length=6, choices=Side.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("autor"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    text = models.TextField(_("treść"), max_length=4000, blank=True)
    version = models.ForeignKey(
        DocumentVersion,
        verbose_name=_("dotyczy wersji"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("dodano"), default=timezone.now)

    class Meta:
        verbose_name = _("komentarz")
        verbose_name_plural = _("komentarze")
        ordering = ["process", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.process}"


class DocumentEvent(AppendOnlyModel):
    """The history of a process: every step, and every status change with who and when."""

    class Action(models.TextChoices):
        CREATED = "created", _("utworzenie procesu")
        VERSION = "version", _("nowa wersja")
        SIGNED = "signed", _("przesłanie podpisanej wersji")
        COMMENT = "comment", _("komentarz")
        ACCEPTED = "accepted", _("akceptacja")
        REJECTED = "rejected", _("odrzucenie")
        RECEIVED = "received", _("odebranie")
        CLOSED = "closed", _("zakończenie")
        STATUS = "status", _("zmiana statusu")

    append_only_message = "Process history is never changed or deleted."

    process = models.ForeignKey(
        DocumentProcess, verbose_name=_("proces"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("czynność"), max_length=10, choices=Action.choices)
    side = models.CharField(_("strona"), max_length=6, choices=Side.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("kto"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    status_before = models.CharField(
        _("status przed"), max_length=12, choices=DocumentProcess.Status.choices, blank=True
    )
    status_after = models.CharField(
        _("status po"), max_length=12, choices=DocumentProcess.Status.choices, blank=True
    )
    note = models.CharField(_("uwagi"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("kiedy"), default=timezone.now)

    class Meta:
        verbose_name = _("zdarzenie procesu")
        verbose_name_plural = _("historia procesów")
        ordering = ["process", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} – {self.process}"
