"""Reads of applications and cases, always scoped to the signed-in client user.

A user sees their company's applications; a user restricted to chosen contracts sees those
about their contracts and the ones without a contract they submitted themselves. A draft
(waiting for its SMS code) is seen only by its author. Another company's application, or
one the user may not see, is a 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from contracts.models import Contract
from contracts.selectors import user_sees_all_contracts, visible_contracts
from ebok.lists import order_by_key

from .models import Application, Attachment, RequestType

APPLICATION_ORDERINGS = {
    "number": ("number", "pk"),
    "submitted": ("submitted_at", "pk"),
    "updated": ("updated_at", "pk"),
    "status": ("status", "pk"),
    "contract": ("contract__number", "pk"),
}
UNREAD = "unread"
OPEN = "open"


@dataclass(frozen=True)
class ApplicationFilters:
    q: str | None = None
    kind: str | None = None
    status: str | None = None
    request_type: str | None = None
    contract: str | None = None
    submitted_from: dt.date | None = None
    submitted_to: dt.date | None = None
    sort: str = "-updated"


def visible_applications(*, user) -> QuerySet[Application]:
    applications = Application.objects.filter(company_id=user.company_id)
    if not user_sees_all_contracts(user):
        applications = applications.filter(
            Q(contract__restricted_users=user) | Q(contract__isnull=True, submitted_by=user)
        )
    return applications.exclude(~Q(submitted_by=user), status=Application.Status.DRAFT)


def application_list(*, user, filters: ApplicationFilters) -> QuerySet[Application]:
    # The list shows no answers, texts or fee: what only the detail needs is left in the table.
    applications = (
        visible_applications(user=user)
        .select_related("request_type", "contract")
        .defer("values", "body", "contract__net_value")
    )
    if filters.q:
        applications = applications.filter(
            Q(number__icontains=filters.q) | Q(subject__icontains=filters.q)
        )
    if filters.kind:
        applications = applications.filter(kind=filters.kind)
    if filters.status == UNREAD:
        applications = applications.filter(client_unread__gt=0)
    elif filters.status == OPEN:
        applications = applications.filter(status__in=Application.OPEN_STATUSES)
    elif filters.status:
        applications = applications.filter(status=filters.status)
    if filters.request_type:
        applications = applications.filter(request_type__code=filters.request_type)
    if filters.contract:
        applications = applications.filter(contract__number__icontains=filters.contract)
    if filters.submitted_from:
        applications = applications.filter(created_at__date__gte=filters.submitted_from)
    if filters.submitted_to:
        applications = applications.filter(created_at__date__lte=filters.submitted_to)
    return order_by_key(applications, filters.sort, APPLICATION_ORDERINGS)


def get_application_for_user(*, user, pk: int) -> Application:
    application = (
        visible_applications(user=user)
        .select_related("request_type", "contract", "submitted_by", "request_type__fee")
        .filter(pk=pk)
        .first()
    )
    if application is None:
        raise Http404
    return application


def application_history(application: Application):
    return application.history.select_related("by").order_by("at", "id")


def application_thread(application: Application) -> list:
    """The messages, each with its attachments (two queries whatever the length)."""
    messages = list(application.messages.select_related("author").order_by("created_at", "id"))
    by_message: dict[int, list[Attachment]] = {}
    for attachment in application.attachments.filter(message__isnull=False).order_by("id"):
        by_message.setdefault(attachment.message_id, []).append(attachment)
    for message in messages:
        message.files = by_message.get(message.pk, [])
    return messages


def application_files(application: Application) -> QuerySet[Attachment]:
    """The files sent with the application itself (not with a message)."""
    return application.attachments.filter(message__isnull=True).order_by("id")


def get_attachment_for_user(*, user, pk: int) -> Attachment:
    attachment = (
        Attachment.objects.filter(pk=pk, application__in=visible_applications(user=user))
        .exclude(application__status=Application.Status.DRAFT, from_lessor=True)
        .first()
    )
    if attachment is None:
        raise Http404
    return attachment


def unread_count(*, user) -> int:
    """Events the lessor added that nobody of the company has opened yet (the menu badge)."""
    total = visible_applications(user=user).aggregate(total=Sum("client_unread"))["total"]
    return total or 0


def open_and_unread(*, user) -> tuple[int, int]:
    """For the dashboard tile, in one query: requests still open, lessor events not read."""
    figures = visible_applications(user=user).aggregate(
        open=Count("pk", filter=Q(status__in=Application.OPEN_STATUSES)),
        unread=Sum("client_unread"),
    )
    return figures["open"], figures["unread"] or 0


def request_types() -> QuerySet[RequestType]:
    return (
        RequestType.objects.filter(active=True).select_related("fee").order_by("order", "name_pl")
    )


def get_request_type(code: str | None) -> RequestType | None:
    if not code:
        return None
    return request_types().prefetch_related("fields").filter(code=code).first()


def contracts_for_type(*, user, request_type: RequestType | None) -> QuerySet[Contract]:
    """The user's contracts an application of `request_type` may be about."""
    contracts = visible_contracts(user=user).order_by("-start_date", "number")
    if request_type is not None:
        if request_type.contract_statuses:
            contracts = contracts.filter(status__in=request_type.contract_statuses)
        if request_type.contract_kinds:
            contracts = contracts.filter(kind__in=request_type.contract_kinds)
    return contracts


def contract_registrations(contract: Contract | None) -> list[str]:
    if contract is None:
        return []
    plates = contract.assets.exclude(registration_number="").values_list(
        "registration_number", flat=True
    )
    return sorted({plate.replace(" ", "").upper() for plate in plates})
