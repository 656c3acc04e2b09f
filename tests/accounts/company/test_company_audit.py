"""The company's audit log in the portal: filters, pages, Excel; and every action recorded."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.audit import Action, action_choices, audit_log
from accounts.models import AuditEntry
from tests.factories import StaffUserFactory

from ..company_helpers import actions, admin_client, make_admin, new_user_data, post_confirmed
from ..conftest import make_client_user

pytestmark = pytest.mark.django_db

URL = reverse("accounts:company_audit")


@pytest.fixture
def admin(company):
    return make_admin(company, first_name="Anna", last_name="Admin")


@pytest.fixture
def client(admin):
    return admin_client(admin)


def test_filters_by_user_action_and_dates(client, admin, company):
    jan = make_client_user(company=company, login="jan.k", first_name="Jan", last_name="Kowalski")
    AuditEntry.objects.create(  # an entry from January (the log is append-only: made so)
        user=jan,
        company=company,
        action=Action.SIGNIN_SUCCEEDED,
        details={"m": "STARE"},
        created_at=timezone.make_aware(dt.datetime(2026, 1, 10, 23, 30)),
    )
    audit_log(user=jan, action=Action.SIGNOUT, details={"m": "WYLOGOWANIE"})
    audit_log(user=admin, action=Action.SIGNIN_SUCCEEDED, details={"m": "ADMINA"})

    by_user = client.get(URL, {"user": jan.pk}).text
    assert "STARE" in by_user and "WYLOGOWANIE" in by_user and "ADMINA" not in by_user
    assert "Jan Kowalski (jan.k)" in by_user

    by_action = client.get(URL, {"action": Action.SIGNOUT}).text
    assert "WYLOGOWANIE" in by_action and "STARE" not in by_action
    assert "wylogowanie" in by_action  # the readable label

    by_dates = client.get(URL, {"date_from": "2026-01-01", "date_to": "10.01.2026"}).text
    assert "STARE" in by_dates and "WYLOGOWANIE" not in by_dates

    bad = client.get(URL, {"date_from": "2026-02-01", "date_to": "2026-01-01", "action": "x"})
    assert bad.status_code == 200
    assert "Data „do” nie może być wcześniejsza niż data „od”" in bad.text
    assert "Nieznane zdarzenie „x”" in bad.text


def test_every_action_label_is_offered_in_the_filter(client):
    page = client.get(URL).text
    for code, _label in action_choices():
        assert f'value="{code}"' in page, code


def test_pages_come_by_htmx(client, admin):
    for n in range(30):
        audit_log(user=admin, action=Action.SIGNOUT, details={"n": n})
    page = client.get(URL, {"page": 2}, headers={"HX-Request": "true", "HX-Target": "audit-list"})
    assert page.status_code == 200
    assert page.text.lstrip().startswith('<div id="audit-list"')
    assert "strona 2 z 2" in page.text


def test_staff_appear_as_customer_service(client, company):
    staff = StaffUserFactory(username="ewa.backoffice")
    user = make_client_user(company=company, login="jan.k")
    audit_log(user=staff, company=company, action=Action.ACCOUNT_UNLOCKED, obj=user)
    page = client.get(URL).text
    assert "obsługa klienta" in page and "ewa.backoffice" not in page


def test_the_excel_export_holds_the_filtered_entries_and_is_itself_audited(client, admin):
    audit_log(user=admin, action=Action.SIGNOUT, details={"m": "W-EKSPORCIE"})
    audit_log(user=admin, action=Action.SIGNIN_SUCCEEDED, details={"m": "POZA-EKSPORTEM"})

    response = client.get(reverse("accounts:company_audit_xlsx"), {"action": Action.SIGNOUT})

    assert response["Content-Disposition"].startswith('attachment; filename="Dziennik_zdarzen_')
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Data i godzina", "Użytkownik", "Zdarzenie")
    assert len(rows) == 2  # no amounts, no totals row
    assert rows[1][2] == "wylogowanie" and "W-EKSPORCIE" in rows[1][6]
    # One real date-time cell in Polish time, shown as 21.11.2026 14:05:09.
    entry = AuditEntry.objects.get(action=Action.SIGNOUT)
    local = timezone.localtime(entry.created_at).replace(tzinfo=None, microsecond=0)
    assert rows[1][0] == local
    assert sheet["A2"].number_format == "DD.MM.YYYY HH:MM:SS"
    entry = AuditEntry.objects.get(action=Action.AUDIT_EXPORTED)
    assert entry.user == admin and entry.details["filters"] == {"action": [Action.SIGNOUT]}


def test_every_action_of_company_administration_is_recorded(client, admin, company):
    post_confirmed(client, reverse("accounts:company_user_add"), new_user_data(), admin)
    user = company.users.get(login="ewa.nowa")
    for name in (
        "accounts:company_user_lock",
        "accounts:company_user_unlock",
        "accounts:company_user_reinvite",
        "accounts:company_user_deactivate",
    ):
        client.post(reverse(name, args=[user.pk]))
    recorded = actions(company=company, object_id=str(user.pk))
    assert recorded == [
        Action.USER_CREATED,
        Action.ACCOUNT_INVITED,
        Action.ACCOUNT_LOCKED,
        Action.ACCOUNT_UNLOCKED,
        Action.ACCOUNT_INVITED,
        Action.USER_DEACTIVATED,
    ]
    entries = AuditEntry.objects.filter(company=company, object_id=str(user.pk))
    assert all(e.user == admin and e.ip == "127.0.0.1" for e in entries)
    page = client.get(URL).text
    for label in ("dodanie użytkownika", "zablokowanie dostępu", "dezaktywacja użytkownika"):
        assert label in page
