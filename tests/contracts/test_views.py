"""The contract pages of the client portal: what a signed-in client user sees and may see."""

from __future__ import annotations

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta
from django.test import Client
from django.urls import reverse

from contracts.models import Contract, InsurancePolicy
from contracts.selectors import InstallmentFilters, installments_due_between
from invoices.services import invoice_issue_for_fee
from tests.factories import (
    AdditionalFeeFactory,
    CompanyFactory,
    InsurancePolicyFactory,
    LeasedAssetFactory,
)
from tests.portal_helpers import (
    client_user,
    count_queries,
    htmx,
    invoice_installments,
    make_contract,
    pay,
    signed_in,
    text,
    today,
)

pytestmark = pytest.mark.django_db


def contract_urls(contract: Contract) -> list[str]:
    return [
        reverse("contracts:detail", args=[contract.pk]),
        reverse("contracts:contract_policies", args=[contract.pk]),
        reverse("contracts:contract_fees", args=[contract.pk]),
        reverse("invoices:contract_invoices", args=[contract.pk]),
    ]


LIST_URLS = ["contracts:list", "contracts:installments", "contracts:policies", "contracts:fees"]


# --- Ownership and permissions -------------------------------------------------------------------


def test_it_checks_ownership_of_every_contract_page(company, other_company):
    theirs = make_contract(other_company)
    client = signed_in(client_user(company))
    for url in contract_urls(theirs):
        assert client.get(url).status_code == 404, url


def test_lists_never_show_another_companys_data(company, other_company):
    mine = make_contract(company, number="UL/MOJA/1")
    theirs = make_contract(other_company, number="UL/OBCA/1")
    InsurancePolicyFactory(contract=theirs, number="POL-OBCA")
    AdditionalFeeFactory(contract=theirs, description="Opłata obca")
    InsurancePolicyFactory(contract=mine, number="POL-MOJA")
    client = signed_in(client_user(company))
    for name in LIST_URLS:
        page = text(client.get(reverse(name), {"date_from": "", "date_to": ""}))
        assert "OBCA" not in page and "obca" not in page, name
    assert "UL/MOJA/1" in text(client.get(reverse("contracts:list")))
    assert "POL-MOJA" in text(client.get(reverse("contracts:policies")))


def test_a_restricted_user_sees_only_the_contracts_given_to_them(company):
    allowed = make_contract(company, number="UL/DOZWOLONA")
    hidden = make_contract(company, number="UL/UKRYTA")
    InsurancePolicyFactory(contract=hidden, number="POL-UKRYTA")
    AdditionalFeeFactory(contract=hidden, description="Opłata ukryta")
    user = client_user(company, contracts_restricted=True)
    user.allowed_contracts.add(allowed)
    client = signed_in(user)

    for url in contract_urls(hidden):
        assert client.get(url).status_code == 404, url
    assert client.get(contract_urls(allowed)[0]).status_code == 200
    contracts = text(client.get(reverse("contracts:list")))
    assert "UL/DOZWOLONA" in contracts and "UL/UKRYTA" not in contracts
    everything = {"date_from": "", "date_to": ""}
    for name in ("contracts:installments", "contracts:policies", "contracts:fees"):
        page = text(client.get(reverse(name), everything))
        assert "UKRYTA" not in page and "ukryta" not in page, name
    installments = text(client.get(reverse("contracts:installments"), everything))
    assert "UL/DOZWOLONA" in installments


def test_a_company_admin_sees_every_contract_even_if_marked_restricted(company):
    make_contract(company, number="UL/A")
    make_contract(company, number="UL/B")
    admin = client_user(company, is_company_admin=True, contracts_restricted=True)
    page = text(signed_in(admin).get(reverse("contracts:list")))
    assert "UL/A" in page and "UL/B" in page


def test_a_user_without_the_contracts_permission_gets_a_friendly_403(company):
    contract = make_contract(company)
    client = signed_in(client_user(company, can_view_contracts=False))
    for url in [reverse(name) for name in LIST_URLS] + contract_urls(contract):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Brak dostępu" in text(response)
    dashboard = client.get("/").content.decode()
    assert reverse("contracts:list") not in dashboard
    assert reverse("contracts:installments") not in dashboard


def test_anonymous_visitors_are_sent_to_sign_in(company):
    contract = make_contract(company)
    for url in [reverse(name) for name in LIST_URLS] + contract_urls(contract):
        response = Client().get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:signin")), url


# --- Contract list ------------------------------------------------------------------------------


