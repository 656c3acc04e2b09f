"""Filter forms for the portal's lists: always bound to the query string, never trusted.

A bad value (a date that is not a date, an unknown status or sort key, `page=abc`) becomes a
Polish message shown above the list, and the list is shown as if that parameter were absent:
the valid filters still apply, the page never fails.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from html import escape as _html_escape
from typing import Any, ClassVar

from django import forms
from django.http import QueryDict
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]
# Dates a filter accepts: wide enough for any contract, narrow enough that the selectors' date
# arithmetic (the day after `date_to`) never leaves Python's and the database's range.
DATE_MIN = dt.date(2000, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)
# The largest id PostgreSQL's bigint (Django's BigAutoField) can hold: a bigger number names
# no row, and the database would refuse it in a query instead of finding nothing.
ID_MAX = 2**63 - 1
# A filter value kept in an export job or an audit entry is never longer than this.
PARAM_MAX_LENGTH = 200


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


# Python widgets: every list page and contract tab shows a filter form. Rendered by templates
# (even one flat template per widget) the invoice list's eight fields take 0.77 ms instead of
# 0.14 ms, and the pages measure more: the invoice list 3.2× the minimal page instead of 3.0×,
# installments 2.7× instead of 2.5×, the contract tabs 0.2-0.7× more (make bench, mean of 3
# runs, 2026-12-02). Same output and escaping as Django's widget templates
# (tests/ebok/test_filter_widgets.py compares them).
class _InputHTML:
    """Renders the markup of Django's input.html template, without the template engine."""

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
    """A date typed the Polish way, DD.MM.RRRR, whatever the browser's language.

    A text field, not `<input type="date">` (which shows the browser's own format: mm/dd/yyyy
    on an English system). static/js/ebok.js adds a calendar button beside it that opens the
    browser's own date picker; without JavaScript it is a plain text field.
    """

    input_type = "text"

    def __init__(self, attrs: dict | None = None):
        defaults = {
            "inputmode": "numeric",
            "autocomplete": "off",
            "maxlength": 10,
            "placeholder": _("dd.mm.rrrr"),
            "data-date-picker": _("Wybierz datę z kalendarza"),
        }
        super().__init__(attrs={**defaults, **(attrs or {})}, format="%d.%m.%Y")

    def format_value(self, value):
        # A typed "2026-11-21" is shown as 21.11.2026; something that is no date stays as typed
        # (the message above the list names it), cut to what the field holds.
        if isinstance(value, str):
            date = parse_date_text(value)
            if date is not None:
                return f"{date:%d.%m.%Y}"
            return value.strip()[:DATE_TEXT_MAX] or None
        return super().format_value(value)


# A typed date: DD.MM.RRRR (also with "/" or "-", one-digit day and month), DDMMRRRR (a phone's
# digits-only keypad has no dot), or RRRR-MM-DD (the address bar, exports).
_DMY_RE = re.compile(r"(\d{1,2})\s*[./-]\s*(\d{1,2})\s*[./-]\s*(\d{4})")
_DIGITS_RE = re.compile(r"(\d{2})(\d{2})(\d{4})")
DATE_TEXT_MAX = 30


def normalise_date_text(value: str) -> str:
    """`value` with a day-first date rewritten as DD.MM.RRRR; anything else unchanged."""
    text = value.strip()
    match = _DMY_RE.fullmatch(text) or _DIGITS_RE.fullmatch(text)
    if match and text.isascii():
        day, month, year = match.groups()
        return f"{day}.{month}.{year}"
    return text


def parse_date_text(value: str) -> dt.date | None:
    """A typed date (see `normalise_date_text`) or None; no range check."""
    text = normalise_date_text(value)
    if not text.isascii():
        return None
    for fmt in DATE_INPUT_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


