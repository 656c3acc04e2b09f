"""The company audit log shows every entry's details in words: labelled keys, readable values,
never code or JSON."""

from __future__ import annotations

import ast
import html
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.audit import audit_log, detail_label, details_text
from accounts.models import AuditEntry

from .company_helpers import admin_client, make_admin

pytestmark = pytest.mark.django_db

URL = reverse("accounts:company_audit")


@pytest.fixture
def admin(company):
    return make_admin(company, first_name="Anna", last_name="Admin")


def shown(client) -> str:
    page = re.sub(r"<[^>]+>", " ", client.get(URL).content.decode())
    return " ".join(html.unescape(page).split())


def test_an_applications_details_are_labelled_in_polish(admin):
    audit_log(
        user=admin,
        action="application.submitted",
        details={
            "number": "WN/2026/12/0001",
            "type": "insurance",
            "contract": "UM/7",
            "status": "",
        },
    )

    page = shown(admin_client(admin))

    assert "wniosek: złożony" in page
    for shown_detail in ("numer: WN/2026/12/0001", "rodzaj: insurance", "umowa: UM/7", "status: —"):
        assert shown_detail in page
    assert "type:" not in page and "contract:" not in page


def test_nested_and_unknown_details_read_as_words_not_json(admin):
    audit_log(
        user=admin,
        action="online_payment.rejected",
        details={
            "reason": "amount_mismatch",
            "gateway_order": {"order_id": "A-1", "amount": "10.00"},
            "invoices": ["FV/1", "FV/2"],
        },
    )

    page = shown(admin_client(admin))

    assert "gateway order: kwota: 10.00, order id: A-1" in page
    assert "faktury: FV/1, FV/2" in page
    assert "{" not in page.split("Dziennik zdarzeń")[-1] and '["' not in page


def test_notification_settings_changes_name_the_events_and_the_language(admin):
    audit_log(
        user=admin,
        action="notifications.settings_changed",
        details={"events": ["invoice.issued"], "language": "en", "payment_due_days": 5},
    )

    page = shown(admin_client(admin))

    assert "zdarzenia: Nowa faktura" in page
    assert "język wiadomości: angielski" in page
    assert "przypomnienie o płatności (dni): 5" in page


def test_a_changed_field_is_named(admin):
    entry = audit_log(
        user=admin, action="account.updated", details={"changed": {"last_name": ["Nowak", "Kos"]}}
    )
    assert details_text(entry) == "zmiany: nazwisko: Nowak → Kos"


def _detail_keys_written_by_the_apps() -> set[str]:
    keys: set[str] = set()
    for path in Path(settings.BASE_DIR).rglob("*.py"):
        if {".venv", "tests", "bench", "migrations"} & set(path.parts):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            values = []
            if isinstance(node, ast.Call):
                values = [kw.value for kw in node.keywords if kw.arg == "details"]
            elif isinstance(node, ast.FunctionDef) and "details" in node.name:
                values = [node]
            for value in values:
                for item in ast.walk(value):
                    if isinstance(item, ast.Dict):
                        keys |= {k.value for k in item.keys if isinstance(k, ast.Constant)}
    return keys


def test_every_detail_key_the_apps_write_has_a_label():
    keys = _detail_keys_written_by_the_apps() - {"digest", "known"}  # hidden from readers
    assert {"type", "number", "status"} <= keys
    unlabelled = sorted(k for k in keys if detail_label(k) == k.replace("_", " "))
    # "login" and "status" read the same in Polish as the code: they are labelled on purpose.
    assert set(unlabelled) <= {"login", "status"}, unlabelled


def test_the_audit_page_has_no_entry_details_in_code_form(admin):
    AuditEntry.objects.create(
        user=admin, company=admin.company, action="x.y", details={"some_key": None}
    )
    page = shown(admin_client(admin))
    assert "some key: —" in page and "None" not in page
