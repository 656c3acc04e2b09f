"""A registry of Excel reports the apps offer, so the generic export job can run any of them.

ebok is the bottom layer and knows no domain app: each app registers its reports in its
`AppConfig.ready()`. A report is its columns plus two functions over (user, params): how many
rows there will be and the rows themselves (plain tuples, cheapest first — `values_list`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.db.models import QuerySet
from django.http import QueryDict

from ebok.dates import today as business_today
from ebok.forms import PARAM_MAX_LENGTH, ListFilterForm, without_control_characters
from ebok.xlsx import XLSX_CONTENT_TYPE, Column

Params = dict[str, Any]
# (user, params, binary file to write, on_progress(items done)) -> number of items written
FileWriter = Callable[[Any, Params, IO[bytes], Callable[[int], None]], int]

# Rows a report's `.iterator()` fetches per round trip.
CHUNK = 2000


@dataclass(frozen=True)
class ExportKind:
    key: str
    title: Callable[[], str]  # sheet title, translated when called
    filename: Callable[[Params], str]  # without the extension
    columns: Callable[[], Sequence[Column]]
    count: Callable[[Any, Params], int]
    rows: Callable[[Any, Params], Iterable[Sequence[Any]]]
    allowed: Callable[[Any], bool]  # may this user run it (permission check at run time too)
    # A file other than one Excel sheet (a ZIP of PDFs): writes the whole file to a binary
    # handle, reports the items done to `on_progress` as it goes and returns their number.
    # None: the sheet of `columns` and `rows`.
    write: FileWriter | None = None
    extension: str = "xlsx"
    content_type: str = XLSX_CONTENT_TYPE


def file_export(
    *,
    key: str,
    title: Callable[[], str],
    filename: Callable[[Params], str],
    count: Callable[[Any, Params], int],
    write: FileWriter,
    allowed: Callable[[Any], bool],
    extension: str,
    content_type: str,
) -> ExportKind:
    """A job kind that writes its own file (no sheet columns or rows)."""
    return ExportKind(
        key=key,
        title=title,
        filename=filename,
        columns=lambda: (),
        count=count,
        rows=lambda user, params: (),
        allowed=allowed,
        write=write,
        extension=extension,
        content_type=content_type,
    )


def queryset_report(
    *,
    key: str,
    title: Callable[[], str],
    filename: Callable[[Params], str],
    columns: Callable[[], Sequence[Column]],
    queryset: Callable[[Any, Params], QuerySet],
    rows: Callable[[QuerySet], Iterable[Sequence[Any]]],
    allowed: Callable[[Any], bool],
) -> ExportKind:
    """A report over the rows of one list: `queryset(user, params)` is the list as on screen,
    counted with COUNT and read by `rows(queryset)`."""
    return ExportKind(
        key=key,
        title=title,
        filename=filename,
        columns=columns,
        count=lambda user, params: queryset(user, params).count(),
        rows=lambda user, params: rows(queryset(user, params)),
        allowed=allowed,
    )


def dated_filename(stem: str) -> Callable[[Params], str]:
    """`<stem>_<today>` (`Faktury_2026-11-21`); `stem` may be lazy, it is translated per file."""
    return lambda params: f"{stem}_{business_today():%Y-%m-%d}"


def choice_labels(choices) -> dict[str, str]:
    """`{value: label}` of a field's choices, translated now (once per report, not per row)."""
    return {value: str(label) for value, label in choices}


_registry: dict[str, ExportKind] = {}


def register(kind: ExportKind) -> ExportKind:
    if kind.key in _registry and _registry[kind.key] != kind:
        raise ValueError(f"export kind {kind.key!r} registered twice")
    _registry[kind.key] = kind
    return kind


def get(key: str) -> ExportKind:
    """The registered kind; KeyError for unknown keys (a job whose app was removed)."""
    return _registry[key]


def registered() -> dict[str, ExportKind]:
    return dict(_registry)


# Query parameters that change how a list is shown, not which rows it has.
_IGNORED_PARAMS = {"page"}
# Set by the views from the object in the URL (already checked for the user) and read by the
# reports as trusted ids: never taken from the query string.
RESERVED_PARAMS = frozenset({"contract_id", "number"})
# A raw query string kept for a job: at most this many parameters and values per parameter.
_MAX_KEYS = 30
_MAX_VALUES = 10


def export_params(filters: ListFilterForm | QueryDict, **extra: str | int) -> Params:
    """The list filters as JSON-safe data (`{"status": ["unpaid"], ...}`), plus fixed values.

    `filters` is the list's bound filter form (`ebok.forms.ListFilterForm`): what is kept is
    what it cleaned, bounded. A bare query string is kept bounded too: no reserved key, no
    control character, at most `PARAM_MAX_LENGTH` characters a value; the report's own form
    validates it again when it runs.
    """
    if isinstance(filters, QueryDict):
        params = {
            _printable(key): [_printable(value) for value in values[:_MAX_VALUES]]
            for key, values in list(filters.lists())[:_MAX_KEYS]
            if key not in _IGNORED_PARAMS and key not in RESERVED_PARAMS
        }
    else:
        params = filters.export_params()
    params.update({key: [str(value)] for key, value in extra.items()})
    return params


def _printable(value: str) -> str:
    return without_control_characters(value[: PARAM_MAX_LENGTH * 2])[:PARAM_MAX_LENGTH]


def params_querydict(params: Params) -> QueryDict:
    """Back to what the list's filter form reads."""
    query = QueryDict(mutable=True)
    for key, values in params.items():
        query.setlist(key, list(values))
    return query
