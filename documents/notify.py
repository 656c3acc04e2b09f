"""The document exchange's notification events and who receives them.

Every client user who may read a process hears of it: the company's active users who see all
its contracts, and those restricted to the process's contract. Texts are templates under
templates/notifications/documents_<event>/; users choose channels on their preferences page.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

TO_SIGN = "documents.to_sign"
TO_RECEIVE = "documents.to_receive"
NEW_PROCESS = "documents.new_process"
NEW_VERSION = "documents.new_version"
NEW_COMMENT = "documents.new_comment"
UNREAD = "documents.unread"


def register_events() -> None:
    from notifications.events import Event, register

    for event in (
        Event(TO_SIGN, _("Nowy dokument do podpisu"), group="documents", sms_default=True),
        Event(TO_RECEIVE, _("Nowy dokument do odebrania"), group="documents", sms_default=True),
        Event(
            NEW_PROCESS,
            _("Nowy proces w module dokumentów"),
            group="documents",
            email_default=False,
        ),
        Event(NEW_VERSION, _("Nowa wersja dokumentu"), group="documents", sms_default=True),
        Event(NEW_COMMENT, _("Nowy komentarz do dokumentu"), group="documents", sms_default=True),
        Event(
            UNREAD,
            _("Przypomnienie o nieprzeczytanym dokumencie"),
            group="documents",
            sms_default=True,
        ),
    ):
        register(event)


def readers(process) -> QuerySet:
    """The client users who may read `process` (one query)."""
    sees_all = Q(contracts_restricted=False) | Q(is_company_admin=True)
    who = sees_all | Q(allowed_contracts=process.contract_id) if process.contract_id else sees_all
    return (
        get_user_model()
        .objects.filter(company_id=process.company_id, is_active=True)
        .filter(who)
        .distinct()
        .order_by("pk")
    )


def context_of(process, **extra) -> dict:
    return {
        "title": process.title,
        "kind": process.get_kind_display(),
        "contract": process.contract.number if process.contract_id else "",
        **extra,
    }


def link_of(process) -> str:
    return reverse("documents:detail", args=[process.pk])


def _emit(code: str, process, *, key: str, **extra) -> None:
    from notifications.events import Recipient, emit_many

    context, link = context_of(process, **extra), link_of(process)
    emit_many(code, [Recipient(user, context, key, link) for user in readers(process)])


def process_created(process) -> None:
    kind_event = TO_SIGN if process.kind == process.Kind.SIGN else TO_RECEIVE
    _emit(kind_event, process, key=f"process-{process.pk}")
    _emit(NEW_PROCESS, process, key=f"process-{process.pk}")


def version_published(process, version) -> None:
    _emit(NEW_VERSION, process, key=f"version-{version.pk}", number=version.number)


def comment_added(process, comment) -> None:
    _emit(NEW_COMMENT, process, key=f"comment-{comment.pk}")
