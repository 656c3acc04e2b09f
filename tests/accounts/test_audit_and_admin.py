"""The audit log is append-only; staff browse it, unlock users and create client users."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from accounts.audit import Action, audit_context, audit_log
from accounts.models import AuditEntry, User
from accounts.services import user_lock
from notifications.models import Message
from tests.factories import CompanyFactory

from .helpers import sign_in

pytestmark = pytest.mark.django_db


def test_audit_log_records_who_what_where(rf, client_user):
    request = rf.post("/x/", REMOTE_ADDR="203.0.113.7", headers={"User-Agent": "Firefox/140"})
    request.user = client_user
    entry = audit_log(
        audit=audit_context(request),
        action="invoices.downloaded",
        obj=client_user.company,
        details={"n": 3},
    )
    assert entry.user == client_user
    assert entry.company == client_user.company
    assert entry.actor == client_user.username
    assert entry.object_type == "accounts.company"
    assert entry.object_id == str(client_user.company.pk)
    assert entry.ip == "203.0.113.7"
    assert entry.user_agent == "Firefox/140"
    assert entry.details == {"n": 3}


def test_entries_cannot_be_changed_or_deleted_through_the_orm(client_user):
    entry = audit_log(user=client_user, action="x")
    entry.action = "y"
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="y")
    with pytest.raises(TypeError):
        AuditEntry.objects.all().delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL trigger")
def test_the_database_refuses_updates_and_deletes(client_user):
    entry = audit_log(user=client_user, action="x")
    for sql in (
        "UPDATE accounts_auditentry SET action = 'y' WHERE id = %s",
        "DELETE FROM accounts_auditentry WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).action == "x"


def test_staff_browse_and_filter_the_audit_log_but_cannot_change_it(
    otp_admin_client, client, client_user
):
    sign_in(client, client_user)
    url = reverse("admin:accounts_auditentry_changelist")
    page = otp_admin_client.get(url, {"action": Action.SIGNIN_SUCCEEDED})
    assert page.status_code == 200
    assert "logowanie udane" in page.text
    shown = page.context["cl"].result_list
    assert [e.action for e in shown] == [Action.SIGNIN_SUCCEEDED]
    assert otp_admin_client.get(url, {"q": "127.0.0.1"}).status_code == 200
    entry = AuditEntry.objects.first()
    detail = otp_admin_client.get(reverse("admin:accounts_auditentry_change", args=[entry.pk]))
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.text
    assert otp_admin_client.get(reverse("admin:accounts_auditentry_add")).status_code == 403
    delete = reverse("admin:accounts_auditentry_delete", args=[entry.pk])
    assert otp_admin_client.post(delete, {"post": "yes"}).status_code == 403


def test_staff_see_the_lock_and_unlock_the_user(otp_admin_client, client_user, staff_user):
    user_lock(user=client_user, reason="password")
    changelist = reverse("admin:accounts_user_changelist")
    page = otp_admin_client.get(changelist, {"locked": "yes"})
    assert client_user.login in page.text
    assert "zablokowany" in page.text

    response = otp_admin_client.post(
        changelist, {"action": "unlock_users", "_selected_action": [client_user.pk]}, follow=True
    )
    assert "Odblokowano użytkowników: 1." in response.text
    client_user.refresh_from_db()
    assert not client_user.is_locked
    assert client_user.failed_signin_count == 0
    entry = AuditEntry.objects.get(action=Action.ACCOUNT_UNLOCKED)
    assert entry.user == staff_user
    assert entry.object_id == str(client_user.pk)
    assert entry.company == client_user.company


def test_creating_a_client_user_in_admin_sends_the_first_sign_in_sms(otp_admin_client):
    company = CompanyFactory()
    response = otp_admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "company": company.pk,
            "login": "marta.wisniewska",
            "username": "",
            "first_name": "Marta",
            "last_name": "Wiśniewska",
            "email": "marta@example.pl",
            "phone": "+48602300400",
            "usable_password": "false",
            "password1": "",
            "password2": "",
        },
        follow=True,
    )
    assert response.status_code == 200, response.text
    user = User.objects.get(login="marta.wisniewska")
    assert user.username == f"{company.client_number}.marta.wisniewska"
    assert user.must_change_password
    assert not user.is_staff and not user.has_usable_password()
    sms = Message.objects.get(channel="sms", user=user)
    assert sms.recipient == "+48602300400"
    assert "haslo jednorazowe" in sms.body
    assert AuditEntry.objects.filter(action=Action.ACCOUNT_INVITED, object_id=str(user.pk))


def test_client_users_cannot_enter_the_admin(client, client_user):
    sign_in(client, client_user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_a_client_user_can_never_be_staff(client_user):
    from django.db import IntegrityError

    client_user.is_staff = True
    with pytest.raises(IntegrityError), transaction.atomic():
        client_user.save()
