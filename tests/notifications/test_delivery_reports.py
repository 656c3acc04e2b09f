"""Twilio's delivery reports (status callbacks): asked for by the backend through the real SDK,
accepted only with a valid signature, applied idempotently and never backwards."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from twilio.request_validator import RequestValidator

from notifications.models import Message
from notifications.services import REDACTED, Outcome, message_deliver, send_sms

from .fake_twilio import AUTH_TOKEN as TOKEN

pytestmark = pytest.mark.django_db

PUBLIC = "https://ebok.example.pl"
SID = "SM" + "a1" * 16


@pytest.fixture
def public(settings):
    settings.PUBLIC_BASE_URL = PUBLIC
    settings.TWILIO_AUTH_TOKEN = TOKEN


def report(client, path: str, params: dict, *, signed_url: str | None = None, token=TOKEN):
    """POST a status callback the way Twilio does: signed over the public URL it called."""
    url = signed_url if signed_url is not None else PUBLIC + path
    signature = RequestValidator(token).compute_signature(url, params)
    return client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)


def callback_params(sid: str, status: str, **extra) -> dict:
    return {
        "AccountSid": "AC" + "0123456789abcdef" * 2,
        "ApiVersion": "2010-04-01",
        "From": "+48500600700",
        "To": "+48600100200",
        "MessageSid": sid,
        "SmsSid": sid,
        "MessageStatus": status,
        "SmsStatus": status,
        **extra,
    }


def sent_message(**fields) -> Message:
    defaults = {
        "channel": "sms",
        "recipient": "+48600100200",
        "body": "Nowa faktura FV/1/2026",
        "status": Message.Status.SENT,
        "provider_id": SID,
        "sent_at": timezone.now(),
    }
    return Message.objects.create(**{**defaults, **fields})


def for_message(message: Message) -> str:
    return reverse("notifications:twilio_status_for_message", args=[message.pk])


# --- the backend asks for them ----------------------------------------------------------------


def test_the_backend_asks_twilio_to_report_to_the_public_address(twilio, settings):
    settings.PUBLIC_BASE_URL = PUBLIC + "/"
    message = send_sms(to="+48600100200", body="Nowa faktura")

    message_deliver(message_id=message.pk)

    assert twilio.requests[0].form["StatusCallback"] == [
        f"{PUBLIC}/powiadomienia/twilio/status/{message.pk}/"
    ]


def test_without_a_public_address_no_report_is_asked_for(twilio, settings):
    settings.PUBLIC_BASE_URL = ""
    message_deliver(message_id=send_sms(to="+48600100200", body="x").pk)
    assert "StatusCallback" not in twilio.requests[0].form


def test_a_report_on_the_address_the_sdk_sent_marks_the_sms_delivered(
    twilio,
    public,
    client,
):
    message = send_sms(to="+48600100200", body="Nowa faktura")
    assert message_deliver(message_id=message.pk) is Outcome.SENT
    callback = twilio.requests[0].form["StatusCallback"][0]
    sid = twilio.accepted[0]["sid"]

    response = report(
        client, urlsplit(callback).path, callback_params(sid, "delivered"), signed_url=callback
    )

    assert response.status_code == 204
    message.refresh_from_db()
    assert message.status == Message.Status.DELIVERED
    assert (message.provider_id, message.provider_status) == (sid, "delivered")
    assert message.delivered_at is not None


# --- signatures ---------------------------------------------------------------------------------


def _unsigned(client, path, params):
    return client.post(path, params)


def _wrong_token(client, path, params):
    return report(client, path, params, token="not-the-auth-token")


def _signed_for_another_url(client, path, params):
    return report(client, path, params, signed_url=PUBLIC + "/powiadomienia/twilio/status/")


def _tampered(client, path, params):
    url = PUBLIC + path
    signature = RequestValidator(TOKEN).compute_signature(url, params)
    return client.post(
        path, {**params, "MessageStatus": "undelivered"}, HTTP_X_TWILIO_SIGNATURE=signature
    )


def _garbage_signature(client, path, params):
    return client.post(path, params, HTTP_X_TWILIO_SIGNATURE="bm90IGEgc2lnbmF0dXJl")


@pytest.mark.parametrize(
    "send", [_unsigned, _wrong_token, _signed_for_another_url, _tampered, _garbage_signature]
)
def test_a_report_without_a_valid_signature_is_refused_and_changes_nothing(client, public, send):
    message = sent_message()
    before = Message.objects.filter(pk=message.pk).values().get()

    response = send(client, for_message(message), callback_params(SID, "delivered"))

    assert response.status_code == 403
    assert Message.objects.filter(pk=message.pk).values().get() == before


def test_without_an_auth_token_every_report_is_refused(client, public, settings):
    settings.TWILIO_AUTH_TOKEN = ""
    message = sent_message()

    # Signed with the empty key the server would otherwise check against.
    response = report(client, for_message(message), callback_params(SID, "delivered"), token="")

    assert response.status_code == 403
    message.refresh_from_db()
    assert message.status == Message.Status.SENT


def test_behind_a_proxy_the_public_url_is_the_one_checked(client, public):
    message = sent_message()
    # The proxy forwards to http://testserver/...: Twilio signed https://ebok.example.pl/...
    assert report(client, for_message(message), callback_params(SID, "sent")).status_code == 204
    internal = "http://testserver" + for_message(message)
    refused = report(
        client, for_message(message), callback_params(SID, "delivered"), signed_url=internal
    )
    assert refused.status_code == 403


def test_without_a_public_address_the_requested_url_is_checked(client, settings):
    settings.PUBLIC_BASE_URL = ""
    settings.TWILIO_AUTH_TOKEN = TOKEN
    message = sent_message()
    url = "http://testserver" + for_message(message)

    response = report(
        client, for_message(message), callback_params(SID, "delivered"), signed_url=url
    )

    assert response.status_code == 204
    message.refresh_from_db()
    assert message.status == Message.Status.DELIVERED


def test_only_post_is_answered(client, public):
    message = sent_message()
    assert client.get(for_message(message)).status_code == 405


def test_a_signed_request_that_is_not_a_report_is_a_bad_request(client, public):
    message = sent_message()
    response = report(client, for_message(message), {"MessageSid": SID})
    assert response.status_code == 400


# --- applying them ------------------------------------------------------------------------------


def test_reports_are_idempotent_and_never_move_a_message_back(client, public):
    message = sent_message()
    path = for_message(message)
    report(client, path, callback_params(SID, "sent"))
    report(client, path, callback_params(SID, "delivered"))
    message.refresh_from_db()
    delivered_at = message.delivered_at

    # Twilio repeats a report, or an older one arrives late, or a contradicting one follows.
    for status in ["delivered", "sent", "queued", "undelivered", "failed"]:
        assert report(client, path, callback_params(SID, status)).status_code == 204

    message.refresh_from_db()
    assert (message.status, message.provider_status) == (Message.Status.DELIVERED, "delivered")
    assert message.delivered_at == delivered_at
    assert message.error == ""


def test_an_early_report_is_not_undone_by_a_late_one(client, public):
    # "delivered" overtook "sent" on the way: the late "sent" leaves it delivered.
    message = sent_message()
    report(client, for_message(message), callback_params(SID, "delivered"))
    report(client, for_message(message), callback_params(SID, "sent"))
    message.refresh_from_db()
    assert message.status == Message.Status.DELIVERED


@pytest.mark.parametrize(
    ("status", "expected"),
    [("undelivered", Message.Status.UNDELIVERED), ("failed", Message.Status.FAILED)],
)
def test_a_failed_delivery_is_recorded_with_twilios_error_code(client, public, status, expected):
    message = sent_message()

    report(client, for_message(message), callback_params(SID, status, ErrorCode="30003"))

    message.refresh_from_db()
    assert message.status == expected
    assert message.error == f"Twilio: {status} (kod 30003)"
    assert message.delivered_at is None


def test_a_report_settles_a_message_whose_worker_died_before_storing_the_sid(client, public):
    claimed = timezone.now()
    message = sent_message(
        status=Message.Status.UNCERTAIN,
        provider_id="",
        sent_at=None,
        claimed_at=claimed,
        body="eBOK: kod logowania 918273.",
        sensitive=True,
    )

    response = report(client, for_message(message), callback_params(SID, "delivered"))

    assert response.status_code == 204
    message.refresh_from_db()
    assert message.status == Message.Status.DELIVERED
    assert message.provider_id == SID
    assert message.sent_at == claimed
    assert message.body == REDACTED  # the code is not kept once the provider had it


def test_a_report_about_another_sms_changes_nothing(client, public):
    message = sent_message()
    other = "SM" + "ff" * 16

    response = report(client, for_message(message), callback_params(other, "undelivered"))

    assert response.status_code == 204  # nothing for Twilio to retry
    message.refresh_from_db()
    assert (message.status, message.provider_id) == (Message.Status.SENT, SID)


def test_a_report_of_an_attempt_staff_replaced_changes_nothing(client, public):
    # Uncertain, then re-queued by staff: a late report of the first attempt must not stop or
    # settle the new one.
    message = sent_message(status=Message.Status.QUEUED, provider_id="", sent_at=None)
    report(client, for_message(message), callback_params(SID, "delivered"))
    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED


def test_a_messaging_service_callback_finds_the_message_by_sid(client, public):
    message = sent_message()
    sent_message(provider_id="SM" + "bb" * 16)

    response = report(
        client, reverse("notifications:twilio_status"), callback_params(SID, "delivered")
    )

    assert response.status_code == 204
    message.refresh_from_db()
    assert message.status == Message.Status.DELIVERED
    assert Message.objects.filter(status=Message.Status.DELIVERED).count() == 1


def test_an_unknown_twilio_status_changes_nothing(client, public):
    message = sent_message()
    assert (
        report(client, for_message(message), callback_params(SID, "receiving")).status_code == 204
    )
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
