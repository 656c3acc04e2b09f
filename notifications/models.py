from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DEFAULT_PAYMENT_DUE_DAYS = 7


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
        # The life of a row: queued -> sending (claimed by a worker) -> sent (the provider took
        # it) -> delivered / undelivered (the provider's delivery report), or failed. A row left
        # "sending" by a worker that died mid-send becomes "uncertain": it may or may not have
        # gone out, so it is never resent blindly (a delivery report or staff settle it).
        QUEUED = "queued", _("w kolejce")
        SENDING = "sending", _("w trakcie wysyłki")
        UNCERTAIN = "uncertain", _("wynik nieznany")
        SENT = "sent", _("wysłana")
        DELIVERED = "delivered", _("doręczona")
        UNDELIVERED = "undelivered", _("niedoręczona")
        FAILED = "failed", _("błąd")
        CANCELLED = "cancelled", _("anulowana")

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
        _("status"), max_length=12, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("próby doręczenia"), default=0)
    error = models.TextField(_("ostatni błąd"), blank=True)
    dedupe_key = models.CharField(
        _("klucz deduplikacji"), max_length=200, unique=True, null=True, blank=True
    )
    provider_id = models.CharField(_("identyfikator u dostawcy"), max_length=64, blank=True)
    provider_status = models.CharField(
        _("status u dostawcy"),
        max_length=32,
        blank=True,
        help_text=_("Z raportu doręczenia dostawcy (np. Twilio: sent, delivered, undelivered)."),
    )
    created_at = models.DateTimeField(_("utworzono"), default=timezone.now, db_index=True)
    next_attempt_at = models.DateTimeField(_("następna próba"), default=timezone.now)
    sent_at = models.DateTimeField(_("wysłano"), null=True, blank=True)
    # When a worker last claimed the row for sending; it is also that attempt's token: only the
    # worker holding this claim records the outcome (staff may have re-queued the row since).
    claimed_at = models.DateTimeField(_("pobrano do wysyłki"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("doręczono"), null=True, blank=True)
    # The event that caused it (notifications.events), "" for sign-in codes and the like.
    event = models.CharField(_("zdarzenie"), max_length=64, blank=True)
    link = models.CharField(_("odnośnik w portalu"), max_length=300, blank=True)
    read_at = models.DateTimeField(_("przeczytano w portalu"), null=True, blank=True)
    # The rows of one notification (one event for one user, sent by e-mail and SMS) share a
    # bundle; the inbox lists the notification once, by its `listed` row (the e-mail when
    # there is one, else the SMS) and reads or marks the bundle as a whole.
    bundle = models.UUIDField(_("powiadomienie"), null=True, blank=True, editable=False)
    listed = models.BooleanField(_("na liście wiadomości"), default=True)

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
            # The unread count in the navigation.
            models.Index(
                fields=["user"],
                condition=Q(read_at__isnull=True, listed=True) & ~Q(event=""),
                name="message_user_unread_idx",
            ),
            # The other channels of the notifications on an inbox page.
            models.Index(
                fields=["bundle"], condition=Q(bundle__isnull=False), name="message_bundle_idx"
            ),
            # The sweep looks for claims that outlived their worker.
            models.Index(
                fields=["claimed_at"],
                condition=Q(status="sending"),
                name="message_sending_claimed_idx",
            ),
            # Delivery reports configured without the message id find the row by Twilio's SID.
            models.Index(
                fields=["provider_id"], condition=~Q(provider_id=""), name="message_provider_id_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient} ({self.get_status_display()})"


class NotificationSettings(models.Model):
    """One user's choices: channels per event, payment reminder lead time, SMS quiet hours.

    A user without a row (or an event missing from `channels`) has the event's defaults.
    `channels` maps an event code to {"sms": bool, "email": bool}.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("użytkownik"),
        on_delete=models.CASCADE,
        related_name="notification_settings",
    )
    channels = models.JSONField(_("kanały zdarzeń"), default=dict, blank=True)
    payment_due_days = models.PositiveSmallIntegerField(
        _("przypomnienie o płatności (dni przed terminem)"),
        default=DEFAULT_PAYMENT_DUE_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    quiet_from = models.TimeField(_("cisza SMS od"), null=True, blank=True)
    quiet_to = models.TimeField(_("cisza SMS do"), null=True, blank=True)
    language = models.CharField(_("język wiadomości"), max_length=8, blank=True)
    updated_at = models.DateTimeField(_("zmieniono"), auto_now=True)

    class Meta:
        verbose_name = _("ustawienia powiadomień")
        verbose_name_plural = _("ustawienia powiadomień")
        constraints = [
            models.CheckConstraint(
                condition=Q(payment_due_days__gte=1, payment_due_days__lte=30),
                name="notification_settings_lead_days_range",
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)
