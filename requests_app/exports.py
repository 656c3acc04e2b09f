"""The Excel report of "Wnioski i sprawy": the list's rows as filtered on screen (all pages)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.permissions import Perm, has_perm
from ebok import exports
from ebok.exports import CHUNK, choice_labels, dated_filename, params_querydict
from ebok.xlsx import Column, Kind

from . import selectors
from .forms import ApplicationFilterForm
from .models import Application, RequestType


def _applications(user, params) -> QuerySet[Application]:
    form = ApplicationFilterForm(params_querydict(params))
    return selectors.application_list(user=user, filters=form.filters())


def _columns() -> list[Column]:
    return [
        Column(_("Numer"), width=18),
        Column(_("Rodzaj"), width=16),
        Column(_("Rodzaj wniosku / temat"), width=36),
        Column(_("Tytuł"), width=36),
        Column(_("Umowa"), width=18),
        Column(_("Data złożenia"), Kind.DATE),
        Column(_("Ostatnia zmiana"), Kind.DATE),
        Column(_("Status"), width=20),
        Column(_("Nowe odpowiedzi"), Kind.INT),
    ]


def _day(moment):
    return timezone.localdate(moment) if moment else None


def _rows(applications: QuerySet[Application]) -> Iterator[tuple[Any, ...]]:
    kinds = choice_labels(Application.Kind.choices)
    statuses = choice_labels(Application.Status.choices)
    topics = choice_labels(Application.Topic.choices)
    types = {t.pk: t.name for t in RequestType.objects.all()}
    rows = applications.values_list(
        "number",
        "kind",
        "request_type_id",
        "topic",
        "subject",
        F("contract__number"),
        "submitted_at",
        "updated_at",
        "status",
        "client_unread",
    )
    for (
        number,
        kind,
        type_id,
        topic,
        subject,
        contract,
        sent,
        updated,
        status,
        unread,
    ) in rows.iterator(chunk_size=CHUNK):
        yield (
            number,
            kinds.get(kind, kind),
            types.get(type_id) if type_id else topics.get(topic, topic),
            subject,
            contract or "",
            _day(sent),
            _day(updated),
            statuses.get(status, status),
            unread,
        )


APPLICATIONS = exports.queryset_report(
    key="applications",
    title=lambda: _("Wnioski i sprawy"),
    filename=dated_filename(gettext_lazy("Wnioski")),
    columns=_columns,
    queryset=_applications,
    rows=_rows,
    allowed=lambda user: has_perm(user, Perm.REQUESTS),
)


def register_reports() -> None:
    exports.register(APPLICATIONS)
