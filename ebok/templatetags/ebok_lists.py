"""Template tags for the portal's lists: sortable column headers, the filter form, its fields."""

from __future__ import annotations

from django import template
from django.template.base import token_kwargs
from django.utils.html import format_html
from django.utils.safestring import mark_safe
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


@register.inclusion_tag("ebok/_field.html")
def filter_field(field) -> dict:
    """One field of a list's filter form: label, widget, errors (templates/ebok/_field.html)."""
    return {"field": field}


@register.tag
def filter_form(parser, token):
    """A list's filter form with its fields (templates/ebok/_filter_form.html): the "Filtry"
    toggle for phones, the form that answers through HTMX, the filter / reset buttons.

        {% filter_form "payment-filter" results="payment-list" %}...fields...{% endfilter_form %}

    `results`: the id of the list the answer replaces. `search=False`: no text field to react
    to while typing. On a tab of the contract page, `tab_url=<the tab's url>` instead: the
    answer replaces the tab's results (#tab-results) and the tab sets how it is swapped.
    """
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("filter_form needs the form's id")
    form_id = parser.compile_filter(bits[1])
    options = token_kwargs(bits[2:], parser)
    if len(options) != len(bits) - 2:
        raise template.TemplateSyntaxError("filter_form takes name=value options only")
    nodelist = parser.parse(("endfilter_form",))
    parser.delete_first_token()
    return FilterFormNode(form_id, options, nodelist)


class FilterFormNode(template.Node):
    def __init__(self, form_id, options, nodelist) -> None:
        self.form_id = form_id
        self.options = options
        self.nodelist = nodelist

    def render(self, context) -> str:
        values = {"search": True, "tab_url": "", "results": ""}
        values.update({key: value.resolve(context) for key, value in self.options.items()})
        values["form_id"] = self.form_id.resolve(context)
        values["fields"] = mark_safe(self.nodelist.render(context))  # rendered, so escaped
        form_template = context.template.engine.get_template("ebok/_filter_form.html")
        with context.push(**values):
            return form_template.render(context)
