from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Message
from .services import message_queue_delivery


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """The outbox as a record: staff read it and may re-queue failed rows, never edit them."""

    list_display = ["created_at", "channel", "recipient", "short_body", "status", "attempts"]
    list_filter = ["channel", "status", "created_at"]
    search_fields = ["recipient", "subject", "dedupe_key", "provider_id", "user__username"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Message._meta.fields]
    list_select_related = ["user"]
    actions = ["requeue"]

    @admin.display(description=_("treść"))
    def short_body(self, obj: Message) -> str:
        return obj.body if len(obj.body) <= 60 else obj.body[:57] + "…"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.action(description=_("Ponów wysyłkę wybranych wiadomości"))
    def requeue(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        ids = list(queryset.exclude(status=Message.Status.SENT).values_list("pk", flat=True))
        Message.objects.filter(pk__in=ids).update(
            status=Message.Status.QUEUED, next_attempt_at=timezone.now(), attempts=0
        )
        for message_id in ids:
            message_queue_delivery(message_id)
        self.message_user(
            request, _("Ponowiono wysyłkę: %(n)d.") % {"n": len(ids)}, messages.SUCCESS
        )
