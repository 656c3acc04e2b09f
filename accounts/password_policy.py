"""The client password policy (the reference portals' rules), as Django password validators.

Each violation has its own Polish message; `validate_client_password` reports all of them.
Client passwords are printable ASCII without spaces: every character must fit one box of the
masked-password form and compare exactly (no Unicode normalisation surprises).
"""

from __future__ import annotations

import re
import string
import unicodedata

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SPECIAL_CHARACTERS = string.punctuation
# Legal-form words that say nothing about a particular company.
_COMPANY_STOP_WORDS = {
    "sp",
    "spolka",
    "z",
    "o",
    "oo",
    "sa",
    "sk",
    "ska",
    "sj",
    "spj",
    "komandytowa",
}


def _fold(text: str) -> str:
    """Lower-case ASCII without Polish diacritics: "Łódź" -> "lodz"."""
    text = text.lower().replace("ł", "l")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


class LengthValidator:
    def __init__(self, min_length: int | None = None, max_length: int | None = None):
        self.min_length = min_length or settings.PASSWORD_MIN_LENGTH
        self.max_length = max_length or settings.PASSWORD_MAX_LENGTH

    def validate(self, password: str, user=None) -> None:
        if not self.min_length <= len(password) <= self.max_length:
            raise ValidationError(self.get_help_text(), code="password_length")

    def get_help_text(self) -> str:
        return _("Hasło musi mieć od %(min)d do %(max)d znaków.") % {
            "min": self.min_length,
            "max": self.max_length,
        }


class AllowedCharactersValidator:
    def validate(self, password: str, user=None) -> None:
        if any(not (33 <= ord(c) <= 126) for c in password):
            raise ValidationError(self.get_help_text(), code="password_characters")

    def get_help_text(self) -> str:
        return _(
            "Hasło może zawierać tylko litery bez polskich znaków, cyfry i znaki specjalne, "
            "bez spacji."
        )


class CharacterClassesValidator:
    """At least one upper-case letter, one digit and one special character."""

    def validate(self, password: str, user=None) -> None:
        errors = []
        if not any("A" <= c <= "Z" for c in password):
            errors.append(
                ValidationError(_("Hasło musi zawierać wielką literę."), code="password_no_upper")
            )
        if not any(c.isdigit() for c in password):
            errors.append(
                ValidationError(_("Hasło musi zawierać cyfrę."), code="password_no_digit")
            )
        if not any(c in SPECIAL_CHARACTERS for c in password):
            errors.append(
                ValidationError(
                    _("Hasło musi zawierać znak specjalny, np. ! ? # $ % & *."),
                    code="password_no_special",
                )
            )
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return _("Hasło musi zawierać wielką literę, cyfrę i znak specjalny.")


class PersonalDataValidator:
    """Not the login, the company name, the first or the last name (case and accents ignored)."""

    def validate(self, password: str, user=None) -> None:
        if user is None:
            return
        folded = _fold(password)
        # Whole sentences: Polish puts each word in the genitive after "nie może zawierać".
        checks = [
            (
                "password_contains_login",
                _("Hasło nie może zawierać loginu."),
                self._login_parts(user.login),
            ),
            (
                "password_contains_first_name",
                _("Hasło nie może zawierać imienia."),
                [_fold(user.first_name)],
            ),
            (
                "password_contains_last_name",
                _("Hasło nie może zawierać nazwiska."),
                [_fold(user.last_name)],
            ),
            (
                "password_contains_company",
                _("Hasło nie może zawierać nazwy firmy."),
                self._company_words(user.company.name if user.company_id else ""),
            ),
        ]
        errors = [
            ValidationError(message, code=code)
            for code, message, parts in checks
            if any(len(p) >= 3 and p in folded for p in parts)
        ]
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def _login_parts(login: str) -> list[str]:
        folded = _fold(login)
        return [folded, *re.split(r"[^a-z0-9]+", folded)]

    @staticmethod
    def _company_words(name: str) -> list[str]:
        words = re.split(r"[^a-z0-9]+", _fold(name))
        return [w for w in words if len(w) >= 4 and w not in _COMPANY_STOP_WORDS]

    def get_help_text(self) -> str:
        return _("Hasło nie może zawierać loginu, nazwy firmy, imienia ani nazwiska.")


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    """Django's list of 20,000 common passwords, with our wording. The other rules push people
    to decorate a common word ("Password123!"), so the word without the digits and special
    characters around it is checked too."""

    def validate(self, password: str, user=None) -> None:
        folded = password.lower().strip()
        core = folded.strip(string.digits + SPECIAL_CHARACTERS)
        if folded in self.passwords or (len(core) >= 4 and core in self.passwords):
            raise ValidationError(self.get_help_text(), code="password_too_common")

    def get_help_text(self) -> str:
        return _("Hasło jest zbyt popularne – wybierz trudniejsze do odgadnięcia.")


def client_password_validators() -> list:
    return [
        LengthValidator(),
        AllowedCharactersValidator(),
        CharacterClassesValidator(),
        PersonalDataValidator(),
        CommonPasswordValidator(),
    ]


def validate_client_password(password: str, user) -> None:
    """Raise one ValidationError listing every rule the password breaks."""
    errors: list[ValidationError] = []
    for validator in client_password_validators():
        try:
            validator.validate(password, user)
        except ValidationError as exc:
            errors.extend(exc.error_list)
    if errors:
        raise ValidationError(errors)


def password_policy_help() -> list[str]:
    return [
        LengthValidator().get_help_text(),
        CharacterClassesValidator().get_help_text(),
        PersonalDataValidator().get_help_text(),
        AllowedCharactersValidator().get_help_text(),
        _("Przy logowaniu podajesz tylko kilka wskazanych znaków hasła – zapamiętaj je dobrze."),
    ]
