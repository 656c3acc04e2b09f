"""Pages say only what is true: an export job that is ready no longer speaks of "the
background", an empty list offers nothing to download, "all from the list" of an empty list
says the list is empty (not "tick an invoice")."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from ebok.models import ExportJob
from tests.downloads import client_user, issue_invoice

BACKGROUND = "przygotowujemy go w tle"


@pytest.fixture
def low_threshold(settings):
    settings.EXPORT_ASYNC_THRESHOLD = 2


@pytest.mark.django_db
def test_the_export_job_page_speaks_of_the_background_only_while_it_works(
    client, company, low_threshold, django_capture_on_commit_callbacks
):
    for _ in range(3):
        issue_invoice(company)
    client.force_login(client_user(company))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.get(reverse("invoices:xlsx"))
    job = ExportJob.objects.get()
    status_url = reverse("exports:status", args=[job.pk])

    waiting = client.get(response["Location"]).text
    assert BACKGROUND in waiting
    assert BACKGROUND in client.get(status_url, HTTP_HX_REQUEST="true").text

    for callback in callbacks:
        callback()

    # The polled part carries the lead: once swapped in, nothing says "in the background".
    ready = client.get(status_url, HTTP_HX_REQUEST="true").text
    assert "Raport jest gotowy" in ready
    assert BACKGROUND not in ready
    page = client.get(response["Location"]).text
    assert "Raport jest gotowy" in page and BACKGROUND not in page


@pytest.mark.django_db
def test_an_empty_list_offers_no_zip_and_no_excel(client, company):
    issue_invoice(company)
    client.force_login(client_user(company))

    empty = client.get(reverse("invoices:list"), {"q": "NIE-MA-TAKIEJ"}).text
    full = client.get(reverse("invoices:list")).text

    for label in (
        "Pobierz zaznaczone (ZIP)",
        "Pobierz wszystkie z listy (ZIP)",
        "Eksport do Excela",
    ):
        assert label not in empty
        assert label in full


@pytest.mark.django_db
def test_an_empty_contract_list_offers_no_excel(client, company):
    client.force_login(client_user(company))
    page = client.get(reverse("contracts:list")).text
    assert "Eksport do Excela" not in page


@pytest.mark.django_db
def test_all_from_an_empty_list_says_the_list_is_empty(client, company):
    issue_invoice(company)
    client.force_login(client_user(company))

    response = client.get(reverse("invoices:zip"), {"q": "NIE-MA-TAKIEJ"})

    assert response.status_code == 302
    assert response["Location"] == reverse("invoices:list") + "?q=NIE-MA-TAKIEJ"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Na liście nie ma faktur do pobrania – zmień filtry."
    ]
