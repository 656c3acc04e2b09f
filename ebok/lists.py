"""Sorting, paginating and rendering the portal's lists (whole page, or the list partial)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Page, Paginator
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
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


def paginate(queryset: QuerySet, page_number: int, per_page: int = PAGE_SIZE) -> Page:
    """A page that always exists: past the last page means the last page."""
    return Paginator(queryset, per_page).get_page(page_number)


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
    with more than one updatable area; any other HTMX request gets `partial`. History restores
    (back button after htmx's cache expired) get the whole page, as they must.
    """
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request:
        name = (targets or {}).get(htmx.target or "", partial)
        template = f"{template}#{name}"
    response = render(request, template, context)
    # The same URL answers with a page or a fragment: caches must keep them apart.
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response
