from __future__ import annotations

import json

import pytest
from django.test import Client

from feed.services import api_client_create

URL = "/api/core/v1/batches/"


class FeedApi:
    """The core system's side: an HTTP client holding a real key."""

    def __init__(self, key: str, **extra) -> None:
        self.key = key
        self.http = Client(**extra)

    def post(self, records: list[dict] | None = None, *, body: bytes | None = None, **extra):
        if body is None:
            body = json.dumps({"records": records}).encode()
        return self.http.post(
            URL,
            data=body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {self.key}"},
            **extra,
        )

    def get(self, url: str, **extra):
        return self.http.get(url, headers={"Authorization": f"Bearer {self.key}"}, **extra)


@pytest.fixture
def api_key(db):
    client, key = api_client_create(name="System leasingowy")
    return client, key


@pytest.fixture
def feed_api(api_key) -> FeedApi:
    return FeedApi(api_key[1])
