"""Statuses, history, unread markers, notifications and the unread reminder."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.audit import AuditContext
from accounts.models import AuditEntry
from documents import services
from documents.models import DocumentProcess
from documents.tasks import unread_reminder_scan
from notifications.models import Message
from tests.factories import ContractFactory, UserFactory

from .conftest import checked
from .pdfs import sign_pdf, simple_pdf

pytestmark = pytest.mark.django_db

Status = DocumentProcess.Status


def test_a_negotiation_moves_through_the_reference_statuses_and_records_each_step(
    process, signer, staff, staff_audit
):
    client = AuditContext(actor=signer)
    assert process.status == Status.CLIENT
    services.comment_add(
        process=process, text="Prosimy o niższą opłatę.", side="client", audit=client
    )
    process.refresh_from_db()
    assert process.status == Status.PROCESSING
    v2_pdf = simple_pdf("Umowa leasingu operacyjnego UL/2026/00042", "Oplata: 100 zl")
    services.version_publish(
        process=process, file=checked(v2_pdf), note="Obniżona opłata", audit=staff_audit
    )
    process.refresh_from_db()
    assert process.status == Status.CLIENT
    services.signed_version_upload(process=process, file=checked(sign_pdf(v2_pdf)), audit=client)
    process.refresh_from_db()
    assert process.status == Status.PROCESSING
    assert process.signed_version.signs_version.number == 2
    services.process_close(process=process, audit=staff_audit)
    process.refresh_from_db()
    assert process.status == Status.DONE

    steps = [
        (e.action, e.actor, e.status_before, e.status_after)
        for e in process.events.order_by("created_at", "pk")
    ]
    assert steps == [
        ("created", staff, "", ""),
        ("comment", signer, "client", "processing"),
        ("version", staff, "processing", "client"),
        ("signed", signer, "client", "processing"),
        ("closed", staff, "processing", "done"),
    ]
    actions = set(
        AuditEntry.objects.filter(company=process.company).values_list("action", flat=True)
    )
    assert {
        "documents.created",
        "documents.commented",
        "documents.version_published",
        "documents.signed_uploaded",
        "documents.closed",
    } <= actions


def test_a_signed_upload_must_sign_the_latest_published_version(
    process, signer, staff_audit, published_pdf
):
    services.version_publish(
        process=process, file=checked(simple_pdf("Umowa v2")), audit=staff_audit
    )
    with pytest.raises(services.SignatureRefused) as refused:
        services.signed_version_upload(
            process=process, file=checked(sign_pdf(published_pdf)), audit=AuditContext(actor=signer)
        )
    assert "wersja 2" in str(refused.value.message)
    assert process.versions.count() == 2


def test_a_rejected_process_reopens_with_a_new_version_and_a_closed_one_stays_closed(
    process, signer, staff_audit
):
    services.process_reject(
        process=process, reason="Błędna kwota", audit=AuditContext(actor=signer)
    )
    process.refresh_from_db()
    assert process.status == Status.REJECTED
    with pytest.raises(services.DocumentError):
        services.process_accept(process=process, audit=AuditContext(actor=signer))
    services.version_publish(
        process=process, file=checked(simple_pdf("Umowa v2")), audit=staff_audit
    )
    process.refresh_from_db()
    assert process.status == Status.CLIENT
    services.process_close(process=process, audit=staff_audit)
    for step in (
        lambda: services.version_publish(
            process=process, file=checked(simple_pdf("v3")), audit=staff_audit
        ),
        lambda: services.comment_add(
            process=process, text="x", side="client", audit=AuditContext(actor=signer)
        ),
        lambda: services.process_close(process=process, audit=staff_audit),
    ):
        with pytest.raises(services.DocumentError):
            step()


def test_unread_markers_on_both_sides(process, signer, staff_audit):
    assert process.unread_by_client and not process.unread_by_staff
    services.process_mark_seen(process=process, side="client")
    services.comment_add(
        process=process, text="Pytanie", side="client", audit=AuditContext(actor=signer)
    )
    process.refresh_from_db()
    assert not process.unread_by_client and process.unread_by_staff
    services.process_mark_seen(process=process, side="staff")
    services.comment_add(process=process, text="Odpowiedź", side="staff", audit=staff_audit)
    process.refresh_from_db()
    assert process.unread_by_client and not process.unread_by_staff


def test_reopening_a_read_process_writes_nothing(process, django_assert_num_queries):
    services.process_mark_seen(process=process, side="client")
    first_seen = DocumentProcess.objects.get(pk=process.pk).client_seen_at
    assert first_seen is not None
    with django_assert_num_queries(0):  # nothing new since: a read, not a write
        services.process_mark_seen(process=process, side="client")
    assert DocumentProcess.objects.get(pk=process.pk).client_seen_at == first_seen


def _events_for(user) -> set[str]:
    return set(Message.objects.filter(user=user).values_list("event", flat=True))


def test_readers_of_a_process_are_notified_and_nobody_else(
    make_process, company, contract, signer, other_company
):
    restricted_here = UserFactory(company=company, contracts_restricted=True)
    restricted_here.allowed_contracts.add(contract)
    restricted_elsewhere = UserFactory(company=company, contracts_restricted=True)
    restricted_elsewhere.allowed_contracts.add(ContractFactory(company=company))
    stranger = UserFactory(company=other_company)
    make_process(title="Aneks")
    assert {"documents.to_sign", "documents.new_process"} <= _events_for(signer)
    assert "documents.to_sign" in _events_for(restricted_here)
    assert _events_for(restricted_elsewhere) == set() and _events_for(stranger) == set()
    sms = Message.objects.get(user=signer, event="documents.to_sign", channel="sms")
    assert "Aneks" in sms.body


def test_a_new_version_and_a_staff_comment_are_notified(process, signer, staff_audit):
    services.version_publish(process=process, file=checked(simple_pdf("v2")), audit=staff_audit)
    services.comment_add(process=process, text="Proszę o podpis", side="staff", audit=staff_audit)
    assert {"documents.new_version", "documents.new_comment"} <= _events_for(signer)
    assert "documents.to_receive" not in _events_for(signer)


def test_the_unread_reminder_goes_once_per_step_and_only_for_unopened_documents(
    make_process, signer, staff_audit
):
    old = make_process(title="Stary aneks")
    opened = make_process(title="Otwarty aneks")
    fresh = make_process(title="Nowy aneks")
    long_ago = timezone.now() - dt.timedelta(days=5)
    DocumentProcess.objects.filter(pk__in=[old.pk, opened.pk]).update(staff_activity_at=long_ago)
    services.process_mark_seen(process=opened, side="client")
    today = timezone.localdate()

    assert unread_reminder_scan(today) >= 1
    reminders = Message.objects.filter(event="documents.unread")
    assert set(reminders.values_list("link", flat=True)) == {f"/dokumenty/{old.pk}/"}
    count = reminders.count()
    assert unread_reminder_scan(today) == 0  # a second run sends nothing
    assert reminders.count() == count
    assert fresh.pk  # too recent for a reminder

    services.version_publish(process=old, file=checked(simple_pdf("v2")), audit=staff_audit)
    DocumentProcess.objects.filter(pk=old.pk).update(
        staff_activity_at=timezone.now() - dt.timedelta(days=4)
    )
    assert unread_reminder_scan(today) >= 1  # a later step earns its own reminder


def test_the_reminder_scan_is_registered_for_the_daily_beat(settings):
    from notifications.events import get_scan

    assert get_scan("documents.unread") is unread_reminder_scan
    tasks = {entry.get("args", (None,))[0] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "documents.unread" in tasks
