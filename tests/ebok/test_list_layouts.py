"""Every list and every contract tab is one shared layout: what each answers, whole or in part."""

from __future__ import annotations

import pytest
from dateutil.relativedelta import relativedelta
from django.template import engines
from django.urls import reverse

from tests.factories import AdditionalFeeFactory, InsurancePolicyFactory
from tests.portal_helpers import (
    client_user,
    htmx,
    invoice_installments,
    make_contract,
    pay,
    signed_in,
    text,
    today,
)

pytestmark = pytest.mark.django_db

# Each contract tab: its URL name and something only that tab shows.
TABS = [
    ("contracts:detail", "Harmonogram spłat"),
    ("contracts:contract_policies", "POL/ZAKLADKA/1"),
    ("contracts:contract_fees", "Opłaty dodatkowe"),
    ("invoices:contract_invoices", "Faktury do umowy"),
]
# Each list page: its URL name, the id of the list its filters replace, and its count line.
LISTS = [
    ("contracts:list", "contract-list", "Znalezione umowy: 1"),
    ("contracts:installments", "installment-list", "Liczba rat"),
    ("contracts:policies", "policy-list", "Znalezione polisy: 1"),
    ("contracts:fees", "fee-list", "Znalezione opłaty: 1"),
    ("invoices:list", "invoice-list", "Znalezione faktury: 2"),
]


@pytest.fixture
def contract(company):
    contract = make_contract(company, months=12, start=today() - relativedelta(months=2))
    invoices = invoice_installments(contract, through=today())
    pay(company, invoices[0].gross)
    InsurancePolicyFactory(contract=contract, number="POL/ZAKLADKA/1")
    AdditionalFeeFactory(contract=contract)
    return contract


@pytest.mark.parametrize(("url_name", "only_here"), TABS)
def test_every_contract_tab_is_the_page_the_tab_alone_or_its_results(
    company, contract, url_name, only_here
):
    client = signed_in(client_user(company))
    url = reverse(url_name, args=[contract.pk])

    page = client.get(url)
    assert "Parametry umowy" in text(page) and only_here in text(page)
    html = page.content.decode()
    assert html.count('aria-selected="true"') == 1  # the tab strip marks this tab
    assert f'aria-selected="true" href="{url}"' in html
    assert f'action="{url}"' in html  # its filters answer at its own address

    tab = client.get(url, **htmx("contract-tab")).content.decode()
    assert tab.lstrip().startswith('<section id="contract-tab"')
    assert only_here in tab and "Parametry umowy" not in tab

    results = client.get(url, {"date_from": "xx"}, **htmx("tab-results")).content.decode()
    assert results.lstrip().startswith('<div id="tab-results"')
    assert "<form" not in results  # the filter form stays as the user left it


@pytest.mark.parametrize(("url_name", "list_id", "count_line"), LISTS)
def test_every_list_page_answers_its_filters_with_the_list_alone(
    company, contract, url_name, list_id, count_line
):
    client = signed_in(client_user(company))
    url = reverse(url_name)

    page = text(client.get(url, {"date_from": "", "date_to": ""}))
    assert count_line in page and "Filtruj" in page

    results = client.get(url, {"sort": "bogus"}, **htmx(list_id)).content.decode()
    assert results.lstrip().startswith(f'<div id="{list_id}"')
    assert "Nie zastosowano części filtrów" in results  # the bad sort is named above the list
    assert "<form" not in results


def test_a_long_list_is_paged_and_an_empty_one_says_so(company):
    for n in range(30):
        make_contract(company, number=f"UL/STRONY/{n:02}")
    client = signed_in(client_user(company))

    first = text(client.get(reverse("contracts:list")))
    assert "Pozycje 1–25 z 30" in first and "strona 1 z 2" in first
    second = text(client.get(reverse("contracts:list"), {"page": 2}))
    assert "Pozycje 26–30 z 30" in second
    empty = text(client.get(reverse("contracts:list"), {"q": "NIE-MA-TAKIEJ"}))
    assert "Brak umów spełniających kryteria." in empty and "Pozycje" not in empty


def test_in_production_each_template_is_compiled_once_per_process(settings):
    # The test settings are the production ones here (DEBUG off): the cached loader is on.
    assert not settings.DEBUG
    engine = engines["django"].engine
    first = engine.get_template("contracts/_tab.html")
    assert engine.get_template("contracts/_tab.html") is first