def test_the_list_shows_what_the_client_needs_to_know(company):
    contract = make_contract(
        company, months=12, number="UL/2026/00077", net_value="150000.00", kind="financial"
    )
    asset = contract.assets.get()
    invoices = invoice_installments(contract, through=today())
    pay(company, sum(i.gross for i in invoices[:2]))  # the two oldest installments are paid

    page = text(signed_in(client_user(company)).get(reverse("contracts:list")))
    assert "UL/2026/00077" in page
    assert "leasing finansowy" in page
    assert "aktywna" in page
    assert "150 000,00 zł" in page
    assert "10 / 12" in page  # remaining of all installments
    assert asset.registration_number in page and asset.serial_number in page
    assert contract.start_date.strftime("%d.%m.%Y") in page


def test_it_filters_by_status_and_kind(company):
    make_contract(company, number="UL/AKTYWNA", status="active", kind="operating")
    make_contract(company, number="UL/ZAKONCZONA", status="ended", kind="operating")
    make_contract(company, number="UL/FINANSOWA", status="active", kind="financial")
    client = signed_in(client_user(company))

    page = text(client.get(reverse("contracts:list"), {"status": "ended"}))
    assert "UL/ZAKONCZONA" in page and "UL/AKTYWNA" not in page
    page = text(client.get(reverse("contracts:list"), {"status": "active", "kind": "financial"}))
    assert "UL/FINANSOWA" in page and "UL/AKTYWNA" not in page and "UL/ZAKONCZONA" not in page


@pytest.mark.parametrize(
    ("query", "found"),
    # The number's query has letters: factory-made registrations and VINs are digits there.
    [("xq/0042", "UL/XQ/0042"), ("wx 12", "UL/REJESTRACJA"), ("VF1ABC", "UL/VIN")],
)
def test_it_searches_by_number_registration_and_vin(company, query, found):
    make_contract(company, number="UL/XQ/0042")
    by_registration = make_contract(company, number="UL/REJESTRACJA")
    by_registration.assets.update(registration_number="WX12345")
    by_vin = make_contract(company, number="UL/VIN")
    LeasedAssetFactory(contract=by_vin, serial_number="VF1ABC00000000001")
    page = text(signed_in(client_user(company)).get(reverse("contracts:list"), {"q": query}))
    assert found in page
    others = {"UL/XQ/0042", "UL/REJESTRACJA", "UL/VIN"} - {found}
    assert not any(number in page for number in others)


def test_it_sorts_and_paginates(company):
    for n in range(27):
        make_contract(company, months=6, number=f"UL/S/{n:03d}", net_value=f"{50000 + n * 1000}.00")
    client = signed_in(client_user(company))

    first = client.get(reverse("contracts:list"), {"sort": "-value"})
    numbers = [c.number for c in first.context["page_obj"]]
    assert len(numbers) == 25
    assert numbers[:2] == ["UL/S/026", "UL/S/025"]
    second = client.get(reverse("contracts:list"), {"sort": "-value", "page": 2})
    assert [c.number for c in second.context["page_obj"]] == ["UL/S/001", "UL/S/000"]
    ascending = client.get(reverse("contracts:list"), {"sort": "number"})
    assert [c.number for c in ascending.context["page_obj"]][:2] == ["UL/S/000", "UL/S/001"]


def test_sorting_by_remaining_installments_counts_only_unpaid_ones(company):
    fresh = make_contract(company, months=12, number="UL/NOWA", start=today())
    old = make_contract(
        company, months=12, number="UL/STARA", start=today() - relativedelta(months=6)
    )
    invoices = invoice_installments(old, through=today())
    pay(company, sum(i.gross for i in invoices))
    response = signed_in(client_user(company)).get(reverse("contracts:list"), {"sort": "remaining"})
    rows = [(c.number, c.remaining_installments) for c in response.context["page_obj"]]
    assert rows == [("UL/STARA", 6), ("UL/NOWA", fresh.installment_count)]


def test_the_list_answers_htmx_with_the_list_only(company):
    make_contract(company, number="UL/HTMX")
    response = signed_in(client_user(company)).get(
        reverse("contracts:list"), {"q": "HTMX"}, **htmx("contract-list")
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="contract-list"')
    assert "<html" not in html and "ebok-mainnav" not in html
    assert "UL/HTMX" in html
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"sort": "hasło"}, "Nieznany sposób sortowania"),
        ({"page": "abc"}, "Numer strony musi być liczbą"),
        ({"page": "-3"}, "Numer strony musi być większy od zera"),
        ({"status": "xyz"}, "Nieznana wartość „xyz”"),
        ({"kind": "<script>"}, "Nieznana wartość"),
    ],
)
def test_bad_input_is_explained_and_ignored(company, params, message):
    make_contract(company, number="UL/JEDYNA")
    response = signed_in(client_user(company)).get(reverse("contracts:list"), params)
    assert response.status_code == 200
    page = text(response)
    assert message in page
    assert "UL/JEDYNA" in page  # the bad parameter changed nothing
    assert "<script>" not in response.content.decode().split("<main", 1)[1]


