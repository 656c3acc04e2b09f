from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Dokumenty")

    def ready(self) -> None:
        from accounts.audit import register_actions
        from ebok import navigation

        from . import notify, services, tasks

        def unread_documents(user) -> int:
            from .selectors import unread_counts

            return sum(unread_counts(user=user).values())

        navigation.register(
            navigation.NavItem(
                key="documents",
                label=_("Dokumenty"),
                url_name="documents:sign",
                icon="bi-file-earmark-check",
                order=75,
                # Anyone with access to a contract reads its documents; signing needs
                # Perm.DOCUMENTS (checked on the actions).
                visible=lambda user: bool(getattr(user, "company_id", None)),
                badge=unread_documents,
                active_for=("documents:*",),
            )
        )
        register_actions(services.ACTION_LABELS)
        notify.register_events()
        tasks.register_scans()
