"""Permissions enforced everywhere: every portal page and download of contracts and invoices,
walked from the URL configuration, for a user restricted to one contract and for a user of
another company.

Restricted users (decision, the same as `invoices.selectors`): they see their contracts and
what hangs off them (schedules, installments, policies, fees, those contracts' invoices and
the payments settled against those invoices, showing only those settlements). Company-level
data is not theirs: invoices without a contract, the company's unallocated credit
(overpayment) and payments that settled none of their invoices stay hidden, and their
balance counts their invoices only. Company admins are never restricted.

A page added later that takes an object id fails `test_every_object_page_is_covered` until it
is listed in OBJECT_PAGES, so it cannot ship without an ownership check.
"""

from __future__ import annotations

import importlib
import io
import zipfile

import pytest
from django.urls import URLPattern, reverse
from openpyxl import load_workbook

from invoices.services import invoice_pdf_ensure
from tests.downloads import pdf_text
from tests.factories import AdditionalFeeFactory, InsurancePolicyFactory
from tests.portal_helpers import (
    client_user,
    company_invoice,
    invoice_installments,
    make_contract,
    pay,
    signed_in,
    text,
    today,
)

pytestmark = pytest.mark.django_db

# Which object each page's `pk` names.
OBJECT_PAGES = {
    "contracts:detail": "contract",
    "contracts:contract_policies": "contract",
    "contracts:contract_fees": "contract",
    "contracts:schedule_pdf": "contract",
    "contracts:schedule_xlsx": "contract",
    "contracts:contract_policies_xlsx": "contract",
    "contracts:contract_fees_xlsx": "contract",
    "invoices:detail": "invoice",
    "invoices:pdf": "invoice",
    "invoices:fa3": "invoice",
    "invoices:contract_invoices": "contract",
    "invoices:contract_invoices_xlsx": "contract",
    "invoices:payment_detail": "payment",
}
PORTAL_APPS = ("contracts", "invoices")


def portal_patterns() -> list[tuple[str, URLPattern]]:
    found = []
    for app in PORTAL_APPS:
        module = importlib.import_module(f"{app}.urls")
        for pattern in module.urlpatterns:
            found.append((f"{module.app_name}:{pattern.name}", pattern))
    return found


def object_pages() -> list[str]:
    return [name for name, p in portal_patterns() if "pk" in p.pattern.converters]


def list_pages() -> list[str]:
    return [name for name, p in portal_patterns() if not p.pattern.converters]


