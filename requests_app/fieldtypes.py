"""The typed fields of a request type's form: form fields to ask, values to store and show.

A `RequestField` becomes one or more Django form fields (a person is four inputs in one
fieldset, a date range two); `value_of(...)` turns what they cleaned into JSON-safe data kept
on the application with the field's labels of that day, and `display(...)` shows it again.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django_countries import countries
from stdnum.pl import pesel

from accounts.fields import MobilePhoneField, email_field, name_field
from ebok.dates import format_date
from ebok.forms import DATE_INPUT_FORMATS, BoundedDateField, DateInput
from ebok.money import format_money

from .models import RequestField

Type = RequestField.Type
AMOUNT_MAX = Decimal("999999999.99")
REGISTRATION_RE = re.compile(r"^[A-Z]{1,3}[A-Z0-9]{2,6}$")
ID_CARD_RE = re.compile(r"^[A-Z]{3}\d{6}$")
PASSPORT_RE = re.compile(r"^[A-Z]{2}\d{7}$")


def _input(extra: dict | None = None) -> dict:
    return {"class": "form-control", **(extra or {})}


class AmountField(forms.CharField):
    """An amount in złoty typed the Polish way ("1 234,56") or with a dot; 0,01 … 999 999 999,99."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs=_input({"inputmode": "decimal"})))
        super().__init__(max_length=20, **kwargs)

    def clean(self, value: Any) -> Decimal | None:
        text = super().clean(value)
        if not text:
            return None
        normalized = re.sub(r"[\s\u00a0]|zł$|PLN$", "", text, flags=re.IGNORECASE).replace(",", ".")
        try:
            amount = Decimal(normalized)
        except InvalidOperation:
            amount = None
        if (
            amount is None
            or not normalized.replace(".", "", 1).isdigit()
            or amount.as_tuple().exponent < -2
        ):
            raise ValidationError(_("Podaj kwotę w złotych, np. 1 234,56."))
        if not Decimal("0.01") <= amount <= AMOUNT_MAX:
            raise ValidationError(_("Podaj kwotę od 0,01 zł do 999 999 999,99 zł."))
        return amount


def _registration(value: str) -> str:
    plate = re.sub(r"[\s-]", "", value or "").upper()
    if not (plate.isascii() and REGISTRATION_RE.match(plate)):
        raise ValidationError(_("Podaj numer rejestracyjny, np. WA 12345 lub KR 1A234."))
    return plate


def _pesel(value: str) -> str:
    digits = (value or "").strip()
    if not (digits.isascii() and digits.isdigit() and len(digits) == 11 and pesel.is_valid(digits)):
        raise ValidationError(_("Podaj poprawny numer PESEL (11 cyfr)."))
    return digits


def _id_card_valid(number: str) -> bool:
    weights = (7, 3, 1, 9, 7, 3, 1, 7, 3)
    values = [int(ch, 36) for ch in number]
    return sum(v * w for v, w in zip(values, weights, strict=True)) % 10 == 0


def _document(value: str) -> str:
    number = re.sub(r"\s", "", value or "").upper()
    if ID_CARD_RE.match(number) and _id_card_valid(number):
        return number
    if PASSPORT_RE.match(number):
        return number
    raise ValidationError(
        _("Podaj numer dowodu osobistego (np. ABA300000) lub paszportu (np. EA1234567).")
    )


@dataclass
class Group:
    """The inputs of one request field (a fieldset when there are several)."""

    spec: RequestField
    names: list[str] = field(default_factory=list)

    @property
    def is_fieldset(self) -> bool:
        return len(self.names) > 1


def _text(spec, required) -> forms.Field:
    return forms.CharField(
        max_length=200, required=required, widget=forms.TextInput(attrs=_input())
    )


def _long_text(spec, required) -> forms.Field:
    return forms.CharField(
        max_length=2000, required=required, widget=forms.Textarea(attrs=_input({"rows": 4}))
    )


def _date(spec, required) -> forms.Field:
    return BoundedDateField(
        required=required, widget=DateInput(attrs=_input()), input_formats=DATE_INPUT_FORMATS
    )


def build_fields(spec: RequestField, *, registrations: list[str]) -> dict[str, forms.Field]:
    """The form fields of `spec`, by form field name (`<key>` or `<key>__<part>`)."""
    required = spec.required
    key = spec.key
    kind = spec.field_type
    if kind == Type.DATE_RANGE:
        return {
            f"{key}__from": _labelled(_date(spec, required), gettext_lazy("od")),
            f"{key}__to": _labelled(_date(spec, required), gettext_lazy("do")),
        }
    if kind == Type.PERSON:
        return {
            f"{key}__first_name": _optional(name_field(gettext_lazy("Imię")), required),
            f"{key}__last_name": _optional(name_field(gettext_lazy("Nazwisko")), required),
            f"{key}__pesel": _labelled(_validated(_text(spec, required), _pesel), "PESEL"),
            f"{key}__document": _labelled(
                _validated(_text(spec, required), _document),
                gettext_lazy("Seria i numer dowodu osobistego lub paszportu"),
            ),
        }
    if kind == Type.TEXT:
        one = _text(spec, required)
    elif kind == Type.LONG_TEXT:
        one = _long_text(spec, required)
    elif kind == Type.DATE:
        one = _date(spec, required)
    elif kind == Type.CHOICE:
        one = forms.ChoiceField(
            required=required,
            choices=[("", "—"), *spec.choice_list()],
            widget=forms.Select(attrs={"class": "form-select"}),
        )
    elif kind == Type.AMOUNT:
        one = AmountField(required=required)
    elif kind == Type.COUNTRY:
        one = forms.ChoiceField(
            required=required,
            choices=[("", "—"), *[(c.code, c.name) for c in countries if c.code != "PL"]],
            widget=forms.Select(attrs={"class": "form-select"}),
        )
    elif kind == Type.REGISTRATION and registrations:
        # The contract's own vehicles: choose one of them.
        one = forms.ChoiceField(
            required=required,
            choices=[("", "—"), *[(r, r) for r in registrations]],
            widget=forms.Select(attrs={"class": "form-select"}),
        )
    elif kind == Type.REGISTRATION:
        one = _validated(_text(spec, required), _registration)
    elif kind == Type.EMAIL:
        one = email_field()
        one.required = required
    elif kind == Type.PHONE:
        one = MobilePhoneField(required=required, widget=forms.TextInput(attrs=_input()))
    elif kind == Type.ATTACHMENT:
        one = forms.FileField(
            required=required,
            widget=forms.ClearableFileInput(attrs={"class": "form-control"}),
        )
    else:  # a type added to the model but not here yet: a plain text input
        one = _text(spec, required)
    one.label = spec.label
    one.help_text = spec.help
    one.error_messages["required"] = _("To pole jest wymagane.")
    return {key: one}


