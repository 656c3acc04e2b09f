"""Operating the outbox: staff filter it in admin and settle what needs a decision; operators
inspect and resend from `manage.py notifications`."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.admin.models import LogEntry
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from notifications.models import Message
from notifications.tasks import deliver_message

pytestmark = pytest.mark.django_db


def changelist() -> str:
    return reverse("admin:notifications_message_changelist")


def message(status=Message.Status.FAILED, **fields) -> Message:
    defaults = {
        "channel": "sms",
        "recipient": "+48600100200",
        "body": "Nowa faktura FV/7/2026",
        "attempts": 1,
        "error": "Twilio 503",
    }
    return Message.objects.create(status=status, **{**defaults, **fields})


def act(client, action: str, messages: list[Message], **extra):
    return client.post(
        changelist(),
        {"action": action, "_selected_action": [m.pk for m in messages], **extra},
        follow=True,
    )


# --- admin --------------------------------------------------------------------------------------


def test_staff_filter_the_uncertain_messages(otp_admin_client):
    uncertain = message(Message.Status.UNCERTAIN, recipient="+48600111111")
    message(Message.Status.SENT, recipient="+48600222222")

    page = otp_admin_client.get(changelist(), {"status__exact": "uncertain"})

    assert page.status_code == 200
    assert uncertain.recipient in page.text
    assert "+48600222222" not in page.text
    assert "Wynik nieznany" in page.text or "wynik nieznany" in page.text  # the filter's choice


def test_a_failed_message_is_retried_after_a_confirmation(
    otp_admin_client, django_capture_on_commit_callbacks
):
    failed = message()

    confirm = act(otp_admin_client, "retry", [failed])
    assert "Ponowić wysyłkę?" in confirm.text
    assert Message.objects.get(pk=failed.pk).status == Message.Status.FAILED  # not yet

    with django_capture_on_commit_callbacks(execute=True):
        done = act(otp_admin_client, "retry", [failed], apply="1")

    assert "Ponowiono wysyłkę: 1." in done.text
    failed.refresh_from_db()
    assert failed.status == Message.Status.SENT  # queued again and delivered
    assert failed.attempts == 1 and failed.error == ""
    assert LogEntry.objects.get(object_id=str(failed.pk)).get_change_message() == (
        "Ponowiono wysyłkę"
    )


def test_retrying_an_uncertain_message_needs_consent_to_a_duplicate(
    otp_admin_client, django_capture_on_commit_callbacks
):
    uncertain = message(Message.Status.UNCERTAIN, error="Wynik wysyłki nieznany")

    confirm = act(otp_admin_client, "retry", [uncertain])
    assert "zaznaczonych: 1. Mogły już dotrzeć do odbiorcy i po ponowieniu dotrą drugi raz" in (
        confirm.text
    )

    refused = act(otp_admin_client, "retry", [uncertain], apply="1")
    assert refused.status_code == 200
    assert "To pole jest wymagane." in refused.text
    assert Message.objects.get(pk=uncertain.pk).status == Message.Status.UNCERTAIN

    with django_capture_on_commit_callbacks(execute=True):
        act(otp_admin_client, "retry", [uncertain], apply="1", accept_duplicate="on")
    uncertain.refresh_from_db()
    assert uncertain.status == Message.Status.SENT


def test_one_time_codes_and_sent_messages_are_not_retried(otp_admin_client):
    code = message(body="eBOK: kod logowania 112233.", sensitive=True)
    sent = message(Message.Status.DELIVERED)

    done = act(otp_admin_client, "retry", [code, sent], apply="1")

    assert "Kodów i haseł jednorazowych nie wysyła się ponownie" in done.text
    assert "Ponowić można tylko wiadomość z błędem" in done.text
    assert Message.objects.get(pk=code.pk).status == Message.Status.FAILED
    assert Message.objects.get(pk=sent.pk).status == Message.Status.DELIVERED


def test_a_queued_message_is_cancelled_and_its_task_then_skips_it(otp_admin_client):
    queued = message(Message.Status.QUEUED, attempts=0, error="")
    sent = message(Message.Status.SENT)

    done = act(otp_admin_client, "cancel", [queued, sent])

    assert "Anulowano: 1." in done.text
    assert "Anulować można tylko wiadomość w kolejce" in done.text
    queued.refresh_from_db()
    assert queued.status == Message.Status.CANCELLED
    assert deliver_message.delay(queued.pk).get() == "skipped"
    assert Message.objects.get(pk=sent.pk).status == Message.Status.SENT


def test_an_uncertain_message_found_at_the_provider_is_confirmed_sent(otp_admin_client):
    claimed = timezone.now() - dt.timedelta(minutes=30)
    uncertain = message(Message.Status.UNCERTAIN, claimed_at=claimed)

    done = act(otp_admin_client, "confirm_sent", [uncertain])

    assert "Potwierdzono wysłanie: 1." in done.text
    uncertain.refresh_from_db()
    assert (uncertain.status, uncertain.sent_at) == (Message.Status.SENT, claimed)
    assert deliver_message.delay(uncertain.pk).get() == "skipped"


# --- manage.py notifications --------------------------------------------------------------------


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("notifications", *args, stdout=out)
    return out.getvalue()


def test_the_command_lists_by_status_age_and_user(staff_user):
    old = message(Message.Status.UNCERTAIN, recipient="+48600000001", user=staff_user)
    Message.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(hours=3))
    message(Message.Status.UNCERTAIN, recipient="+48600000002")
    message(Message.Status.SENT, recipient="+48600000003", user=staff_user)

    by_status_and_age = run("--status", "uncertain", "--older-than", "2h")
    by_user = run("--user", staff_user.username)

    assert "+48600000001" in by_status_and_age
    assert "+48600000002" not in by_status_and_age and "+48600000003" not in by_status_and_age
    assert "1 of 1 shown (uncertain: 1)" in by_status_and_age
    assert "+48600000001" in by_user and "+48600000003" in by_user
    assert "+48600000002" not in by_user


def test_the_command_shows_one_message_without_its_code():
    code = message(body="eBOK: kod logowania 445566.", sensitive=True, provider_id="SM1")

    shown = run("--show", str(code.pk))

    assert "status: failed" in shown and "provider_id: SM1" in shown
    assert "445566" not in shown


def test_the_command_resends_a_failed_message(django_capture_on_commit_callbacks):
    failed = message()

    with django_capture_on_commit_callbacks(execute=True):
        assert f"Message {failed.pk} queued again." in run("--resend", str(failed.pk))

    failed.refresh_from_db()
    assert failed.status == Message.Status.SENT


def test_the_command_resends_an_uncertain_message_only_when_told_it_may_duplicate(
    django_capture_on_commit_callbacks,
):
    uncertain = message(Message.Status.UNCERTAIN)

    with pytest.raises(CommandError, match="--accept-duplicate"):
        run("--resend", str(uncertain.pk))
    assert Message.objects.get(pk=uncertain.pk).status == Message.Status.UNCERTAIN

    with django_capture_on_commit_callbacks(execute=True):
        run("--resend", str(uncertain.pk), "--accept-duplicate")
    assert Message.objects.get(pk=uncertain.pk).status == Message.Status.SENT


def test_the_command_names_an_unknown_message_and_a_bad_age():
    with pytest.raises(CommandError, match="No message 999999"):
        run("--show", "999999")
    with pytest.raises(CommandError, match="older-than"):
        run("--older-than", "yesterday")