def body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def readable(response) -> str:
    """What the user gets, as text: a page, an Excel workbook's cells or a ZIP's file names."""
    content = body(response)
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind:
        workbook = load_workbook(io.BytesIO(content), read_only=True)
        return " ".join(
            str(value)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    if "zip" in kind:
        return " ".join(zipfile.ZipFile(io.BytesIO(content)).namelist())
    if "pdf" in kind:
        return pdf_text(content)
    return text(response)


def _company_data(company, tag: str) -> dict:
    contract = make_contract(company, number=f"UL/{tag}/1")
    InsurancePolicyFactory(contract=contract, number=f"POL/{tag}")
    AdditionalFeeFactory(contract=contract)
    # Stored PDFs: a ZIP of them is answered at once (one still to render becomes a job).
    invoices = [
        invoice_pdf_ensure(invoice=i) for i in invoice_installments(contract, through=today())
    ]
    return {"contract": contract, "invoice": invoices[0]}


@pytest.fixture
def world(company, other_company):
    mine = _company_data(company, "MOJA")
    hidden = _company_data(company, "UKRYTA")
    theirs = _company_data(other_company, "OBCA")
    mine["payment"] = pay(company, mine["invoice"].gross, invoice=mine["invoice"], title="WPL-MOJA")
    hidden["payment"] = pay(
        company, hidden["invoice"].gross, invoice=hidden["invoice"], title="WPL-UKRYTA"
    )
    theirs["payment"] = pay(
        other_company, theirs["invoice"].gross, invoice=theirs["invoice"], title="WPL-OBCA"
    )
    general = company_invoice(company, "50.00", due=today(), number="FV/OGOLNA/1")
    restricted = client_user(company, contracts_restricted=True)
    restricted.allowed_contracts.set([mine["contract"]])
    return {
        "mine": mine,
        "hidden": hidden,
        "theirs": theirs,
        "general": general,
        "restricted": restricted,
    }


def secrets_of(data: dict) -> list[str]:
    return [
        data["contract"].number,
        data["invoice"].number,
        data["payment"].title,
        f"POL/{data['contract'].number.split('/')[1]}",
    ]


def test_every_object_page_is_covered():
    assert sorted(object_pages()) == sorted(OBJECT_PAGES)


def test_a_restricted_user_gets_404_for_every_object_outside_their_contracts(world):
    client = signed_in(world["restricted"])
    for name in object_pages():
        kind = OBJECT_PAGES[name]
        for owner in ("hidden", "theirs"):
            url = reverse(name, args=[world[owner][kind].pk])
            assert client.get(url).status_code == 404, (name, owner)
        mine = client.get(reverse(name, args=[world["mine"][kind].pk]))
        assert mine.status_code == 200, name
    general = reverse("invoices:detail", args=[world["general"].pk])
    assert client.get(general).status_code == 404


def test_a_restricted_user_sees_only_their_contracts_data_on_every_list(world):
    client = signed_in(world["restricted"])
    forbidden = [*secrets_of(world["hidden"]), *secrets_of(world["theirs"]), "FV/OGOLNA/1"]
    pages = ["/", *(reverse(name) for name in list_pages())]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        shown = readable(response)
        for secret in forbidden:
            assert secret not in shown, (url, secret)
    contracts = text(client.get(reverse("contracts:list")))
    assert world["mine"]["contract"].number in contracts
    payments = text(client.get(reverse("invoices:payments")))
    assert world["mine"]["invoice"].number in payments  # its payment, without the title
    for export in ("contracts:contracts_xlsx", "contracts:policies_xlsx", "invoices:xlsx"):
        workbook = readable(client.get(reverse(export)))
        assert "MOJA" in workbook, export  # the reader sees the files' contents


def test_a_restricted_users_object_pages_mention_nothing_else(world):
    client = signed_in(world["restricted"])
    forbidden = [*secrets_of(world["hidden"]), *secrets_of(world["theirs"]), "FV/OGOLNA/1"]
    for name in object_pages():
        response = client.get(reverse(name, args=[world["mine"][OBJECT_PAGES[name]].pk]))
        assert response.status_code == 200, name
        shown = readable(response)
        # What is read is the file's real content, so the absence checks below could fail: a
        # PDF's text names its own contract (the schedule) or invoice.
        assert len(shown) > 100, (name, shown)
        if "pdf" in response["Content-Type"]:
            assert world["mine"]["contract"].number in shown, (name, shown[:200])
        for secret in forbidden:
            assert secret not in shown, (name, secret)


def test_forged_invoice_ids_are_dropped_from_a_zip(world):
    client = signed_in(world["restricted"])
    forged = [world["hidden"]["invoice"].pk, world["theirs"]["invoice"].pk, world["general"].pk]
    response = client.post(reverse("invoices:zip"), {"invoice": forged})
    assert response.status_code == 302  # nothing of theirs selected: back to the list

    both = client.post(reverse("invoices:zip"), {"invoice": [*forged, world["mine"]["invoice"].pk]})
    names = zipfile.ZipFile(io.BytesIO(body(both))).namelist()
    assert len(names) == 1
    assert world["mine"]["invoice"].number.replace("/", "_") in names[0]


def test_the_company_admin_sees_the_whole_company_and_nothing_of_another(world, company):
    admin = client_user(company, is_company_admin=True, contracts_restricted=True)
    client = signed_in(admin)
    for name in object_pages():
        kind = OBJECT_PAGES[name]
        for owner, status in (("mine", 200), ("hidden", 200), ("theirs", 404)):
            url = reverse(name, args=[world[owner][kind].pk])
            assert client.get(url).status_code == status, (name, owner)
    for url in ["/", *(reverse(name) for name in list_pages())]:
        shown = readable(client.get(url))
        for secret in secrets_of(world["theirs"]):
            assert secret not in shown, (url, secret)


def test_restricting_a_signed_in_user_applies_at_their_next_request(world, company):
    user = client_user(company)
    client = signed_in(user)
    hidden = reverse("contracts:detail", args=[world["hidden"]["contract"].pk])
    assert client.get(hidden).status_code == 200

    user.contracts_restricted = True
    user.save(update_fields=["contracts_restricted"])
    user.allowed_contracts.set([world["mine"]["contract"]])

    assert client.get(hidden).status_code == 404
