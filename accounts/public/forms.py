"""Forms of the public self-service pages: the access application, the password reset and the
self-registration."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from stdnum.pl import nip as nip_number

from ..company.forms import LoginField
from ..fields import LOGIN_RE, InvalidFieldsMixin, MobilePhoneField, email_field, name_field
from ..models import User
from ..signin.forms import IdentifyForm, NewPasswordForm, PasswordChangeForm
from .registration import registration_login_taken


class AccessApplicationForm(InvalidFieldsMixin, forms.Form):
    nip = forms.CharField(
        label=_("NIP firmy"),
        max_length=20,
        help_text=_("10 cyfr, z kreskami lub bez."),
        error_messages={"required": _("Podaj NIP firmy.")},
        widget=forms.TextInput(
            attrs={"class": "form-control", "inputmode": "numeric", "autocomplete": "off"}
        ),
    )
    contract_number = forms.CharField(
        label=_("Numer umowy leasingu"),
        max_length=40,
        help_text=_("Dowolnej umowy Twojej firmy, np. UL/2026/00123."),
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9][A-Za-z0-9/._ -]{1,39}$",
                _("Numer umowy może zawierać litery, cyfry oraz znaki / . _ -"),
            )
        ],
        error_messages={"required": _("Podaj numer umowy leasingu.")},
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
    first_name = name_field(_("Imię"))
    last_name = name_field(_("Nazwisko"))
    email = email_field(_("E-mail"))
    phone = MobilePhoneField(help_text=_("Na ten numer wyślemy hasło jednorazowe."))
    accept_terms = forms.BooleanField(
        label=_("Akceptuję regulamin serwisu eBOK."),
        error_messages={"required": _("Aby złożyć wniosek, zaakceptuj regulamin serwisu eBOK.")},
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    marketing_consent = forms.BooleanField(
        label=_(
            "Chcę otrzymywać informacje marketingowe leasingodawcy e-mailem i SMS-em "
            "(zgoda dobrowolna, możesz ją wycofać w profilu)."
        ),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def clean_nip(self) -> str:
        value = nip_number.compact(self.cleaned_data["nip"])
        if not nip_number.is_valid(value):
            raise ValidationError(
                _("Nieprawidłowy NIP – sprawdź cyfry (10 cyfr z poprawną sumą kontrolną).")
            )
        return value

    def clean_contract_number(self) -> str:
        return " ".join(self.cleaned_data["contract_number"].split())

    def cleaned_data_for_submit(self) -> dict:
        """The application's data (accepting the terms is required, so it is implied)."""
        return {k: v for k, v in self.cleaned_data.items() if k != "accept_terms"}


class PasswordResetRequestForm(IdentifyForm):
    """Client number + login, as at sign-in."""


class PasswordResetForm(PasswordChangeForm):
    """A new password under the policy, confirmed with the SMS code sent for the link."""


# --- Self-registration ----------------------------------------------------------------------


class AmountField(forms.Field):
    """An amount as people copy it from an invoice: "1 234,56", "1234.56", "1 234,56 zł"."""

    default_error_messages = {
        "invalid": _("Podaj kwotę brutto z faktury, np. 1 234,56."),
    }

    def to_python(self, value) -> Decimal | None:
        text = str(value or "").strip()
        if not text:
            return None
        text = re.sub(r"(?i)\s*(zł|zl|pln)$", "", text[:40])
        text = re.sub(r"[\s\u00a0\u202f]", "", text).replace(",", ".")
        if not re.fullmatch(r"-?\d{1,12}(\.\d{1,2})?", text):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return Decimal(text).quantize(Decimal("0.01"))


