"""The OpenAPI document is served and valid."""

from __future__ import annotations

import pytest
import yaml
from django.core.management import call_command
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db


def test_the_openapi_document_is_served_and_valid(client):
    response = client.get("/api/core/v1/schema/")

    assert response.status_code == 200
    document = yaml.safe_load(response.content)
    validate_schema(document)  # raises on an invalid document
    assert "/api/core/v1/batches/" in document["paths"]
    assert document["components"]["securitySchemes"]["coreSystemKey"]["scheme"] == "bearer"
    kinds = document["components"]["schemas"]["Record"]["discriminator"]["mapping"]
    assert {"company", "contract", "schedule", "invoice", "correction", "payment"} <= set(kinds)


def test_the_framework_schema_check_passes_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))