class BoundedDateField(forms.DateField):
    """A date typed as DD.MM.RRRR or RRRR-MM-DD, between `DATE_MIN` and `DATE_MAX`."""

    default_error_messages = {
        "invalid": _("Podaj datę w formacie DD.MM.RRRR."),
        "out_of_range": _("Podaj datę od %(min)s do %(max)s."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", DATE_INPUT_FORMATS)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> dt.date | None:
        if isinstance(value, str):
            if not value.isascii():
                # strptime reads any Unicode digit ("٢٠٢٦-٠١-٠١"); a date is typed in ASCII.
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            value = normalise_date_text(value)
        date = super().to_python(value)
        if date is not None and not DATE_MIN <= date <= DATE_MAX:
            raise forms.ValidationError(
                self.error_messages["out_of_range"],
                code="out_of_range",
                params={"min": f"{DATE_MIN:%d.%m.%Y}", "max": f"{DATE_MAX:%d.%m.%Y}"},
            )
        return date


class BoundedIntegerField(forms.IntegerField):
    """A whole number written in ASCII digits (an optional leading minus), within bounds.

    Django's IntegerField takes whatever `int()` takes: "٣" (an Arabic-Indic three) is 3, and
    any size, up to numbers no database column holds. Here anything else is simply invalid.
    """

    def __init__(self, *, min_value: int, max_value: int, **kwargs: Any) -> None:
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)
        self._digits = len(str(max(abs(min_value), abs(max_value))))

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = str(value).strip()
        digits = text.removeprefix("-")
        if not (digits.isascii() and digits.isdigit()) or len(digits) > self._digits:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return int(text)


class IdField(BoundedIntegerField):
    """The id of a row (a contract, a user, an invoice): 1 … `ID_MAX`, else invalid.

    Out of range is the same "invalid" as "abc": no such row can exist, whatever the cause.
    """

    default_error_messages = {"invalid": _("Nieprawidłowy identyfikator.")}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, max_value=ID_MAX, **kwargs)
        invalid = self.error_messages["invalid"]
        self.error_messages["min_value"] = self.error_messages["max_value"] = invalid


def parse_id(value: Any) -> int | None:
    """`value` as a row id, or None when it cannot be one (for ids read outside a form)."""
    try:
        return IdField(required=False).clean(value)
    except forms.ValidationError:
        return None


def date_field(label: str) -> forms.DateField:
    return BoundedDateField(label=label, required=False, widget=DateInput())


def id_field(label: str, **kwargs: Any) -> IdField:
    return IdField(label=label, required=False, **kwargs)


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
    page = BoundedIntegerField(
        label=_("Strona"),
        required=False,
        min_value=1,
        max_value=ID_MAX,  # past the last page is the last page
        widget=forms.HiddenInput,
        error_messages={
            "invalid": _("Numer strony musi być liczbą."),
            "min_value": _("Numer strony musi być większy od zera."),
            "max_value": _("Numer strony musi być liczbą."),
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

    def export_params(self) -> dict[str, list[str]]:
        """The filters as the list applies them, as query-string values: what an export job
        stores and re-reads, and what an audit entry records.

        Only this form's own fields (not `page`), and only those the query string had (so
        defaults apply again as they did on screen); each one cleaned — a value the list
        ignores as invalid is kept empty, as the list treats it — and never longer than
        `PARAM_MAX_LENGTH`.
        """
        params = {}
        for name in self.fields:
            if name == "page" or name not in self.data:
                continue
            params[name] = [_query_value(self.value(name))[:PARAM_MAX_LENGTH]]
        return params

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


def without_control_characters(text: str) -> str:
    """`text` without control characters (NUL, CR, LF, ESC...) and lone surrogates: what can
    be neither stored in PostgreSQL text nor shown as a line; other characters stay."""
    if text.isprintable():
        return text
    return "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cs"))


def _query_value(value: Any) -> str:
    """A cleaned value back as the query string writes it (dates as RRRR-MM-DD)."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(getattr(value, "pk", value))
