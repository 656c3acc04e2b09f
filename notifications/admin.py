from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ebok.admin_tools import action_form_response, action_form_submitted, run_for_each

from .models import Message, NotificationSettings
from .services import MessageStateError, message_cancel, message_confirm_sent, message_retry


class RetryForm(forms.Form):
    accept_duplicate = forms.BooleanField(
        label=gettext_lazy("Rozumiem, że odbiorca może dostać wiadomość dwa razy"),
        required=False,
        help_text=gettext_lazy(
            "Wymagane dla wiadomości o nieznanym wyniku: mogły już dotrzeć do odbiorcy "
            "(proces wysyłający przerwał pracę po przekazaniu ich dostawcy). Zanim ponowisz, "
            "sprawdź w konsoli dostawcy, czy wiadomość wyszła; jeśli tak, użyj akcji "
            "„Potwierdź wysłanie”."
        ),
    )

    def __init__(self, *args, uncertain: int = 0, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["accept_duplicate"].required = bool(uncertain)


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """The outbox as a record: staff read it and settle what needs a decision (retry a failed
    or uncertain message, cancel a queued one, confirm an uncertain one sent); never edit it."""

    list_display = [
        "created_at",
        "channel",
        "recipient",
        "short_body",
        "status",
        "provider_status",
        "attempts",
    ]
    list_filter = ["status", "channel", "event", "created_at", "sent_at"]
    search_fields = ["recipient", "subject", "dedupe_key", "provider_id", "user__username"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Message._meta.fields]
    list_select_related = ["user"]
    actions = ["retry", "cancel", "confirm_sent"]

    @admin.display(description=gettext_lazy("treść"))
    def short_body(self, obj: Message) -> str:
        return obj.body if len(obj.body) <= 60 else obj.body[:57] + "…"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.action(
        description=gettext_lazy("Ponów wysyłkę (błąd, niedoręczona, wynik nieznany)"),
        permissions=["change"],
    )
    def retry(self, request: HttpRequest, queryset: QuerySet[Message]) -> HttpResponse | None:
        selected = queryset.order_by("pk")
        uncertain = selected.filter(status=Message.Status.UNCERTAIN).count()
        form = RetryForm(
            request.POST if action_form_submitted(request) else None, uncertain=uncertain
        )
        if not form.is_valid():
            intro = _("Wiadomości zostaną wysłane ponownie.")
            if uncertain:
                intro = _(
                    "Uwaga: wiadomości o nieznanym wyniku wysyłki wśród zaznaczonych: "
                    "%(count)d. Mogły już dotrzeć do odbiorcy i po ponowieniu dotrą drugi raz."
                ) % {"count": uncertain}
            return action_form_response(
                self,
                request,
                selected,
                form,
                title=_("Ponowić wysyłkę?"),
                action="retry",
                submit_label=_("Ponów wysyłkę"),
                intro=intro,
            )
        accept = form.cleaned_data["accept_duplicate"]
        self._settle(
            request,
            selected,
            lambda message: message_retry(message=message, accept_duplicate=accept),
            _("Ponowiono wysyłkę"),
            success=_("Ponowiono wysyłkę: %(count)d."),
        )
        return None

    @admin.action(description=gettext_lazy("Anuluj wiadomości w kolejce"), permissions=["change"])
    def cancel(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        self._settle(
            request,
            queryset.order_by("pk"),
            lambda message: message_cancel(message=message),
            _("Anulowano wysyłkę"),
            success=_("Anulowano: %(count)d."),
        )

    @admin.action(
        description=gettext_lazy("Potwierdź wysłanie (wynik nieznany, sprawdzone u dostawcy)"),
        permissions=["change"],
    )
    def confirm_sent(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        self._settle(
            request,
            queryset.order_by("pk"),
            lambda message: message_confirm_sent(message=message),
            _("Potwierdzono wysłanie"),
            success=_("Potwierdzono wysłanie: %(count)d."),
        )

    def _settle(self, request, messages_, operation, log_text: str, *, success: str) -> None:
        def settle(message: Message) -> None:
            operation(message)
            # Staff decisions about a delivery are kept in the admin's history of the row.
            self.log_change(request, message, log_text)

        run_for_each(
            self,
            request,
            messages_,
            settle,
            errors=(MessageStateError,),
            success=success,
        )


@admin.register(NotificationSettings)
class NotificationSettingsAdmin(admin.ModelAdmin):
    """Users' choices, for staff answering "why did I (not) get it": users and their company
    administrators change them in the portal (audited there)."""

    list_display = ["user", "payment_due_days", "quiet_from", "quiet_to", "language", "updated_at"]
    search_fields = ["user__username", "user__email", "user__last_name"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