def test_a_page_past_the_end_shows_the_last_page(company):
    make_contract(company, number="UL/OSTATNIA")
    response = signed_in(client_user(company)).get(reverse("contracts:list"), {"page": 99})
    assert "UL/OSTATNIA" in text(response)


def test_the_contract_list_costs_the_same_queries_for_3_or_30_contracts(company, other_company):
    client = signed_in(client_user(company))
    for _ in range(3):
        make_contract(company, months=6)
    small, _ = count_queries(client, reverse("contracts:list"))
    for _ in range(27):
        contract = make_contract(company, months=6)
        LeasedAssetFactory(contract=contract)
    large, response = count_queries(client, reverse("contracts:list"))
    assert len(response.context["page_obj"]) == 25
    assert large == small


# --- Contract detail and its tabs ---------------------------------------------------------------


def test_the_detail_page_shows_parameters_asset_and_schedule(company):
    contract = make_contract(
        company,
        months=12,
        number="UL/SZCZEGOLY",
        net_value="120000.00",
        initial_payment="12000.00",
        buyout_value="1200.00",
        reference_rate_value="5.8500",
        margin="2.5000",
    )
    asset = contract.assets.get()
    page = text(
        signed_in(client_user(company)).get(reverse("contracts:detail", args=[contract.pk]))
    )
    for expected in (
        "Umowa UL/SZCZEGOLY",
        "120 000,00 zł",
        "12 000,00 zł",
        "1 200,00 zł",
        "WIBOR 1M 5,85% + marża 2,50% = 8,35%",
        asset.registration_number,
        asset.serial_number,
        "Harmonogram spłat",
    ):
        assert expected in page, expected
    first = contract.installments.get(number=1)
    assert first.due_date.strftime("%d.%m.%Y") in page


def test_schedule_status_comes_from_the_installments_invoice(company):
    contract = make_contract(company, months=12, start=today() - relativedelta(months=4))
    invoices = invoice_installments(contract, through=today())  # installments 1-4
    assert len(invoices) == 4
    pay(company, invoices[0].gross + invoices[1].gross + 10)  # 1, 2 paid; 3 partly

    response = signed_in(client_user(company)).get(reverse("contracts:detail", args=[contract.pk]))
    status = {i.number: (i.payment_status, i.is_overdue) for i in response.context["installments"]}
    assert status[1] == ("paid", False)
    assert status[2] == ("paid", False)
    assert status[3][0] == "partially_paid"
    assert status[4][0] == "unpaid"
    assert status[5] == ("planned", False)
    page = text(response)
    assert "zapłacona" in page and "częściowo zapłacona" in page and "zaplanowana" in page
    assert invoices[0].number in page  # the invoice is linked from its installment


def test_the_schedule_filters_by_status_and_date_and_sums_what_it_shows(company):
    contract = make_contract(company, months=12, start=today() - relativedelta(months=4))
    invoices = invoice_installments(contract, through=today())
    pay(company, invoices[0].gross)
    client = signed_in(client_user(company))
    url = reverse("contracts:detail", args=[contract.pk])

    paid = client.get(url, {"status": "paid"}).context["installments"]
    assert [i.number for i in paid] == [1]
    unpaid = client.get(url, {"status": "unpaid"}).context["installments"]
    assert [i.number for i in unpaid] == list(range(2, 13))

    second, fourth = contract.installments.get(number=2), contract.installments.get(number=4)
    response = client.get(
        url,
        {"date_from": second.due_date.isoformat(), "date_to": fourth.due_date.strftime("%d.%m.%Y")},
    )
    assert [i.number for i in response.context["installments"]] == [2, 3, 4]
    totals = response.context["totals"]
    assert totals.count == 3
    expected = sum(contract.installments.get(number=n).gross for n in (2, 3, 4))
    assert totals.gross == expected
    assert f"{expected:,.2f}".replace(",", " ").replace(".", ",") + " zł" in text(response)


