"""Cached figures (dashboard tiles, list counts and totals) change as soon as the data does.

The dashboard and the lists keep their aggregates per company data version (ebok.datacache);
these tests change the data the ways it changes in real life - through the services, in the
admin (a model save), by granting a restricted user a contract - and look at the page again.
"""

from __future__ import annotations

import datetime as dt
import re
import sys

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse

from ebok import datacache
from tests.factories import InsurancePolicyFactory
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


def _balance(page: str) -> str:
    return page.split("Saldo", 1)[1].split("Wymagalne", 1)[0]


def test_an_invoice_issued_shows_on_the_dashboard_at_once(
    company, django_capture_on_commit_callbacks
):
    make_contract(company)
    client = signed_in(client_user(company))
    before = text(client.get("/"))
    assert "Nie masz faktur po terminie." in before

    with django_capture_on_commit_callbacks(execute=True):  # as the real commit does
        invoice = company_invoice(company, "321.00", due=today() - dt.timedelta(days=3))
    after = text(client.get("/"))
    assert invoice.number in after and "Faktur: 1, do zapłaty 321,00 zł" in after
    assert "321,00 zł" in _balance(after)


def test_a_payment_recorded_shows_on_the_dashboard_at_once(company):
    invoice = company_invoice(company, "500.00", due=today() - dt.timedelta(days=3))
    client = signed_in(client_user(company))
    assert invoice.number in text(client.get("/"))

    pay(company, "500.00")  # the test never commits: the version changes at once as well
    page = text(client.get("/"))
    assert invoice.number not in page
    assert "Nie masz faktur po terminie." in page


def test_an_edit_outside_the_services_shows_at_once(company, settings):
    settings.POLICY_EXPIRING_DAYS = 30
    contract = make_contract(company)
    policy = InsurancePolicyFactory(
        contract=contract,
        insurer="Ubezpieczyciel Zmieniany",
        valid_from=today() - dt.timedelta(days=300),
        valid_to=today() + dt.timedelta(days=200),
    )
    client = signed_in(client_user(company))
    assert "Ubezpieczyciel Zmieniany" not in text(client.get("/"))

    policy.valid_to = today() + dt.timedelta(days=10)  # e.g. staff in the admin
    policy.save()
    assert "Ubezpieczyciel Zmieniany" in text(client.get("/"))

    contract.status = contract.Status.ENDED
    contract.save()
    counts = client.get("/").context["tiles"]
    summary = next(t for t in counts if t.template.endswith("contracts.html"))
    assert summary.context["counts"]["ended"] == 1


def test_each_user_sees_figures_of_their_own_contracts_and_a_grant_shows_at_once(company):
    mine = make_contract(company, number="UL/MOJA", start=today() - relativedelta(months=2))
    other = make_contract(company, number="UL/DRUGA", start=today() - relativedelta(months=2))
    invoice_installments(mine, through=today())
    theirs = invoice_installments(other, through=today())
    restricted = client_user(company, contracts_restricted=True)
    restricted.allowed_contracts.add(mine)
    admin = signed_in(client_user(company, is_company_admin=True))
    limited = signed_in(restricted)

    assert theirs[0].number in text(admin.get("/"))  # cached for the whole company...
    assert theirs[0].number not in text(limited.get("/"))  # ...but not for this user
    assert "UL/DRUGA" not in text(limited.get(reverse("contracts:installments")))

    restricted.allowed_contracts.add(other)  # the company admin grants one more contract
    assert theirs[0].number in text(limited.get("/"))
    assert "UL/DRUGA" in text(limited.get(reverse("contracts:installments")))


def test_list_counts_and_totals_follow_new_data(company):
    contract = make_contract(company, months=12, start=today() - relativedelta(months=3))
    client = signed_in(client_user(company))

    def found(response) -> int:
        return int(re.search(r"Znalezione faktury: (\d+)", text(response)).group(1))

    assert found(client.get(reverse("invoices:list"))) == 0
    invoices = invoice_installments(contract, through=today())
    assert found(client.get(reverse("invoices:list"))) == len(invoices) > 0

    params = {"date_from": "", "date_to": "", "status": "paid"}
    assert client.get(reverse("contracts:installments"), params).context["totals"].count == 0
    pay(company, sum(i.gross for i in invoices))
    totals = client.get(reverse("contracts:installments"), params).context["totals"]
    assert totals.count == len(invoices)
    assert totals.gross == sum(i.gross for i in invoices)


# --- ebok.datacache itself -------------------------------------------------------------------


def _counting(value="x"):
    calls = []

    def compute():
        calls.append(1)
        return value

    return compute, calls


def test_a_figure_is_computed_once_per_data_version(company, other_company):
    compute, calls = _counting()
    assert datacache.company_cached(company.pk, "figure", compute) == "x"
    assert datacache.company_cached(company.pk, "figure", compute) == "x"
    assert len(calls) == 1

    datacache.company_data_changed(other_company.pk)  # another company's data: no effect
    datacache.company_cached(company.pk, "figure", compute)
    assert len(calls) == 1

    datacache.company_data_changed(company.pk)
    datacache.company_cached(company.pk, "figure", compute)
    assert len(calls) == 2


def test_a_figure_computed_while_the_data_changed_is_not_served_afterwards(company):
    # A request reads the version, then (while it computes from the old data) another one
    # commits a change. What the first one stores must not be served from then on.
    def compute_during_a_commit():
        datacache.company_data_changed(company.pk)
        return "old"

    assert datacache.company_cached(company.pk, "figure", compute_during_a_commit) == "old"
    fresh, calls = _counting("new")
    assert datacache.company_cached(company.pk, "figure", fresh) == "new"
    assert len(calls) == 1


def test_the_version_changes_again_when_the_transaction_commits(
    company, django_capture_on_commit_callbacks
):
    compute, calls = _counting()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        datacache.company_data_changed(company.pk)
        datacache.company_cached(company.pk, "figure", compute)  # e.g. a concurrent request
    assert len(callbacks) == 1 and len(calls) == 1
    callbacks[0]()  # the commit
    datacache.company_cached(company.pk, "figure", compute)
    assert len(calls) == 2


class _RenamedInTheNextRelease:
    pass


def test_an_entry_the_code_cannot_read_any_more_is_computed_again(company, monkeypatch):
    datacache.company_cached(company.pk, "figure", _RenamedInTheNextRelease)
    monkeypatch.delattr(sys.modules[__name__], "_RenamedInTheNextRelease")
    compute, calls = _counting("new")
    assert datacache.company_cached(company.pk, "figure", compute) == "new"
    assert datacache.company_cached(company.pk, "figure", compute) == "new"
    assert len(calls) == 1
