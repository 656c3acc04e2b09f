from __future__ import annotations

from accounts.checks import signin_settings


def ids(settings) -> set[str]:
    return {problem.id for problem in signin_settings(None)}


def test_a_production_setup_passes(settings):
    settings.MASKED_PASSWORD_PEPPER = "p" * 48
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = "AC1", "token"
    settings.TWILIO_FROM_NUMBER = "+48500600700"
    assert ids(settings) == set()


def test_weak_secrets_and_missing_gateway_are_reported(settings):
    settings.MASKED_PASSWORD_PEPPER = "dev-only-masked-password-pepper-never-use-in-production"
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_AUTH_TOKEN = ""
    settings.MASKED_PASSWORD_POSITIONS = 8
    assert ids(settings) == {"accounts.E001", "accounts.E003", "accounts.W001"}