def test_the_schedule_rejects_a_reversed_date_range_with_a_message(company):
    contract = make_contract(company, months=12)
    response = signed_in(client_user(company)).get(
        reverse("contracts:detail", args=[contract.pk]),
        {"date_from": "2030-01-01", "date_to": "2020-01-01"},
    )
    assert response.status_code == 200
    assert "Data „do” nie może być wcześniejsza niż data „od”" in text(response)


def test_tabs_answer_htmx_with_the_tab_only(company):
    contract = make_contract(company)
    InsurancePolicyFactory(contract=contract, number="POL-TAB")
    client = signed_in(client_user(company))
    url = reverse("contracts:contract_policies", args=[contract.pk])

    tab = client.get(url, **htmx("contract-tab")).content.decode()
    assert tab.lstrip().startswith('<section id="contract-tab"')
    assert "POL-TAB" in tab and "Parametry umowy" not in tab
    results = client.get(url, {"status": "active"}, **htmx("tab-results")).content.decode()
    assert results.lstrip().startswith('<div id="tab-results"')
    full = client.get(url).content.decode()
    assert "Parametry umowy" in full and "POL-TAB" in full


def test_the_schedule_page_costs_the_same_queries_for_12_or_60_installments(company):
    client = signed_in(client_user(company))
    short = make_contract(company, months=12)
    invoice_installments(short, through=today())
    long = make_contract(company, months=60, start=today() - relativedelta(months=20))
    invoice_installments(long, through=today())
    small, _ = count_queries(client, reverse("contracts:detail", args=[short.pk]))
    large, response = count_queries(client, reverse("contracts:detail", args=[long.pk]))
    assert len(response.context["installments"]) == 60
    assert large == small


# --- Installments across contracts --------------------------------------------------------------


def test_installments_of_all_contracts_in_one_list_by_due_date_with_totals(company):
    first = make_contract(
        company, months=12, number="UL/PIERWSZA", start=today() - relativedelta(days=20)
    )
    second = make_contract(
        company, months=12, number="UL/DRUGA", start=today() - relativedelta(days=5)
    )
    date_from, date_to = today(), today() + relativedelta(months=3)
    response = signed_in(client_user(company)).get(
        reverse("contracts:installments"),
        {"date_from": date_from.isoformat(), "date_to": date_to.isoformat()},
    )
    rows = list(response.context["page_obj"])
    expected = [
        i
        for contract in (first, second)
        for i in contract.installments.all()
        if date_from <= i.due_date <= date_to
    ]
    assert len(rows) == len(expected) == 6
    assert [r.due_date for r in rows] == sorted(r.due_date for r in rows)
    assert {r.contract.number for r in rows} == {"UL/PIERWSZA", "UL/DRUGA"}
    totals = response.context["totals"]
    assert totals.net == sum(i.net for i in expected)
    assert totals.vat == sum(i.vat for i in expected)
    assert totals.gross == sum(i.gross for i in expected)


def test_installments_default_to_the_next_three_months(company):
    make_contract(company, months=24, start=today() - relativedelta(months=1))
    response = signed_in(client_user(company)).get(reverse("contracts:installments"))
    form = response.context["form"]
    assert form.date("date_from") == today()
    assert form.date("date_to") == today() + relativedelta(months=3)
    assert all(
        today() <= i.due_date <= today() + relativedelta(months=3)
        for i in response.context["page_obj"]
    )


def test_installment_totals_cover_the_whole_range_not_just_the_page(company):
    for n in range(3):
        make_contract(company, months=12, number=f"UL/T/{n}", start=today())
    everything = {"date_from": "", "date_to": ""}
    response = signed_in(client_user(company)).get(reverse("contracts:installments"), everything)
    assert len(response.context["page_obj"]) == 25
    totals = response.context["totals"]
    assert totals.count == 36
    all_installments = installments_due_between(
        user=response.wsgi_request.user, filters=InstallmentFilters(), today=today()
    )
    assert totals.gross == sum(i.gross for i in all_installments)


def test_installments_filter_by_contract_and_status(company):
    paid_contract = make_contract(
        company, number="UL/OPLACONA", start=today() - relativedelta(months=2)
    )
    make_contract(company, number="UL/INNA", start=today() - relativedelta(months=2))
    invoices = invoice_installments(paid_contract, through=today())
    pay(company, sum(i.gross for i in invoices))
    client = signed_in(client_user(company))
    params = {"date_from": "", "date_to": "", "contract": "oplacona", "status": "paid"}
    rows = list(client.get(reverse("contracts:installments"), params).context["page_obj"])
    assert [r.number for r in rows] == [1, 2]
    assert {r.contract.number for r in rows} == {"UL/OPLACONA"}


