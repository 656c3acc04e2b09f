from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def catalogue(request):
    """The seeded request types are the data migration's rows; a transactional test (here or in
    another suite) flushes them, so they are loaded again where missing."""
    if request.node.get_closest_marker("django_db") is None:
        return
    from requests_app.catalogue import load_catalogue
    from requests_app.models import Fee, RequestField, RequestType

    if not RequestType.objects.filter(code="travel-abroad").exists():
        load_catalogue(Fee, RequestType, RequestField)
