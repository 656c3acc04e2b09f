from __future__ import annotations

import phonenumbers
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from .password_policy import validate_client_password


class IdentifyForm(forms.Form):
    client_number = forms.CharField(
        label=_("Numer klienta"),
        max_length=8,
        validators=[RegexValidator(r"^\d{8}$", _("Numer klienta to 8 cyfr."))],
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "off",
                "autofocus": True,
                "class": "form-control form-control-lg",
                "pattern": r"\d{8}",
            }
        ),
    )
    login = forms.CharField(
        label=_("Login"),
        max_length=64,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "username",
                "autocapitalize": "none",
                "spellcheck": "false",
                "class": "form-control form-control-lg",
            }
        ),
    )

    def clean_client_number(self) -> str:
        return self.cleaned_data["client_number"].strip()

    def clean_login(self) -> str:
        return self.cleaned_data["login"].strip()


class MaskedPasswordForm(forms.Form):
    """One box per position; only the asked positions are fields, the rest render disabled."""

    def __init__(self, *args, positions: tuple[int, ...], boxes: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.positions = positions
        self.boxes = boxes
        for position in positions:
            self.fields[f"c{position}"] = forms.CharField(
                max_length=1,
                strip=False,
                required=True,
                label=_("Znak nr %(n)d") % {"n": position},
            )

    def answers(self) -> dict[int, str]:
        return {p: self.cleaned_data.get(f"c{p}", "") for p in self.positions}

    def grid(self) -> list[dict]:
        """The boxes of the page, asked and disabled, in order."""
        first = min(self.positions) if self.positions else None
        return [
            {
                "position": n,
                "asked": n in self.positions,
                "name": f"c{n}",
                "autofocus": n == first,
            }
            for n in range(1, self.boxes + 1)
        ]


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


class SmsCodeForm(forms.Form):
    code = sms_code_field()


class NewPasswordForm(forms.Form):
    new_password1 = forms.CharField(
        label=_("Nowe hasło"),
        strip=False,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "new-password", "class": "form-control", "autofocus": True}
        ),
    )
    new_password2 = forms.CharField(
        label=_("Powtórz nowe hasło"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "class": "form-control"}),
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_new_password1(self) -> str:
        password = self.cleaned_data["new_password1"]
        validate_client_password(password, self.user)
        return password

    def clean(self):
        cleaned = super().clean()
        one, two = cleaned.get("new_password1"), cleaned.get("new_password2")
        if one and two and one != two:
            self.add_error("new_password2", ValidationError(_("Hasła nie są takie same.")))
        return cleaned


class PasswordChangeForm(NewPasswordForm):
    """A new password for a signed-in user, confirmed with a code sent for this change."""

    code = sms_code_field(large=False, autofocus=False)


# --- Fields for people's data, shared by the company-administration and self-service forms ---


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
