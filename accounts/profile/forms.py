"""Forms of the user's profile: contact data and consents."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..fields import InvalidFieldsMixin, MobilePhoneField, email_field
from ..models import Consent, User
from ..templatetags.accounts_tags import phone


class ContactForm(InvalidFieldsMixin, forms.Form):
    email = email_field(_("E-mail"))
    phone = MobilePhoneField(
        help_text=_("Na ten numer przychodzą kody SMS do logowania i potwierdzania operacji.")
    )

    def __init__(self, data=None, *, user: User) -> None:
        self.user = user
        super().__init__(data, initial={"email": user.email, "phone": phone(user.phone)})

    def clean(self):
        cleaned = super().clean()
        if (
            not self.errors
            and cleaned.get("email") == self.user.email
            and cleaned.get("phone") == str(self.user.phone or "")
        ):
            raise ValidationError(_("Nie wprowadzono zmian."))
        return cleaned


class ConsentForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[(Consent.Kind.E_INVOICES, ""), (Consent.Kind.MARKETING, "")],
        error_messages={"invalid_choice": _("Tej zgody nie można zmienić w eBOK.")},
    )
    granted = forms.TypedChoiceField(
        choices=[("1", ""), ("0", "")],
        coerce=lambda value: value == "1",
        error_messages={"invalid_choice": _("Nieprawidłowa wartość.")},
    )
