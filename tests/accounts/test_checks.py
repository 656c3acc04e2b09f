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


def test_the_pepper_keyring_is_checked(settings):
    settings.MASKED_PASSWORD_PEPPER = "p" * 48
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = "AC1", "token"
    settings.TWILIO_FROM_NUMBER = "+48500600700"
    settings.MASKED_PASSWORD_PEPPER_VERSION = 3
    settings.MASKED_PASSWORD_RETIRED_PEPPERS = ["1:" + "a" * 40, "2:" + "b" * 40]
    assert ids(settings) == set()  # a rotated keyring

    settings.MASKED_PASSWORD_RETIRED_PEPPERS = ["1:" + "a" * 40, "1:" + "b" * 40]
    assert ids(settings) == {"accounts.E005"}  # a version names one pepper
    settings.MASKED_PASSWORD_RETIRED_PEPPERS = ["3:" + "a" * 40]
    assert ids(settings) == {"accounts.E005"}  # the current version among the retired
    settings.MASKED_PASSWORD_RETIRED_PEPPERS = ["nonsense"]
    assert ids(settings) == {"accounts.E005"}
    settings.MASKED_PASSWORD_RETIRED_PEPPERS = ["1:short"]
    assert ids(settings) == {"accounts.E006"}
    settings.MASKED_PASSWORD_RETIRED_PEPPERS = ["1:" + "p" * 48]
    assert ids(settings) == {"accounts.E006"}  # the "rotation" kept the same pepper
    settings.MASKED_PASSWORD_RETIRED_PEPPERS = []
    settings.MASKED_PASSWORD_PEPPER_VERSION = 0
    assert ids(settings) == {"accounts.E004"}
