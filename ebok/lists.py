"""Sorting, paginating and rendering the portal's lists (whole page, or the list partial)."""

from __future__ import annotations

import functools
import html
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Page, Paginator
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import get_template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.cache import patch_vary_headers

PAGE_SIZE = 25

Orderings = Mapping[str, Sequence[str]]


def order_by_key(queryset: QuerySet, key: str, orderings: Orderings) -> QuerySet:
    """Order by a named key; "-key" reverses every field of it (nulls last either way).

    The last field of each ordering should be unique (e.g. "pk") so pages never overlap.
    """
    descending = key.startswith("-")
    fields = orderings[key.removeprefix("-")]
    expressions = []
    for field in fields:
        field_descending = field.startswith("-") != descending
        name = field.removeprefix("-")
        expression = F(name)
        if field_descending:
            # NULLS LAST only where a NULL can occur: on a NOT NULL column it changes nothing
            # but stops PostgreSQL from reading an index backwards (`ORDER BY issue_date DESC
            # LIMIT 25` becomes a sort of every row of the company).
            nulls_last = _nullable(queryset.model, name)
            expressions.append(expression.desc(nulls_last=nulls_last or None))
        else:
            expressions.append(expression.asc(nulls_last=True))
    return queryset.order_by(*expressions)


def _nullable(model, path: str) -> bool:
    """Can `path` ("number", "contract__number", an annotation...) be NULL? Unknown: yes."""
    if path == "pk":
        return False
    try:
        for part in path.split("__"):
            field = model._meta.get_field(part)
            if field.null:
                return True
            if not field.is_relation:
                return False
            model = field.related_model
    except FieldDoesNotExist:
        return True
    return False


def paginate(
    queryset: QuerySet, page_number: int, per_page: int = PAGE_SIZE, *, count: int | None = None
) -> Page:
    """A page that always exists: past the last page means the last page.

    `count`: the number of rows of `queryset` when the view already has it (e.g. from the
    list's totals), which spares the paginator its own COUNT query.
    """
    paginator = Paginator(queryset, per_page)
    if count is not None:
        paginator.count = count  # a cached_property: set, it is never computed
    return paginator.get_page(page_number)


def render_list(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    partial: str,
    targets: Mapping[str, str] | None = None,
) -> HttpResponse:
    """The whole page, or only the partial an HTMX request replaces.

    `targets` maps the id of the element being replaced (HX-Target) to its partial, for pages
    with more than one updatable area; any other HTMX request gets `partial`. A partial is a
    `{% partialdef %}` of `template` ("results"), or a template of its own for a part the page
    includes ("contracts/_fees_tab.html", "contracts/_fees_tab.html#results"): partial names
    have no "/". History restores (back button after htmx's cache expired) get the whole page,
    as they must.
    """
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request:
        name = (targets or {}).get(htmx.target or "", partial)
        template = name if "/" in name else f"{template}#{name}"
    response = render(request, template, context)
    # The same URL answers with a page or a fragment: caches must keep them apart.
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


def pk_url(view_name: str) -> Callable[[int], str]:
    """`reverse(view_name, args=[pk])` for every row of a list, without a reverse() per row.

    For URLs whose only argument is an integer primary key (`<int:pk>`).
    """
    prefix, suffix = _pk_url_parts(view_name, get_urlconf(), get_script_prefix())
    return lambda pk: f"{prefix}{int(pk)}{suffix}"


@functools.lru_cache(maxsize=128)
def _pk_url_parts(view_name: str, urlconf: str | None, script_prefix: str) -> tuple[str, str]:
    # What reverse() depends on is in the arguments: the URLconf and the script prefix.
    marker = 987654321987
    url = reverse(view_name, urlconf=urlconf, args=[marker])
    prefix, found, suffix = url.partition(str(marker))
    if not found:
        raise ValueError(f"{view_name} does not take a primary key")
    return prefix, suffix


# --- Rows built in Python -------------------------------------------------------------------
# The biggest tables build their rows in Python where `make bench` shows template rows would put
# their page over its target (the figures are beside each one, in contracts.templatetags and
# invoices.templatetags). These helpers keep what little markup those rows share in templates.


def escape(value: object) -> str:
    """Django's `escape` (same output) without its lazy-string wrapper: called per cell."""
    return html.escape(str(value))


class RenderedOnce:
    """A small template (a status badge) rendered once per variant for a whole table.

    `get(key, **context)` renders `template_name` with `context` the first time `key` is asked
    for, and returns the same HTML for that key afterwards: the key must name everything the
    template reads from `context` (a badge has a handful of variants; a table up to 120 rows).
    """

    def __init__(self, template_name: str) -> None:
        self.template = get_template(template_name)
        self.rendered: dict[Hashable, str] = {}

    def get(self, key: Hashable, **context: Any) -> str:
        text = self.rendered.get(key)
        if text is None:
            text = self.rendered[key] = self.template.render(context).strip()
        return text
