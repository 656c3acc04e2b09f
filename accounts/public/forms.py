"""Forms of the public self-service pages: the access application and the password reset."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from stdnum.pl import nip as nip_number

from ..fields import InvalidFieldsMixin, MobilePhoneField, email_field, name_field
from ..signin.forms import IdentifyForm, PasswordChangeForm


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
