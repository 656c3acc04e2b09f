"""Systems sign in with a key: wrong or revoked keys, scopes, IP allow-list, size and rate."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from accounts.models import Company
from feed.models import ApiClient, ImportBatch
from feed.services import api_client_create, api_client_revoke
from tests.feed import builders as b
from tests.feed.conftest import URL, FeedApi

pytestmark = pytest.mark.django_db


def test_no_key_is_401(client):
    response = client.post(URL, data={"records": []}, content_type="application/json")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert not ImportBatch.objects.exists()


def test_a_wrong_key_is_401(api_key):
    _client, key = api_key
    forged = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    for wrong in (forged, "ebok_000000000000_x", "not-a-key"):
        response = FeedApi(wrong).post([b.company(1)])
        assert response.status_code == 401, wrong
    assert not Company.objects.exists()


def test_a_revoked_key_is_401(api_key, feed_api):
    api_client_revoke(client=api_key[0])
    response = feed_api.post([b.company(1)])
    assert response.status_code == 401
    assert "unieważniony" in response.json()["detail"]
    assert not Company.objects.exists()


def test_the_key_is_stored_hashed(api_key):
    client, key = api_key
    stored = ApiClient.objects.get(pk=client.pk)
    assert key not in (stored.key_hash, stored.key_prefix)
    assert key.startswith(f"ebok_{stored.key_prefix}_")


def test_a_key_without_the_import_scope_is_403():
    _client, key = api_client_create(name="Raporty", scope=ApiClient.Scope.REPORTS)
    response = FeedApi(key).post([b.company(1)])
    assert response.status_code == 403
    assert not Company.objects.exists()


def test_an_importer_reads_only_its_own_batch_reports(feed_api):
    own = feed_api.post([b.company(1)]).json()["batch"]
    _other, other_key = api_client_create(name="Inny system")
    foreign = FeedApi(other_key).post([b.company(2)]).json()["batch"]

    assert feed_api.get(f"{URL}{own}/").json()["status"] == "applied"
    assert feed_api.get(f"{URL}{foreign}/").status_code == 404
    _reports, reports_key = api_client_create(name="Raporty", scope=ApiClient.Scope.REPORTS)
    assert FeedApi(reports_key).get(f"{URL}{foreign}/").status_code == 200


def test_the_ip_allow_list(api_key, feed_api):
    client = api_key[0]
    client.allowed_ips = "10.0.0.0/8, 192.168.1.5"
    client.save()

    refused = feed_api.post([b.company(1)])  # the test client comes from 127.0.0.1
    allowed = feed_api.post([b.company(1)], REMOTE_ADDR="10.20.30.40")

    assert refused.status_code == 403
    assert allowed.status_code == 200


def test_an_oversized_body_is_413_and_logged(feed_api, settings):
    settings.FEED_MAX_BODY_BYTES = 2000
    records = [b.company(n) for n in range(1, 20)]

    response = feed_api.post(records)

    assert response.status_code == 413
    assert not Company.objects.exists()
    batch = ImportBatch.objects.get()
    assert batch.status == "rejected" and "2000" in batch.message


def test_too_many_records_is_413(feed_api, settings):
    settings.FEED_MAX_RECORDS = 3
    response = feed_api.post([b.company(n) for n in range(1, 5)])
    assert response.status_code == 413


def test_a_body_that_is_not_json_is_400(feed_api):
    assert feed_api.post(body=b'{"records": [').status_code == 400
    assert feed_api.post(body=json.dumps([1]).encode()).status_code == 400


def test_the_rate_limit_is_429(api_key, feed_api, monkeypatch, settings):
    import feed.authentication

    # One fixed minute: a window boundary between the requests would reset the count.
    monkeypatch.setattr(feed.authentication, "time", SimpleNamespace(time=lambda: 6_000_030.0))
    # The count in a cache of this test's own: under pytest-xdist every worker shares one Redis
    # key prefix, and the other workers' tests empty it between this test's requests.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    client = api_key[0]
    client.rate_limit_per_minute = 2
    client.save()

    codes = [feed_api.post([]).status_code for _ in range(3)]

    assert codes == [200, 200, 429]
    assert "Retry-After" in feed_api.post([]).headers


def test_a_body_under_the_limit_but_over_djangos_upload_limit_is_read(feed_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000  # Django's own limit does not apply here
    record = b.company(1, note="x" * 5000)  # fields the schema does not know are ignored
    response = feed_api.post([record])
    assert response.status_code == 200


def test_an_overflowing_batch_id_is_404(feed_api):
    for pk in ("99999999999999999999", str(2**63)):
        assert feed_api.get(f"{URL}{pk}/").status_code == 404
