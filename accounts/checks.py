"""`manage.py check --deploy`: the sign-in's secrets and SMS gateway are configured."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Warning, register


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
