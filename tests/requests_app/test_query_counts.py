"""The pages cost the same number of queries for a few applications or many."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.audit import AuditContext
from requests_app import services

from .helpers import client_user, pdf, settlement_question, signed_in, submit, text

pytestmark = pytest.mark.django_db


def queries(client, url: str) -> int:
    """The fewest of three requests: the session middleware writes now and then, and a cached
    figure (the contract numbers' suggestions) is recomputed when its entry is gone."""
    counts = []
    for _ in range(3):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        # The session is read from the database when its cache entry is gone: not the page's.
        counts.append(sum("django_session" not in q["sql"] for q in captured.captured_queries))
    return min(counts)


def add_requests(client, count: int) -> None:
    for _ in range(count):
        submit(client, settlement_question(), {"attachments": [pdf()]})


def test_the_list_and_the_form_cost_the_same_for_many_requests(company):
    from requests_app.models import Application

    client = signed_in(client_user(company))
    add_requests(client, 2)
    few = {
        name: queries(client, reverse(name)) for name in ("requests_app:list", "requests_app:new")
    }
    add_requests(client, 30)
    many = {
        name: queries(client, reverse(name)) for name in ("requests_app:list", "requests_app:new")
    }
    assert many == few
    assert Application.objects.count() == 32
    assert "Znalezione wnioski i sprawy: 32" in text(client.get(reverse("requests_app:list")))


def test_the_detail_costs_the_same_for_a_long_thread(company, staff_user):
    user = client_user(company)
    client = signed_in(user)
    add_requests(client, 1)
    from requests_app.models import Application

    application = Application.objects.get()
    url = reverse("requests_app:detail", args=[application.pk])
    client.get(url)  # first visit marks it read
    short = queries(client, url)
    audit = AuditContext(actor=staff_user)
    for n in range(8):
        services.application_staff_reply(
            application=application,
            by=staff_user,
            body=f"Odpowiedź {n}",
            files=[services_file(n)],
            audit=audit,
        )
    client.get(url)
    assert queries(client, url) == short


def services_file(n: int):
    from ebok.uploads import check_file

    return check_file(pdf(f"plik{n}.pdf"))
