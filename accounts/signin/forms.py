"""Forms of the sign-in steps, the first password and the password change."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from ..fields import sms_code_field
from ..password_policy import validate_client_password


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
