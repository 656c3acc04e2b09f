"""Template tags for the portal's lists: sortable column headers."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag(takes_context=True)
def sort_header(context, form, key: str, label: str, css: str = ""):
    """A `<th>` whose link sorts the list by `key` (again: reversed), keeping the filters.

    The link is a real href (works without JavaScript) and an hx-get; the list container
    decides where the answer goes (hx-target / hx-swap / hx-push-url are inherited).
    """
    request = context["request"]
    current = form.sort_key
    if current == key:
        target, state = f"-{key}", "ascending"
    elif current == f"-{key}":
        target, state = key, "descending"
    else:
        target, state = key, None
    query = request.GET.copy()
    query["sort"] = target
    query.pop("page", None)
    url = f"?{query.urlencode()}"
    icon = {"ascending": "bi-sort-up", "descending": "bi-sort-down"}.get(state, "bi-arrow-down-up")
    hint = _("sortuj malejąco") if state == "ascending" else _("sortuj rosnąco")
    return format_html(
        '<th scope="col" class="{}"{}><a class="ebok-sort" href="{}" hx-get="{}" title="{}">'
        '{}\u00a0<i class="bi {}" aria-hidden="true"></i></a></th>',
        css,
        format_html(' aria-sort="{}"', state) if state else "",
        url,
        url,
        hint,
        label,
        icon,
    )
