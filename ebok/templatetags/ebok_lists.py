"""Template tags for the portal's lists: sortable column headers, filter fields."""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
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


@register.simple_tag
def filter_field(field) -> SafeString:
    """One field of a list's filter form: label, widget, errors (templates/ebok/_field.html).

    A tag rather than an include: the filter forms have up to eight fields on pages that
    should render in a few milliseconds.
    """
    errors = "".join(
        f'<div class="invalid-feedback">{conditional_escape(error)}</div>' for error in field.errors
    )
    return mark_safe(  # every part escaped (the widget renders itself safely)
        f'<label class="form-label" for="{conditional_escape(field.id_for_label)}">'
        f"{conditional_escape(field.label)}</label>\n{field}\n{errors}\n"
    )