def _labelled(one: forms.Field, label) -> forms.Field:
    one.label = label
    one.error_messages["required"] = _("To pole jest wymagane.")
    return one


def _optional(one: forms.Field, required: bool) -> forms.Field:
    one.required = required
    return one


def _validated(one: forms.Field, validator) -> forms.Field:
    """`one` whose cleaned text goes through `validator` (which may also normalise it)."""
    original_clean = one.clean

    def clean(value):
        text = original_clean(value)
        return validator(text) if text else text

    one.clean = clean
    return one


def check_group(spec: RequestField, cleaned: dict[str, Any]) -> dict[str, str]:
    """Errors across the inputs of one field (a range that ends before it starts)."""
    if spec.field_type == Type.DATE_RANGE:
        start, end = cleaned.get(f"{spec.key}__from"), cleaned.get(f"{spec.key}__to")
        if start and end and end < start:
            return {f"{spec.key}__to": _("Data „do” nie może być wcześniejsza niż data „od”.")}
        if bool(start) != bool(end):
            missing = f"{spec.key}__to" if start else f"{spec.key}__from"
            return {missing: _("Podaj obie daty okresu.")}
    if spec.field_type == Type.PERSON:
        parts = [cleaned.get(f"{spec.key}__{p}") for p in ("first_name", "last_name", "pesel")]
        if any(parts) and not all(parts):
            return {f"{spec.key}__pesel": _("Podaj imię, nazwisko i PESEL osoby.")}
    return {}


def value_of(spec: RequestField, cleaned: dict[str, Any]) -> Any:
    """JSON-safe data of one field, or None when it was left empty."""
    key = spec.key
    kind = spec.field_type
    if kind == Type.DATE_RANGE:
        start, end = cleaned.get(f"{key}__from"), cleaned.get(f"{key}__to")
        return {"from": start.isoformat(), "to": end.isoformat()} if start and end else None
    if kind == Type.PERSON:
        parts = {
            p: cleaned.get(f"{key}__{p}") or ""
            for p in ("first_name", "last_name", "pesel", "document")
        }
        return parts if any(parts.values()) else None
    value = cleaned.get(key)
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if kind == Type.CHOICE:
        return {"code": value, "labels": _choice_labels(spec, value)}
    return str(value)


def _choice_labels(spec: RequestField, code: str) -> dict[str, str]:
    for line in spec.choices.splitlines():
        parts = [part.strip() for part in line.split("|")]
        if parts[0] == code:
            polish = parts[1] if len(parts) > 1 and parts[1] else code
            return {"pl": polish, "en": parts[2] if len(parts) > 2 and parts[2] else polish}
    return {"pl": code, "en": code}


def entry_of(spec: RequestField, value: Any) -> dict[str, Any]:
    return {
        "key": spec.key,
        "type": spec.field_type,
        "label": {"pl": spec.label_pl, "en": spec.label_en or spec.label_pl},
        "value": value,
    }


def _english() -> bool:
    return (get_language() or "pl").startswith("en")


def entry_label(entry: dict[str, Any]) -> str:
    labels = entry.get("label") or {}
    return labels.get("en" if _english() else "pl") or labels.get("pl") or entry.get("key", "")


def display(entry: dict[str, Any]) -> str:
    """One stored answer as text in the current language."""
    value = entry.get("value")
    kind = entry.get("type")
    if value in (None, "", {}):
        return "—"
    try:
        if kind == Type.DATE:
            return format_date(dt.date.fromisoformat(value))
        if kind == Type.DATE_RANGE:
            start, end = (dt.date.fromisoformat(value[k]) for k in ("from", "to"))
            return f"{format_date(start)} – {format_date(end)}"
        if kind == Type.AMOUNT:
            return format_money(Decimal(value))
        if kind == Type.COUNTRY:
            return str(countries.name(value)) or value
        if kind == Type.CHOICE:
            return value["labels"]["en" if _english() else "pl"]
        if kind == Type.PERSON:
            name = f"{value['first_name']} {value['last_name']}".strip()
            extra = ", ".join(
                part
                for part in (
                    f"PESEL {value['pesel']}" if value.get("pesel") else "",
                    value.get("document", ""),
                )
                if part
            )
            return f"{name} ({extra})" if extra else name
    except (KeyError, TypeError, ValueError):
        pass
    return str(value)
