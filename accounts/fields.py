"""Form fields shared by the sign-in, company-administration, profile and public forms:
people's names, e-mail addresses, mobile phones, logins and the 6-digit SMS code."""

from __future__ import annotations

import phonenumbers
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _


def sms_code_field(*, large: bool = True, autofocus: bool = True) -> forms.CharField:
    """The 6-digit SMS code (typed as "123 456" too): numeric keyboard, one-time-code autofill."""
    size = " form-control-lg" if large else ""
    attrs = {
        "inputmode": "numeric",
        "autocomplete": "one-time-code",
        "class": f"form-control{size} ebok-code-input",
        "pattern": r"\s*\d{3}\s*\d{3}\s*",
    }
    if autofocus:
        attrs["autofocus"] = True
    return forms.CharField(label=_("Kod SMS"), max_length=12, widget=forms.TextInput(attrs=attrs))


class InvalidFieldsMixin:
    """Marks fields with errors for Bootstrap and assistive technology (after validation)."""

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs["aria-invalid"] = "true"


LOGIN_RE = r"^[a-z0-9][a-z0-9._-]{2,63}$"


def name_field(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=100,
        validators=[
            RegexValidator(
                r"^[^\W\d_]+(?:[ '’-][^\W\d_]+)*$",
                _("Wpisz tylko litery (dozwolone spacja, łącznik i apostrof)."),
            )
        ],
        error_messages={"required": _("To pole jest wymagane.")},
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )


def email_field(label: str | None = None) -> forms.EmailField:
    return forms.EmailField(
        label=label or _("E-mail"),
        max_length=254,
        error_messages={
            "required": _("Podaj adres e-mail."),
            "invalid": _("Podaj poprawny adres e-mail, np. jan.kowalski@firma.pl."),
        },
        widget=forms.EmailInput(attrs={"class": "form-control", "autocomplete": "email"}),
    )


class MobilePhoneField(forms.CharField):
    """A Polish or international mobile number, returned in E.164 (`+48601234567`)."""

    default_error_messages = {
        "required": _("Podaj numer telefonu komórkowego."),
        "invalid": _(
            "Podaj poprawny numer telefonu komórkowego, np. 601 234 567 lub +48 601 234 567."
        ),
        "not_mobile": _("To nie jest numer telefonu komórkowego – na niego wysyłamy kody SMS."),
    }

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("label", _("Telefon komórkowy"))
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"class": "form-control", "inputmode": "tel", "autocomplete": "tel"}
            ),
        )
        super().__init__(**kwargs)

    def to_python(self, value) -> str:
        value = super().to_python(value)
        if value in self.empty_values:
            return ""
        try:
            number = phonenumbers.parse(value, settings.PHONENUMBER_DEFAULT_REGION)
        except phonenumbers.NumberParseException:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not phonenumbers.is_valid_number(number):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        kind = phonenumbers.number_type(number)
        if kind not in (
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        ):
            raise ValidationError(self.error_messages["not_mobile"], code="not_mobile")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
