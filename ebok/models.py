from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExportJob(models.Model):
    """A report too large to write during the request: a Celery task writes the file.

    `kind` names an entry in `ebok.exports` (registered by the app whose data it exports);
    `params` are the list filters the user had on screen, re-applied by that app's selector.
    Only the owner ever sees the job (other users get 404).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("w kolejce")
        RUNNING = "running", _("w trakcie")
        DONE = "done", _("gotowy")
        FAILED = "failed", _("błąd")

    class Failure(models.TextChoices):
        ERROR = "error", _("błąd podczas przygotowania pliku")
        WORKER_LOST = "worker_lost", _("serwer przestał odpowiadać")
        TIMEOUT = "timeout", _("przekroczony czas")
        PERMISSION = "permission", _("brak uprawnień")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("użytkownik"),
        on_delete=models.CASCADE,
        related_name="export_jobs",
    )
    company = models.ForeignKey(
        "accounts.Company",
        verbose_name=_("firma"),
        on_delete=models.CASCADE,
        related_name="export_jobs",
    )
    kind = models.CharField(_("rodzaj raportu"), max_length=40)
    params = models.JSONField(_("parametry"), default=dict, blank=True)
    language = models.CharField(_("język"), max_length=8, default="pl")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    rows_total = models.PositiveIntegerField(_("liczba wierszy"), default=0)
    rows_done = models.PositiveIntegerField(_("zapisane wiersze"), default=0)
    file = models.FileField(_("plik"), upload_to="exports/%Y/%m/", blank=True)
    filename = models.CharField(_("nazwa pliku"), max_length=120, blank=True)
    failure = models.CharField(
        _("przyczyna błędu"), max_length=12, choices=Failure.choices, blank=True
    )
    error = models.TextField(_("błąd"), blank=True)  # technical detail, for staff
    attempts = models.PositiveSmallIntegerField(_("próby"), default=0)
    created_at = models.DateTimeField(_("utworzono"), default=timezone.now, editable=False)
    # When its task was last sent to the broker; a pending job not picked up within a grace
    # (broker down, message lost) is sent again by the sweep.
    queued_at = models.DateTimeField(_("wysłano do kolejki"), default=timezone.now)
    heartbeat_at = models.DateTimeField(_("ostatni znak życia"), null=True, blank=True)
    finished_at = models.DateTimeField(_("zakończono"), null=True, blank=True)

    class Meta:
        verbose_name = _("eksport")
        verbose_name_plural = _("eksporty")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="exportjob_owner_idx"),
            models.Index(fields=["finished_at"], name="exportjob_finished_idx"),
            # The sweep's every-minute scan of unfinished jobs.
            models.Index(
                fields=["status"],
                name="exportjob_unfinished_idx",
                condition=models.Q(status__in=["pending", "running"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M} ({self.status})"

    @property
    def progress(self) -> int:
        """Percent done, 0–100 (a finished job is 100 even when it had no rows)."""
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def is_delayed(self) -> bool:
        """Still waiting well past the moment it was queued (the broker is down or busy)."""
        if self.status != self.Status.PENDING:
            return False
        grace = dt.timedelta(seconds=settings.EXPORT_JOB_QUEUE_GRACE_SECONDS)
        return self.created_at < timezone.now() - grace

    @property
    def can_retry(self) -> bool:
        # Without the permission a new job would fail the same way.
        return self.status == self.Status.FAILED and self.failure != self.Failure.PERMISSION
