from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Message(models.Model):
    """One notification in the outbox: a row first, delivered by a task after commit.

    The row is the record of what was sent (or why not). Rows of sensitive messages (one-time
    codes and passwords) have their body redacted once a real gateway has delivered them.
    """

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("e-mail")
        INBOX = "inbox", _("skrzynka w portalu")

    class Status(models.TextChoices):
        QUEUED = "queued", _("w kolejce")
        SENT = "sent", _("wysłana")
        FAILED = "failed", _("błąd")

    channel = models.CharField(_("kanał"), max_length=8, choices=Channel.choices)
    recipient = models.CharField(_("odbiorca"), max_length=254)
    subject = models.CharField(_("temat"), max_length=200, blank=True)
    body = models.TextField(_("treść"))
    html_body = models.TextField(_("treść HTML"), blank=True)
    # A string reference: notifications sits below accounts and never imports it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("użytkownik"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
    )
    sensitive = models.BooleanField(
        _("poufna treść"),
        default=False,
        help_text=_("Kody i hasła jednorazowe: treść usuwana po doręczeniu przez bramkę."),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("próby doręczenia"), default=0)
    error = models.TextField(_("ostatni błąd"), blank=True)
    dedupe_key = models.CharField(
        _("klucz deduplikacji"), max_length=200, unique=True, null=True, blank=True
    )
    provider_id = models.CharField(_("identyfikator u dostawcy"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("utworzono"), default=timezone.now, db_index=True)
    next_attempt_at = models.DateTimeField(_("następna próba"), default=timezone.now)
    sent_at = models.DateTimeField(_("wysłano"), null=True, blank=True)

    class Meta:
        verbose_name = _("wiadomość")
        verbose_name_plural = _("wiadomości (outbox)")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="queued"),
                name="message_queued_due_idx",
            ),
            models.Index(
                fields=["user", "channel", "-created_at"], name="message_user_channel_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient} ({self.get_status_display()})"
