"""Filter forms for the portal's lists: always bound to the query string, never trusted.

A bad value (a date that is not a date, an unknown status or sort key, `page=abc`) becomes a
Polish message shown above the list, and the list is shown as if that parameter were absent:
the valid filters still apply, the page never fails.
"""

from __future__ import annotations

import datetime as dt
from html import escape as _html_escape
from typing import Any, ClassVar

from django import forms
from django.http import QueryDict
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]


def conditional_escape(value: Any) -> str:
    # django.utils.html.conditional_escape (same result) without its lazy-string wrapper,
    # which costs more than the escaping itself: this runs for every attribute and option.
    if hasattr(value, "__html__"):
        return value.__html__()
    return _html_escape(str(value))


def _attrs_html(attrs: dict[str, Any]) -> str:
    # django/forms/widgets/attrs.html
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(parts)


class _InputHTML:
    """Renders the markup of Django's input.html template, without the template engine.

    Every list page shows its filter form; through the form renderer each field costs about
    0.3 ms (templates including templates), here a few microseconds. Same output, same escaping.
    """

    def _render(self, template_name, context, renderer=None):
        widget = context["widget"]
        value = ""
        if widget["value"] is not None:
            value = f' value="{conditional_escape(str(widget["value"]))}"'
        return mark_safe(  # every part escaped above
            f'<input type="{conditional_escape(widget["type"])}" '
            f'name="{conditional_escape(widget["name"])}"{value}{_attrs_html(widget["attrs"])}>'
        )


class TextInput(_InputHTML, forms.TextInput):
    pass


class Select(forms.Select):
    """Django's select.html / select_option.html markup, without the template engine."""

    def _render(self, template_name, context, renderer=None):
        widget = context["widget"]
        if any(group_name for group_name, _choices, _index in widget["optgroups"]):
            return super()._render(template_name, context, renderer)  # not used by the lists
        name = conditional_escape(widget["name"])
        html = [f'<select name="{name}"{_attrs_html(widget["attrs"])}>']
        for _group_name, options, _index in widget["optgroups"]:
            for option in options:
                html.append(
                    f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                    f"{_attrs_html(option['attrs'])}>{conditional_escape(option['label'])}</option>\n"
                )
        html.append("\n</select>")
        return mark_safe("".join(html))  # every part escaped above


class DateInput(_InputHTML, forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict | None = None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")

    def format_value(self, value):
        # A date input can only hold YYYY-MM-DD; a typed "21.11.2026" is shown converted, and
        # something that is no date at all is left out (the message above the list names it).
        if isinstance(value, str):
            for fmt in DATE_INPUT_FORMATS:
                try:
                    return dt.datetime.strptime(value.strip(), fmt).date().isoformat()
                except ValueError:
                    continue
            return None
        return super().format_value(value)


def date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=DateInput(),
        error_messages={"invalid": _("Podaj datę w formacie DD.MM.RRRR.")},
    )


def search_field(label: str, placeholder: str, *, datalist: str = "") -> forms.CharField:
    attrs = {"type": "search", "placeholder": placeholder, "autocomplete": "off"}
    if datalist:
        attrs["list"] = datalist  # suggestions from a <datalist id=...> on the page
    return forms.CharField(
        label=label,
        required=False,
        max_length=60,
        strip=True,
        widget=TextInput(attrs=attrs),
        error_messages={"max_length": _("Wpisz najwyżej %(limit_value)d znaków.")},
    )


def choice_field(label: str, choices, *, empty_label: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        required=False,
        choices=[("", empty_label), *choices],
        widget=Select,
        error_messages={"invalid_choice": _("Nieznana wartość „%(value)s”.")},
    )


class ListFilterForm(forms.Form):
    """Base for list filters: `sort` from `SORTS`, `page`, and pairs of date ranges.

    Subclasses set `SORT_KEYS` (the selector's ordering keys; "-key" sorts descending),
    `DEFAULT_SORT`, and `DATE_RANGES` (pairs of field names that must be ordered).
    """

    SORT_KEYS: ClassVar[frozenset[str]] = frozenset()
    DEFAULT_SORT: ClassVar[str] = ""
    DATE_RANGES: ClassVar[tuple[tuple[str, str], ...]] = ()

    sort = forms.CharField(label=_("Sortowanie"), required=False, widget=forms.HiddenInput)
    page = forms.IntegerField(
        label=_("Strona"),
        required=False,
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={
            "invalid": _("Numer strony musi być liczbą."),
            "min_value": _("Numer strony musi być większy od zera."),
        },
    )

    def __init__(self, data: QueryDict | dict | None = None, *, defaults: dict | None = None):
        data = data.copy() if data is not None else QueryDict(mutable=True)
        for name, value in (defaults or {}).items():
            if name not in data:
                data[name] = value
        super().__init__(data)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            css = (
                "form-select form-select-sm"
                if isinstance(widget, forms.Select)
                else ("form-control form-control-sm")
            )
            widget.attrs["class"] = css
        self.is_valid()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs["aria-invalid"] = "true"

    def clean_sort(self) -> str:
        sort = self.cleaned_data.get("sort") or ""
        if sort and sort.removeprefix("-") not in self.SORT_KEYS:
            raise forms.ValidationError(
                _("Nieznany sposób sortowania „%(value)s”."), params={"value": sort}
            )
        return sort

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for start, end in self.DATE_RANGES:
            low, high = cleaned.get(start), cleaned.get(end)
            if low and high and low > high:
                self.add_error(
                    end,
                    _("Data „do” nie może być wcześniejsza niż data „od” (%(from)s).")
                    % {"from": low.strftime("%d.%m.%Y")},
                )
        return cleaned

    # What the views and selectors use: only values that passed validation.
    def value(self, name: str) -> Any:
        if name in self.errors:
            return None
        return self.cleaned_data.get(name) or None

    def date(self, name: str) -> dt.date | None:
        return self.value(name)

    @property
    def sort_key(self) -> str:
        return self.value("sort") or self.DEFAULT_SORT

    @property
    def page_number(self) -> int:
        return self.value("page") or 1

    @property
    def active_filter_count(self) -> int:
        return sum(1 for name in self.fields if name not in ("sort", "page") and self.value(name))

    @property
    def problems(self) -> list[str]:
        """Every validation message, prefixed with its field's label, for the list's alert."""
        messages = []
        for name, errors in self.errors.items():
            field = self.fields.get(name)
            label = field.label if field is not None and field.label else ""
            for error in errors:
                messages.append(f"{label}: {error}" if label else str(error))
        return messages