def test_installments_page_costs_the_same_queries_for_1_or_10_contracts(company):
    client = signed_in(client_user(company))
    make_contract(company, months=12)
    small, _ = count_queries(client, reverse("contracts:installments"))
    for _ in range(9):
        invoice_installments(make_contract(company, months=12), through=today())
    large, _ = count_queries(client, reverse("contracts:installments"))
    assert large == small


# --- Insurance and fees -------------------------------------------------------------------------


def test_policies_show_status_and_filter_by_it(company, settings):
    settings.POLICY_EXPIRING_DAYS = 30
    contract = make_contract(company, number="UL/POLISY")
    day = today()
    InsurancePolicyFactory(
        contract=contract,
        number="POL-AKTYWNA",
        valid_from=day - dt.timedelta(days=100),
        valid_to=day + dt.timedelta(days=200),
    )
    InsurancePolicyFactory(
        contract=contract,
        number="POL-WYGASA",
        type=InsurancePolicy.Type.OC,
        valid_from=day - dt.timedelta(days=300),
        valid_to=day + dt.timedelta(days=10),
    )
    InsurancePolicyFactory(
        contract=contract,
        number="POL-WYGASLA",
        valid_from=day - dt.timedelta(days=400),
        valid_to=day - dt.timedelta(days=1),
    )
    client = signed_in(client_user(company))
    page = text(client.get(reverse("contracts:policies")))
    assert "POL-AKTYWNA" in page and "wygasająca" in page and "wygasła" in page

    expiring = text(client.get(reverse("contracts:policies"), {"status": "expiring"}))
    assert (
        "POL-WYGASA" in expiring and "POL-AKTYWNA" not in expiring and "POL-WYGASLA" not in expiring
    )
    expired = text(client.get(reverse("contracts:policies"), {"status": "expired"}))
    assert "POL-WYGASLA" in expired and "POL-WYGASA " not in expired
    oc = text(client.get(reverse("contracts:policies"), {"type": "oc"}))
    assert "POL-WYGASA" in oc and "POL-AKTYWNA" not in oc
    tab = text(client.get(reverse("contracts:contract_policies", args=[contract.pk])))
    assert "POL-AKTYWNA" in tab


def test_fees_list_sums_and_filters_by_date(company):
    contract = make_contract(company, number="UL/OPLATY")
    day = today()
    AdditionalFeeFactory(
        contract=contract, charged_on=day - dt.timedelta(days=40), description="Stara"
    )
    recent = AdditionalFeeFactory(
        contract=contract,
        charged_on=day - dt.timedelta(days=2),
        description="Nowa",
        net="200.00",
        vat="46.00",
        gross="246.00",
    )
    invoice_issue_for_fee(fee=recent)
    client = signed_in(client_user(company))
    response = client.get(reverse("contracts:fees"))
    assert response.context["totals"].gross == 369
    assert "369,00 zł" in text(response)
    recent.refresh_from_db()
    assert recent.invoice.number in text(response)

    response = client.get(
        reverse("contracts:fees"), {"date_from": (day - dt.timedelta(days=7)).isoformat()}
    )
    assert [f.description for f in response.context["page_obj"]] == ["Nowa"]
    assert response.context["totals"].gross == 246


def test_policies_and_fees_cost_the_same_queries_whatever_their_number(company):
    client = signed_in(client_user(company))
    contract = make_contract(company)
    InsurancePolicyFactory(contract=contract)
    AdditionalFeeFactory(contract=contract)
    small = [count_queries(client, reverse(n))[0] for n in ("contracts:policies", "contracts:fees")]
    for _ in range(30):
        other = make_contract(company, months=2)
        InsurancePolicyFactory(contract=other, asset=other.assets.get())
        invoice_issue_for_fee(fee=AdditionalFeeFactory(contract=other))
    large = [count_queries(client, reverse(n))[0] for n in ("contracts:policies", "contracts:fees")]
    assert large == small


def test_another_companys_fee_invoice_is_not_reachable_through_a_shared_contract_number(company):
    # Contract numbers are unique per company only: the same number elsewhere must not leak.
    make_contract(company, number="UL/WSPOLNY")
    theirs = make_contract(CompanyFactory(), number="UL/WSPOLNY")
    AdditionalFeeFactory(contract=theirs, description="Cudza opłata")
    page = text(
        signed_in(client_user(company)).get(reverse("contracts:fees"), {"contract": "WSPOLNY"})
    )
    assert "Cudza opłata" not in page
