"""Ownership and permissions for every URL: another company's request or file is a 404; no
permission is a 403; a user restricted to chosen contracts sees and submits only for those.
Downloads are whole files and change nothing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from requests_app.models import Application
from tests.downloads import read_xlsx

from .helpers import (
    client_user,
    only_application,
    pdf,
    settlement_question,
    signed_in,
    submit,
    travel_abroad,
    vehicle_contract,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def theirs(other_company):
    """Another company's request with an attachment."""
    submit(
        signed_in(client_user(other_company)),
        settlement_question(),
        {"attachments": [pdf("tajne.pdf")]},
    )
    return only_application()


def object_urls(application) -> list[str]:
    attachment = application.attachments.first()
    return [
        reverse("requests_app:detail", args=[application.pk]),
        reverse("requests_app:confirm", args=[application.pk]),
        reverse("requests_app:attachment", args=[attachment.pk]),
    ]


def test_another_companys_request_and_files_are_404(company, theirs):
    client = signed_in(client_user(company))
    for url in object_urls(theirs):
        assert client.get(url).status_code == 404, url
    reply = client.post(reverse("requests_app:reply", args=[theirs.pk]), {"body": "x"})
    assert reply.status_code == 404
    assert not theirs.messages.exists()
    listing = client.get(reverse("requests_app:list")).text
    assert theirs.number not in listing


@pytest.mark.parametrize(
    "name", ["requests_app:list", "requests_app:new", "requests_app:contact", "requests_app:xlsx"]
)
def test_a_user_without_the_permission_is_refused(company, name):
    client = signed_in(client_user(company, can_submit_requests=False))
    assert client.get(reverse(name)).status_code == 403


def test_a_user_without_the_permission_cannot_read_or_submit(company):
    owner = client_user(company)
    submit(signed_in(owner), settlement_question(), {"attachments": [pdf()]})
    application = only_application()
    client = signed_in(client_user(company, can_submit_requests=False))
    for url in object_urls(application):
        assert client.get(url).status_code == 403, url
    assert submit(client, settlement_question()).status_code == 403
    assert Application.objects.count() == 1


def test_signed_out_visitors_are_sent_to_sign_in(theirs):
    from django.test import Client

    response = Client().get(reverse("requests_app:list"))
    assert response.status_code == 302 and "/logowanie/" in response.url


def test_a_restricted_user_sees_only_their_contracts_requests(company):
    mine, other = vehicle_contract(company), vehicle_contract(company)
    colleague = client_user(company)
    submit(signed_in(colleague), travel_abroad(other))
    about_other = only_application()
    submit(signed_in(colleague), settlement_question())  # no contract, not theirs
    restricted = client_user(company, contracts_restricted=True)
    restricted.allowed_contracts.set([mine])
    client = signed_in(restricted)

    assert client.get(reverse("requests_app:detail", args=[about_other.pk])).status_code == 404
    listing = client.get(reverse("requests_app:list")).text
    assert "Znalezione wnioski i sprawy: 0" in listing
    response = submit(client, travel_abroad(other))
    assert "Ta umowa nie może być przedmiotem tego wniosku." in response.text
    assert submit(client, travel_abroad(mine)).status_code == 302
    submit(client, settlement_question())
    assert "Znalezione wnioski i sprawy: 2" in client.get(reverse("requests_app:list")).text


def test_a_download_is_the_whole_file_and_changes_nothing(company):
    user = client_user(company)
    client = signed_in(user)
    submit(client, settlement_question(), {"attachments": [pdf("umowa.pdf")]})
    attachment = only_application().attachments.get()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("requests_app:attachment", args=[attachment.pk]))
        body = b"".join(response.streaming_content)
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].split()[0].upper() in ("INSERT", "UPDATE", "DELETE")
        and "django_session" not in q["sql"]
    ]
    assert writes == []
    assert body == pdf().read()
    assert int(response["Content-Length"]) == len(body)
    assert response["Content-Type"] == "application/pdf"
    assert 'attachment; filename="umowa.pdf"' in response["Content-Disposition"]


def test_the_excel_export_lists_the_filtered_requests_as_text(company):
    client = signed_in(client_user(company))
    client.post(
        reverse("requests_app:contact"),
        {
            "token": "5b0f4f2e-8d8f-4a59-9d3b-5a3f6f0a8c11",
            "topic": "other",
            "subject": '=HYPERLINK("http://zle.example")',
            "body": "Treść",
        },
    )
    submit(client, settlement_question())
    response = client.get(reverse("requests_app:xlsx"), {"kind": "contact"})
    sheet = read_xlsx(b"".join(response.streaming_content))
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1
    assert rows[0][3] == '=HYPERLINK("http://zle.example")'
    assert sheet.cell(row=2, column=4).data_type == "s"
