"""The company audit log as an Excel report (ebok.exports registry; big logs run as a job)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ebok import exports
from ebok.exports import CHUNK, dated_filename, params_querydict
from ebok.xlsx import Column, Kind

from .. import selectors
from ..audit import action_label, actor_label, details_text
from ..permissions import Perm, has_perm
from .forms import AuditFilterForm


def _entries(user, params):
    form = AuditFilterForm(params_querydict(params), company=user.company)
    return selectors.company_audit_list(company=user.company, filters=form.filters())


def _columns() -> list[Column]:
    return [
        Column(_("Data i godzina"), Kind.DATETIME),
        Column(_("Użytkownik"), width=28),
        Column(_("Zdarzenie"), width=36),
        Column(_("Obiekt"), width=28),
        Column(_("Adres IP"), width=16),
        Column(_("Przeglądarka"), width=30),
        Column(_("Szczegóły"), width=60),
    ]


def _rows(entries) -> Iterator[tuple[Any, ...]]:
    for entry in entries.iterator(chunk_size=CHUNK):
        # One real date-time cell (sortable, filterable), in Polish time; Excel has no zones.
        when = timezone.localtime(entry.created_at).replace(tzinfo=None, microsecond=0)
        yield (
            when,
            actor_label(entry),
            action_label(entry.action),
            entry.object_repr,
            entry.ip or "",
            entry.user_agent,
            details_text(entry, limit=2000),
        )


COMPANY_AUDIT = exports.queryset_report(
    key="company_audit",
    title=lambda: _("Dziennik zdarzeń"),
    filename=dated_filename(gettext_lazy("Dziennik_zdarzen")),
    columns=_columns,
    queryset=_entries,
    rows=_rows,
    allowed=lambda user: has_perm(user, Perm.ADMIN),
)


def register_reports() -> None:
    exports.register(COMPANY_AUDIT)
