from __future__ import annotations

import pytest

from . import fake_twilio


@pytest.fixture
def twilio(settings):
    """The Twilio backend, through the real SDK, talking to a fake Twilio API on loopback."""
    fake = fake_twilio.start()
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID = fake_twilio.ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = fake_twilio.AUTH_TOKEN
    settings.TWILIO_FROM_NUMBER = "+48500600700"
    settings.TWILIO_MESSAGING_SERVICE_SID = ""
    settings.TWILIO_API_BASE_URL = fake.url
    settings.TWILIO_TIMEOUT = 2
    yield fake
    fake.stop()
