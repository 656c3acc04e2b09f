"""Nothing the portal answers is kept by a shared cache or the browser: every page and file
behind sign-in, and the sign-in pages, answer `Cache-Control: no-store, private`; static files
stay cacheable."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from invoices.services import invoice_pdf_ensure
from tests.downloads import streamed
from tests.portal_helpers import client_user, invoice_installments, make_contract, signed_in, today

pytestmark = pytest.mark.django_db


def directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def assert_not_stored(response) -> None:
    assert {"no-store", "private"} <= directives(response), response.get("Cache-Control")
    assert "public" not in directives(response)


@pytest.fixture
def invoice(company):
    contract = make_contract(company, number="UL/CACHE/1")
    return invoice_pdf_ensure(invoice=invoice_installments(contract, through=today())[0])


@pytest.fixture
def client(company):
    return signed_in(client_user(company, is_company_admin=True))


def test_signed_in_pages_are_not_stored(client, invoice):
    for url in (
        reverse("home"),
        reverse("contracts:list"),
        reverse("invoices:detail", args=[invoice.pk]),
        reverse("accounts:company_audit"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_not_stored(response)
    partial = client.get(reverse("invoices:list"), HTTP_HX_REQUEST="true")
    assert_not_stored(partial)


def test_downloads_are_not_stored(client, invoice):
    pdf = client.get(reverse("invoices:pdf", args=[invoice.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert_not_stored(pdf)
    schedule = client.get(reverse("contracts:schedule_pdf", args=[invoice.contract_id]))
    assert schedule["Content-Type"] == "application/pdf"
    assert_not_stored(schedule)

    excel = client.get(reverse("invoices:xlsx"))
    assert "spreadsheetml" in excel["Content-Type"]
    assert_not_stored(excel)

    archive = client.post(reverse("invoices:zip"), {"invoice": [invoice.pk]})
    assert archive.status_code == 200 and archive["Content-Type"] == "application/zip"
    assert streamed(archive).startswith(b"PK")
    assert_not_stored(archive)


def test_the_sign_in_pages_are_not_stored():
    browser = Client()
    for name in ("accounts:signin", "accounts:password_reset", "accounts:access_application"):
        response = browser.get(reverse(name))
        assert response.status_code == 200, name
        assert_not_stored(response)


def test_static_files_stay_cacheable():
    response = Client().get("/static/css/ebok.css")
    assert response.status_code == 200
    assert "no-store" not in directives(response)
    streamed(response)
