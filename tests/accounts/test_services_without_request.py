"""Services take an AuditContext, never the HTTP request: a Celery task, a management command or
an import calls them the way a view does, and the audit log still says who and from where."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from django.http import HttpRequest
from django.test import RequestFactory
from django.utils import timezone

import accounts
from accounts.audit import AuditContext, audit_context
from accounts.company.services import company_user_lock
from accounts.models import AccessApplication, AuditEntry, User
from accounts.profile.email_change import email_change_request
from accounts.public.services import access_application_approve
from notifications.models import Message
from tests.factories import CompanyFactory, ContractFactory, StaffUserFactory

from .company_helpers import make_admin
from .conftest import make_client_user
from .helpers import last_sms

pytestmark = pytest.mark.django_db

IMPORT_JOB = {"ip": "198.51.100.23", "user_agent": "ebok-import/1.0 (nightly feed)"}


def lock_from_a_task(*, admin_id: int, user_id: int) -> None:
    """What a Celery task or a command does: ids in, a context built by hand, the service."""
    admin = User.objects.select_related("company").get(pk=admin_id)
    user = User.objects.get(pk=user_id)
    audit = AuditContext(actor=admin, company=admin.company, **IMPORT_JOB)
    company_user_lock(actor=admin, user=user, audit=audit)


def test_a_company_admins_lock_runs_without_a_request_and_is_audited_as_given(company):
    admin = make_admin(company)
    jan = make_client_user(company=company, login="jan.k")

    lock_from_a_task(admin_id=admin.pk, user_id=jan.pk)

    jan.refresh_from_db()
    assert jan.is_locked
    assert "zablokowany przez administratora" in last_sms(jan).body
    entry = AuditEntry.objects.get(action="account.locked")
    assert (entry.user, entry.company, entry.actor) == (admin, company, admin.username)
    assert (entry.ip, entry.user_agent) == (IMPORT_JOB["ip"], IMPORT_JOB["user_agent"])
    assert entry.object_id == str(jan.pk)


def test_staff_approve_an_access_application_from_a_command():
    company = CompanyFactory()
    ContractFactory(company=company, number="UL/2026/00077")
    application = AccessApplication.objects.create(
        nip=company.nip,
        contract_number="UL/2026/00077",
        first_name="Ewa",
        last_name="Nowa",
        email="ewa.nowa@firma.example.pl",
        phone="+48605111333",
        terms_accepted_at=timezone.now(),
    )
    staff = StaffUserFactory()

    user = access_application_approve(
        application=application, by=staff, audit=AuditContext(actor=staff, **IMPORT_JOB)
    )

    assert user.is_company_admin and Message.objects.filter(user=user, channel="sms").exists()
    entries = AuditEntry.objects.filter(company=company).order_by("pk")
    assert [e.action for e in entries] == [
        "access_application.approved",
        "account.created",
        "account.invited",
    ]
    assert {(e.user, e.ip, e.user_agent) for e in entries} == {
        (staff, IMPORT_JOB["ip"], IMPORT_JOB["user_agent"])
    }


def test_a_link_mailed_without_a_request_uses_the_public_address(company, settings):
    settings.PUBLIC_BASE_URL = "https://ebok.leasing.example.pl/"
    user = make_client_user(company=company, login="jan.k")

    email_change_request(user=user, new_email="jan@nowa.example.pl", by=user)

    link = Message.objects.get(channel="email", recipient="jan@nowa.example.pl")
    assert "https://ebok.leasing.example.pl/email/potwierdz/" in link.body


def test_a_view_builds_the_context_from_its_request(client_user):
    request = RequestFactory().post(
        "/x/", REMOTE_ADDR="203.0.113.7", headers={"User-Agent": "Firefox/140"}
    )
    request.user = client_user

    audit = audit_context(request)

    assert audit == AuditContext(
        actor=client_user,
        company=client_user.company,
        ip="203.0.113.7",
        user_agent="Firefox/140",
        base_url="http://testserver/",
    )
    assert audit.absolute_url("/regulamin/") == "http://testserver/regulamin/"


def _service_modules():
    for info in pkgutil.walk_packages(accounts.__path__, "accounts."):
        name = info.name
        if name.endswith((".services", ".stepup", ".codes", ".email_change")):
            yield importlib.import_module(name)


def test_no_service_takes_the_request():
    modules = list(_service_modules())
    assert {m.__name__ for m in modules} >= {
        "accounts.services",
        "accounts.codes",
        "accounts.stepup",
        "accounts.signin.services",
        "accounts.company.services",
        "accounts.profile.services",
        "accounts.profile.email_change",
        "accounts.public.services",
    }
    offenders = [
        f"{module.__name__}.{name}({param})"
        for module in modules
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if function.__module__ == module.__name__
        for param, spec in inspect.signature(function).parameters.items()
        if param == "request"
        or "HttpRequest" in str(spec.annotation)
        or spec.annotation is HttpRequest
    ]
    assert offenders == []
