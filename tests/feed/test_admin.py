"""Staff manage API clients in admin: the key is shown once, stored hashed, revocable."""

from __future__ import annotations

import re

import pytest

from accounts.models import AuditEntry
from feed.models import ApiClient, ReconciliationLine
from tests.feed import builders as b
from tests.feed.conftest import FeedApi

pytestmark = pytest.mark.django_db


def test_staff_create_a_key_and_see_it_once(otp_admin_client):
    response = otp_admin_client.post(
        "/admin/feed/apiclient/add/",
        {"name": "System leasingowy", "scope": "import", "allowed_ips": "", "_save": "1"},
    )

    assert response.status_code == 200
    key = re.search(r'value="(ebok_[^"]+)"', response.content.decode()).group(1)
    client = ApiClient.objects.get()
    assert client.key_hash != key and key not in client.key_hash
    assert FeedApi(key).post([b.company(1)]).status_code == 200
    change_page = otp_admin_client.get(f"/admin/feed/apiclient/{client.pk}/change/")
    assert key not in change_page.content.decode()
    assert AuditEntry.objects.filter(action="feed.client_created").exists()


def test_an_invalid_ip_allow_list_is_refused(otp_admin_client):
    response = otp_admin_client.post(
        "/admin/feed/apiclient/add/",
        {"name": "X", "scope": "import", "allowed_ips": "10.0.0.300", "_save": "1"},
    )
    assert response.status_code == 200
    assert "Niepoprawny adres" in response.content.decode()
    assert not ApiClient.objects.exists()


def test_staff_revoke_a_key(otp_admin_client, api_key, feed_api):
    client = api_key[0]
    otp_admin_client.post(
        "/admin/feed/apiclient/",
        {"action": "revoke", "_selected_action": [client.pk]},
    )

    client.refresh_from_db()
    assert client.is_revoked
    assert feed_api.post([b.company(1)]).status_code == 401


def test_the_batch_log_is_shown(otp_admin_client, feed_api):
    batch_id = feed_api.post(b.full_company(1)).json()["batch"]
    assert otp_admin_client.get("/admin/feed/importbatch/").status_code == 200
    page = otp_admin_client.get(f"/admin/feed/importbatch/{batch_id}/change/")
    assert page.status_code == 200 and "System leasingowy" in page.content.decode()


def test_staff_filter_revoked_keys(otp_admin_client, api_key):
    from feed.services import api_client_create, api_client_revoke

    revoked, _key = api_client_create(name="Stary system")
    api_client_revoke(client=revoked)
    page = otp_admin_client.get("/admin/feed/apiclient/?state=revoked").content.decode()
    assert "Stary system" in page and "System leasingowy" not in page


def test_staff_mark_a_mismatch_resolved(otp_admin_client, feed_api):
    records = b.full_company(1)
    records[-1] = b.balance(1, "1.00")
    feed_api.post(records)
    line = ReconciliationLine.objects.get()

    otp_admin_client.post(
        "/admin/feed/reconciliationline/",
        {"action": "mark_resolved", "_selected_action": [line.pk]},
    )

    line.refresh_from_db()
    assert line.mismatch and line.resolved_at is not None and not line.is_open
    page = otp_admin_client.get(f"/admin/feed/reconciliationline/{line.pk}/change/")
    assert page.status_code == 200 and b'name="core_balance"' not in page.content
