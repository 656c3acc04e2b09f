"""`manage.py check --deploy`: the sign-in's secrets and SMS gateway are configured."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Warning, register

from .masked import parse_retired_peppers


@register(deploy=True)
def signin_settings(app_configs, **kwargs) -> list:
    problems = []
    pepper = settings.MASKED_PASSWORD_PEPPER
    if len(pepper) < 32 or pepper.startswith("dev-only"):
        problems.append(
            Error(
                "MASKED_PASSWORD_PEPPER must be a random secret of at least 32 characters.",
                hint="python -c 'import secrets; print(secrets.token_urlsafe(48))'",
                id="accounts.E001",
            )
        )
    if pepper == settings.SECRET_KEY:
        problems.append(
            Error("MASKED_PASSWORD_PEPPER must differ from SECRET_KEY.", id="accounts.E002")
        )
    problems += _pepper_keyring_problems(pepper)
    if not 2 <= settings.MASKED_PASSWORD_POSITIONS <= settings.PASSWORD_MIN_LENGTH // 2:
        problems.append(
            Warning(
                "MASKED_PASSWORD_POSITIONS should be between 2 and half of PASSWORD_MIN_LENGTH: "
                "one observed sign-in must not reveal most of a password.",
                id="accounts.W001",
            )
        )
    if settings.SMS_BACKEND == "twilio" and not (
        settings.TWILIO_ACCOUNT_SID
        and settings.TWILIO_AUTH_TOKEN
        and (settings.TWILIO_FROM_NUMBER or settings.TWILIO_MESSAGING_SERVICE_SID)
    ):
        problems.append(
            Error(
                "SMS_BACKEND is twilio but TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and "
                "TWILIO_FROM_NUMBER (or TWILIO_MESSAGING_SERVICE_SID) are not all set.",
                id="accounts.E003",
            )
        )
    elif settings.SMS_BACKEND != "twilio":
        problems.append(
            Warning(
                f"SMS_BACKEND is {settings.SMS_BACKEND!r}: sign-in codes are not sent to phones.",
                id="accounts.W002",
            )
        )
    return problems


def _pepper_keyring_problems(current: str) -> list:
    """The retired peppers (README "Rotating the pepper"): well formed, one per version, none
    the current version, each as strong as a current pepper must be."""
    problems = []
    version = settings.MASKED_PASSWORD_PEPPER_VERSION
    if version < 1:
        problems.append(
            Error("MASKED_PASSWORD_PEPPER_VERSION must be a positive integer.", id="accounts.E004")
        )
    retired, malformed = parse_retired_peppers(settings.MASKED_PASSWORD_RETIRED_PEPPERS)
    for problem in malformed:
        problems.append(
            Error(
                f"MASKED_PASSWORD_RETIRED_PEPPERS: {problem}.",
                hint="List retired peppers as version:value pairs separated by commas.",
                id="accounts.E005",
            )
        )
    if version in retired:
        problems.append(
            Error(
                f"MASKED_PASSWORD_RETIRED_PEPPERS lists version {version}, the current "
                "MASKED_PASSWORD_PEPPER_VERSION: a version names one pepper.",
                id="accounts.E005",
            )
        )
    for retired_version, value in sorted(retired.items()):
        text = value.decode()
        if len(text) < 32 or text.startswith("dev-only") or text == settings.SECRET_KEY:
            problems.append(
                Error(
                    f"The retired pepper of version {retired_version} must be a random secret of "
                    "at least 32 characters, not the SECRET_KEY.",
                    id="accounts.E006",
                )
            )
        elif text == current:
            problems.append(
                Error(
                    f"The retired pepper of version {retired_version} equals "
                    "MASKED_PASSWORD_PEPPER: a rotation needs a new pepper.",
                    id="accounts.E006",
                )
            )
    return problems
