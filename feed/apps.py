from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedConfig(AppConfig):
    name = "feed"
    verbose_name = _("Zasilanie z systemu źródłowego")

    def ready(self) -> None:
        from accounts.audit import register_actions

        from .models import AuditAction

        register_actions(AuditAction.LABELS)
