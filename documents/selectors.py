"""Reads of the document exchange, always scoped to the signed-in client user.

A user sees the company's processes; a user restricted to chosen contracts sees only those
of their contracts (a company-level process, without a contract, belongs to none of them, as
company-level invoices do). Anything else answers 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from contracts.selectors import user_sees_all_contracts
from ebok.lists import order_by_key

from .models import (
    DocumentComment,
    DocumentEvent,
    DocumentProcess,
    DocumentVersion,
    client_unread_q,
)

Kind = DocumentProcess.Kind
Status = DocumentProcess.Status

# The three lists of "Dokumenty": what waits for a signature, what arrived to be received,
# and everything finished.
SECTIONS = ("sign", "receive", "archive")

PROCESS_ORDERINGS = {
    "updated": ("staff_activity_at", "pk"),
    "created": ("created_at", "pk"),
    "title": ("title", "pk"),
    "contract": ("contract__number", "pk"),
    "status": ("status", "pk"),
}


def visible_processes(*, user) -> QuerySet[DocumentProcess]:
    processes = DocumentProcess.objects.filter(company_id=user.company_id)
    if not user_sees_all_contracts(user):
        processes = processes.filter(contract__restricted_users=user)
    return processes


@dataclass(frozen=True)
class ProcessFilters:
    section: str = "sign"
    q: str | None = None  # words of the title
    contract: str | None = None  # part of a contract number
    status: str | None = None
    category: str | None = None
    kind: str | None = None  # the archive: to sign or to receive
    unread: bool = False
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sort: str = "-updated"


def section_filter(section: str) -> Q:
    if section == "sign":
        return Q(kind=Kind.SIGN, status__in=DocumentProcess.OPEN)
    if section == "receive":
        return Q(kind=Kind.RECEIVE)
    return Q(status__in=(Status.DONE, Status.REJECTED))


def process_list(*, user, filters: ProcessFilters) -> QuerySet[DocumentProcess]:
    processes = visible_processes(user=user).filter(section_filter(filters.section))
    if filters.q:
        processes = processes.filter(title__icontains=filters.q)
    if filters.contract:
        processes = processes.filter(contract__number__icontains=filters.contract)
    if filters.status:
        processes = processes.filter(status=filters.status)
    if filters.category:
        processes = processes.filter(category=filters.category)
    if filters.kind:
        processes = processes.filter(kind=filters.kind)
    if filters.unread:
        processes = processes.filter(client_unread_q())
    tz = timezone.get_current_timezone()
    if filters.date_from:
        start = dt.datetime.combine(filters.date_from, dt.time.min, tzinfo=tz)
        processes = processes.filter(created_at__gte=start)
    if filters.date_to:
        end = dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        processes = processes.filter(created_at__lt=end)
    # A correlated count: the paginator's COUNT leaves it out (no join, no GROUP BY).
    versions = (
        DocumentVersion.objects.filter(process=OuterRef("pk"))
        .order_by()
        .annotate(n=Func(F("pk"), function="COUNT"))
        .values("n")
    )
    processes = processes.select_related("contract").annotate(
        version_count=Subquery(versions, output_field=IntegerField())
    )
    return order_by_key(processes, filters.sort, PROCESS_ORDERINGS)


def unread_counts(*, user, fresh: bool = False) -> dict[str, int]:
    """Unread processes per section, for the navigation and the tabs (one query, kept on the
    request's user object so the menu and the tabs share it)."""
    if not fresh and (known := getattr(user, "_documents_unread", None)) is not None:
        return known
    unread = visible_processes(user=user).filter(client_unread_q())
    counts = unread.aggregate(
        sign=Count("pk", filter=section_filter("sign")),
        receive=Count("pk", filter=section_filter("receive")),
    )
    user._documents_unread = {"sign": counts["sign"] or 0, "receive": counts["receive"] or 0}
    return user._documents_unread


def get_process_for_user(*, user, pk: int) -> DocumentProcess:
    return get_object_or_404(
        visible_processes(user=user).select_related("contract", "received_by", "signed_version"),
        pk=pk,
    )


def get_version_for_user(*, user, pk: int, version_pk: int) -> DocumentVersion:
    """A version of a process the user may see (404 for anyone else's)."""
    return get_object_or_404(
        DocumentVersion.objects.filter(process__in=visible_processes(user=user)).select_related(
            "process"
        ),
        pk=version_pk,
        process_id=pk,
    )


def process_versions(process: DocumentProcess) -> list[DocumentVersion]:
    return list(process.versions.select_related("author", "signs_version").order_by("-number"))


def process_thread(process: DocumentProcess) -> list[DocumentComment]:
    return list(process.comments.select_related("author", "version").order_by("created_at", "pk"))


def process_history(process: DocumentProcess) -> list[DocumentEvent]:
    return list(process.events.select_related("actor").order_by("created_at", "pk"))