class RegistrationForm(InvalidFieldsMixin, forms.Form):
    client_number = forms.CharField(
        label=_("Numer klienta"),
        max_length=8,
        help_text=_("8 cyfr – znajdziesz go na fakturze i w umowie."),
        validators=[RegexValidator(r"^\d{8}$", _("Numer klienta to 8 cyfr."))],
        error_messages={"required": _("Podaj numer klienta.")},
        widget=forms.TextInput(
            attrs={"class": "form-control", "inputmode": "numeric", "autocomplete": "off"}
        ),
    )
    nip = AccessApplicationForm.base_fields["nip"]
    invoice_number = forms.CharField(
        label=_("Numer faktury"),
        max_length=40,
        help_text=lazy(
            lambda: (
                _("Dowolnej faktury wystawionej Twojej firmie w ciągu ostatnich %(days)s dni.")
                % {"days": settings.REGISTRATION_INVOICE_DAYS}
            ),
            str,
        )(),
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9][A-Za-z0-9/._ -]{0,39}$",
                _("Numer faktury może zawierać litery, cyfry oraz znaki / . _ -"),
            )
        ],
        error_messages={"required": _("Podaj numer faktury.")},
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
    invoice_gross = AmountField(
        label=_("Kwota brutto tej faktury (zł)"),
        help_text=_("Np. 1 234,56."),
        error_messages={"required": _("Podaj kwotę brutto faktury.")},
        widget=forms.TextInput(
            attrs={"class": "form-control", "inputmode": "decimal", "autocomplete": "off"}
        ),
    )
    email = email_field(_("E-mail firmy"))
    phone = MobilePhoneField(
        label=_("Telefon komórkowy firmy"),
        help_text=_("Na ten numer wyślemy kod SMS, którym potwierdzisz rejestrację."),
    )
    accept_terms = forms.BooleanField(
        label=_("Akceptuję regulamin serwisu eBOK."),
        error_messages={"required": _("Aby się zarejestrować, zaakceptuj regulamin serwisu eBOK.")},
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    accept_privacy = forms.BooleanField(
        label=_("Zapoznałem(-am) się z informacją o przetwarzaniu danych osobowych."),
        error_messages={
            "required": _(
                "Aby się zarejestrować, potwierdź zapoznanie się z informacją "
                "o przetwarzaniu danych osobowych."
            )
        },
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    clean_nip = AccessApplicationForm.clean_nip

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].help_text = _("Na ten adres wyślemy link aktywacyjny.")

    def clean_invoice_number(self) -> str:
        return " ".join(self.cleaned_data["invoice_number"].split())

    def submitted(self) -> dict:
        """The registration's data (both acceptances are required, so they are implied)."""
        skip = {"accept_terms", "accept_privacy"}
        return {k: v for k, v in self.cleaned_data.items() if k not in skip}


class RegistrationCredentialsForm(InvalidFieldsMixin, NewPasswordForm):
    """The person following the link: their name, the login they choose and a password."""

    first_name = name_field(_("Imię"))
    last_name = name_field(_("Nazwisko"))
    login = LoginField(
        label=_("Login"),
        max_length=64,
        help_text=_("Małe litery, cyfry, kropka, łącznik lub podkreślenie; 3–64 znaki."),
        validators=[
            RegexValidator(
                LOGIN_RE,
                _(
                    "Login to 3–64 znaki: małe litery bez polskich znaków, cyfry, kropka, "
                    "łącznik lub podkreślenie; zaczyna się literą lub cyfrą."
                ),
            )
        ],
        error_messages={"required": _("Podaj login.")},
        widget=forms.TextInput(
            attrs={
                "class": "form-control",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autocomplete": "username",
            }
        ),
    )
    field_order = ["first_name", "last_name", "login", "new_password1", "new_password2"]

    def __init__(self, *args, registration, **kwargs) -> None:
        self.registration = registration
        # The password rules compare with the login and names typed in this very form.
        super().__init__(*args, user=User(company=registration.company), **kwargs)
        self.fields["new_password1"].label = _("Hasło")
        self.fields["new_password2"].label = _("Powtórz hasło")
        self.fields["new_password1"].widget.attrs.pop("autofocus", None)
        self.fields["first_name"].widget.attrs["autofocus"] = True

    def clean_login(self) -> str:
        login = self.cleaned_data["login"]
        if registration_login_taken(registration=self.registration, login=login):
            raise ValidationError(_("Ten login jest już zajęty w Twojej firmie – wybierz inny."))
        return login

    def clean_new_password1(self) -> str:
        self.user.login = self.cleaned_data.get("login", "")
        self.user.first_name = self.cleaned_data.get("first_name", "")
        self.user.last_name = self.cleaned_data.get("last_name", "")
        return super().clean_new_password1()
