"""Invoices, payments and balance pages of the client portal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse

from invoices.models import Invoice
from invoices.services import LineSpec, VatRate, invoice_correct
from tests.portal_helpers import (
    client_user,
    company_invoice,
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
D = Decimal


def invoice_urls(invoice: Invoice) -> list[str]:
    return [reverse("invoices:detail", args=[invoice.pk])]


@pytest.fixture
def history(company):
    """One contract with four invoiced installments: the first paid, the second partly paid,
    the third overdue and unpaid, the fourth due in the future; plus a company-level invoice."""
    contract = make_contract(
        company, months=12, number="UL/FAKTURY", start=today() - relativedelta(months=4, days=-10)
    )
    invoices = invoice_installments(contract, through=today() + relativedelta(days=15))
    assert len(invoices) == 4
    assert invoices[2].due_date < today() < invoices[3].due_date
    pay(company, invoices[0].gross, on=today() - relativedelta(months=2), title="Rata 1")
    pay(company, "100.00", on=today() - relativedelta(months=1), title="Rata 2 część")
    for invoice in invoices:
        invoice.refresh_from_db()
    general = company_invoice(
        company, "50.00", due=today() + dt.timedelta(days=3), number="FV/OGOLNA/1"
    )
    return contract, invoices, general


# --- Ownership and permissions -------------------------------------------------------------------


def test_it_checks_ownership_of_invoices_and_contract_tabs(company, other_company):
    theirs = make_contract(other_company)
    their_invoice = invoice_installments(theirs, through=today())[0]
    client = signed_in(client_user(company))
    assert client.get(reverse("invoices:detail", args=[their_invoice.pk])).status_code == 404
    assert client.get(reverse("invoices:contract_invoices", args=[theirs.pk])).status_code == 404
    for name in ("invoices:list", "invoices:payments"):
        page = text(client.get(reverse(name)))
        assert their_invoice.number not in page


def test_payments_of_another_company_are_never_listed(company, other_company, history):
    pay(other_company, "777.77", title="Cudza wpłata")
    page = text(signed_in(client_user(company)).get(reverse("invoices:payments")))
    assert "Cudza wpłata" not in page and "777,77" not in page
    assert "Rata 1" in page


def test_a_user_without_finances_sees_no_invoices_payments_or_balance(company, history):
    contract, invoices, _ = history
    client = signed_in(client_user(company, can_view_finances=False))
    for url in (
        reverse("invoices:list"),
        reverse("invoices:payments"),
        reverse("invoices:detail", args=[invoices[0].pk]),
        reverse("invoices:contract_invoices", args=[contract.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Brak dostępu" in text(response)
    dashboard = client.get("/")
    html = dashboard.content.decode()
    assert reverse("invoices:list") not in html
    assert "Saldo" not in text(dashboard) and invoices[2].number not in html
    schedule = client.get(reverse("contracts:detail", args=[contract.pk])).content.decode()
    assert reverse("invoices:contract_invoices", args=[contract.pk]) not in schedule
    assert invoices[0].number not in schedule  # no invoice links in the schedule either


def test_a_restricted_user_sees_only_their_contracts_invoices(company, history):
    contract, invoices, general = history
    other = make_contract(company, number="UL/INNA")
    other_invoice = invoice_installments(other, through=today())[0]
    user = client_user(company, contracts_restricted=True)
    user.allowed_contracts.add(contract)
    client = signed_in(user)

    page = text(client.get(reverse("invoices:list")))
    assert all(i.number in page for i in invoices)
    assert other_invoice.number not in page
    assert general.number not in page  # company-level invoices belong to no contract of theirs
    assert client.get(reverse("invoices:detail", args=[other_invoice.pk])).status_code == 404
    assert client.get(reverse("invoices:detail", args=[general.pk])).status_code == 404


def test_a_restricted_users_balance_and_payments_cover_their_invoices_only(company, history):
    contract, invoices, general = history
    other = make_contract(company, number="UL/INNA", start=today() - relativedelta(months=2))
    other_invoices = invoice_installments(other, through=today())
    # Named in the transfer title, so it goes to the other contract's invoice.
    pay(company, other_invoices[0].gross, invoice=other_invoices[0], title="Wpłata na inną umowę")
    pay(company, "60000.00", title="Nadpłata firmy")  # settles everything, the rest is credit
    user = client_user(company, contracts_restricted=True)
    user.allowed_contracts.add(contract)

    response = signed_in(user).get(reverse("invoices:payments"))
    balance = response.context["balance"]
    for invoice in invoices:
        invoice.refresh_from_db()
    assert balance.charges == sum(i.gross for i in invoices)
    assert balance.outstanding == sum(i.amount_due for i in invoices)
    assert balance.overpayment == 0
    page = text(response)
    assert "Wpłata na inną umowę" not in page
    assert "Nierozliczone (nadpłata)" not in page
    assert other_invoices[0].number not in page and general.number not in page
    assert invoices[0].number in page  # "Rata 1" paid it: shown without its transfer title
    assert "Rata 1" not in page


# --- The invoice list ---------------------------------------------------------------------------


def test_the_list_shows_amount_due_next_to_the_invoice_amount(company, history):
    _, invoices, _ = history
    response = signed_in(client_user(company)).get(reverse("invoices:list"))
    rows = {i.number: i for i in response.context["page_obj"]}
    partly = rows[invoices[1].number]
    assert partly.amount_due == invoices[1].gross - D("100.00")
    page = text(response)
    gross = f"{invoices[1].gross:,.2f}".replace(",", " ").replace(".", ",")
    due = f"{partly.amount_due:,.2f}".replace(",", " ").replace(".", ",")
    assert f"{gross} zł {due} zł częściowo zapłacona" in page
    assert "po terminie" in page


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("paid", [0]),
        ("partially_paid", [1]),
        ("unpaid", [2, 3, "general"]),
        ("overdue", [1, 2]),
        ("outstanding", [1, 2, 3, "general"]),
    ],
)
def test_it_filters_by_payment_status(company, history, status, expected):
    _, invoices, general = history
    response = signed_in(client_user(company)).get(reverse("invoices:list"), {"status": status})
    shown = {i.number for i in response.context["page_obj"]}
    assert shown == {general.number if e == "general" else invoices[e].number for e in expected}


def test_it_filters_by_contract_kind_number_and_dates(company, history):
    _, invoices, general = history
    client = signed_in(client_user(company))

    def shown(**params):
        return {i.number for i in client.get(reverse("invoices:list"), params).context["page_obj"]}

    assert shown(contract="faktury") == {i.number for i in invoices}
    assert shown(kind="other") == {general.number}
    assert shown(q=invoices[2].number.lower()) == {invoices[2].number}
    assert shown(
        issued_from=invoices[1].issue_date.isoformat(), issued_to=invoices[2].issue_date.isoformat()
    ) == {invoices[1].number, invoices[2].number}
    assert shown(due_from=today().isoformat()) == {invoices[3].number, general.number}
    assert shown(due_to=invoices[0].due_date.strftime("%d.%m.%Y")) == {invoices[0].number}


def test_it_sorts_by_amount_due_and_paginates(company):
    contract = make_contract(company, months=30, start=today() - relativedelta(months=29))
    invoice_installments(contract, through=today())
    client = signed_in(client_user(company))
    first = client.get(reverse("invoices:list"), {"sort": "-amount_due"})
    assert len(first.context["page_obj"]) == 25
    dues = [i.amount_due for i in first.context["page_obj"]]
    assert dues == sorted(dues, reverse=True)
    second = client.get(reverse("invoices:list"), {"sort": "-amount_due", "page": "2"})
    assert len(second.context["page_obj"]) == second.context["page_obj"].paginator.count - 25


def test_a_correction_links_to_its_invoice_and_back(company, history):
    _, invoices, _ = history
    original = invoices[3]
    correction = invoice_correct(
        invoice=original,
        lines=[LineSpec("Korekta raty", D("-100.00"), VatRate.STANDARD)],
        reason="Zmiana stopy",
    )
    client = signed_in(client_user(company))
    page = text(client.get(reverse("invoices:list")))
    assert f"koryguje {original.number}" in page
    assert f"korekta {correction.number}" in page
    original_page = text(client.get(reverse("invoices:detail", args=[original.pk])))
    assert correction.number in original_page and "Zmiana stopy" in original_page
    assert "Kwota należna po korektach" in original_page
    correction_page = client.get(reverse("invoices:detail", args=[correction.pk]))
    assert reverse("invoices:detail", args=[original.pk]) in correction_page.content.decode()
    assert f"Ta faktura koryguje fakturę {original.number}" in text(correction_page)
    # A correction owes nothing itself: it is not listed as paid or unpaid.
    paid = client.get(reverse("invoices:list"), {"status": "paid"}).context["page_obj"]
    assert correction.number not in {i.number for i in paid}


def test_the_invoice_page_shows_lines_vat_summary_and_settlement(company, history):
    _, invoices, _ = history
    invoice = invoices[1]
    page = text(signed_in(client_user(company)).get(reverse("invoices:detail", args=[invoice.pk])))
    line = invoice.lines.get()
    assert line.description in page
    assert "Podsumowanie VAT" in page and "23%" in page
    assert "Rata 2 część" in page and "100,00 zł" in page  # the payment that settled it
    assert f"Do zapłaty {invoice.amount_due:,.2f}".replace(",", " ").replace(".", ",") in page


def test_the_contract_tab_lists_that_contracts_invoices_only(company, history):
    contract, invoices, general = history
    response = signed_in(client_user(company)).get(
        reverse("invoices:contract_invoices", args=[contract.pk])
    )
    shown = {i.number for i in response.context["page_obj"]}
    assert shown == {i.number for i in invoices}
    assert general.number not in shown
    assert "Parametry umowy" in text(response)


def test_the_list_answers_htmx_with_the_list_only(company, history):
    response = signed_in(client_user(company)).get(
        reverse("invoices:list"), {"status": "overdue"}, **htmx("invoice-list")
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="invoice-list"')
    assert "<html" not in html and 'id="invoice-filter"' not in html
    # The current sort travels with the filter form even though it lives in the swapped list.
    assert 'name="sort" value="-issued" form="invoice-filter"' in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"issued_from": "2026-13-01"}, "Wystawiona od: Podaj datę w formacie DD.MM.RRRR."),
        ({"due_from": "jutro"}, "Podaj datę w formacie DD.MM.RRRR."),
        ({"status": "xyz"}, "Nieznana wartość „xyz”"),
        ({"sort": "-password"}, "Nieznany sposób sortowania"),
        ({"page": "abc"}, "Numer strony musi być liczbą"),
        ({"issued_from": "2026-05-01", "issued_to": "2026-01-01"}, "Data „do” nie może być"),
        ({"q": "x" * 200}, "Wpisz najwyżej 60 znaków"),
    ],
)
def test_bad_input_is_explained_and_changes_nothing(company, history, params, message):
    _, invoices, general = history
    response = signed_in(client_user(company)).get(reverse("invoices:list"), params)
    assert response.status_code == 200
    assert message in text(response)
    shown = {i.number for i in response.context["page_obj"]}
    if "issued_to" not in params:
        assert shown == {i.number for i in invoices} | {general.number}


def test_invoice_pages_cost_the_same_queries_for_5_or_50_invoices(company):
    client = signed_in(client_user(company))
    contract = make_contract(company, months=60, start=today() - relativedelta(months=58))
    invoices = invoice_installments(contract, through=today() - relativedelta(months=54))
    pay(company, invoices[0].gross)
    invoice_correct(invoice=invoices[1], lines=[LineSpec("Korekta", D("-10.00"))], reason="Rabat")
    urls = [reverse("invoices:list"), reverse("invoices:payments"), "/"]
    small = [count_queries(client, url)[0] for url in urls]
    more = invoice_installments(contract, through=today())
    for invoice in more[::3]:
        pay(company, invoice.gross, invoice=invoice)
        invoice_correct(invoice=invoice, lines=[LineSpec("Korekta", D("-1.00"))], reason="Rabat")
    assert Invoice.objects.filter(company=company).count() > 50
    large = [count_queries(client, url)[0] for url in urls]
    assert large == small


# --- Payments and balance -----------------------------------------------------------------------


def test_payments_show_how_each_was_settled_and_the_credit_left(company, history):
    _, invoices, _ = history
    pay(company, "60000.00", title="Duża wpłata")
    for invoice in invoices:
        invoice.refresh_from_db()
    response = signed_in(client_user(company)).get(reverse("invoices:payments"))
    payments = {p.title: p for p in response.context["page_obj"]}
    big = payments["Duża wpłata"]
    settled = {a.invoice.number: a.amount for a in big.allocations.all()}
    assert set(settled) == {
        invoices[1].number,
        invoices[2].number,
        invoices[3].number,
        "FV/OGOLNA/1",
    }
    assert big.unallocated == D("60000.00") - sum(settled.values())
    balance = response.context["balance"]
    assert balance.tone == "overpaid"
    assert balance.overpayment == big.unallocated
    page = text(response)
    assert "Saldo: nadpłata" in page
    assert f"{big.unallocated:,.2f}".replace(",", " ").replace(".", ",") + " zł" in page


def test_a_new_payment_shows_on_the_next_view_of_the_payments_page(company, history):
    """The page's settled invoices and balance are cached per data version: a payment booked
    after a view is listed, with its allocations and the new balance, on the very next one."""
    _, invoices, _ = history
    client = signed_in(client_user(company))
    before = client.get(reverse("invoices:payments"))
    assert "Druga wpłata" not in text(before)
    client.get(reverse("invoices:payments"))  # served from the cache now

    pay(company, "100.00", title="Druga wpłata")
    after = client.get(reverse("invoices:payments"))
    row = next(p for p in after.context["page_obj"] if p.title == "Druga wpłata")
    assert row.allocation_count == 1
    assert [a.amount for a in row.first_allocations] == [D("100.00")]
    assert row.first_allocations[0].invoice_number == invoices[1].number
    assert after.context["balance"].payments == before.context["balance"].payments + D("100")


def test_payments_filter_by_date_and_text(company, history):
    client = signed_in(client_user(company))
    recent = client.get(
        reverse("invoices:payments"),
        {"received_from": (today() - relativedelta(months=1, days=1)).isoformat()},
    )
    assert [p.title for p in recent.context["page_obj"]] == ["Rata 2 część"]
    by_title = client.get(reverse("invoices:payments"), {"q": "rata 1"})
    assert [p.title for p in by_title.context["page_obj"]] == ["Rata 1"]


def test_it_checks_ownership_of_payments(company, other_company, history):
    theirs = pay(other_company, "300.00", title="Cudza")
    client = signed_in(client_user(company))
    assert client.get(reverse("invoices:payment_detail", args=[theirs.pk])).status_code == 404
    mine = company.payments.get(title="Rata 1")
    assert client.get(reverse("invoices:payment_detail", args=[mine.pk])).status_code == 200


def test_a_payment_page_lists_every_invoice_it_settled(company):
    contract = make_contract(company, months=40, start=today() - relativedelta(months=39))
    invoices = invoice_installments(contract, through=today())
    big = pay(company, sum(i.gross for i in invoices[:30]), title="Zbiorcza wpłata")
    client = signed_in(client_user(company))

    listed = client.get(reverse("invoices:payments"))
    row = next(p for p in listed.context["page_obj"] if p.pk == big.pk)
    assert row.allocation_count == 30 and len(row.first_allocations) == 5
    assert "i jeszcze 25 – zobacz wszystkie" in text(listed)

    page = client.get(reverse("invoices:payment_detail", args=[big.pk]))
    assert [a.invoice.number for a in page.context["page_obj"]] == [i.number for i in invoices[:25]]
    assert "Zbiorcza wpłata" in text(page)
    rest = client.get(
        reverse("invoices:payment_detail", args=[big.pk]), {"page": 2}, **htmx("allocation-list")
    )
    assert rest.content.decode().lstrip().startswith('<div id="allocation-list"')
    assert [a.invoice.number for a in rest.context["page_obj"]] == [
        i.number for i in invoices[25:30]
    ]


def test_a_restricted_user_sees_only_payments_and_allocations_of_their_invoices(company, history):
    contract, invoices, _ = history
    other = make_contract(company, number="UL/INNA", start=today() - relativedelta(months=2))
    other_invoice = invoice_installments(other, through=today())[0]
    elsewhere = pay(company, other_invoice.gross, invoice=other_invoice, title="Tylko inna umowa")
    user = client_user(company, contracts_restricted=True)
    user.allowed_contracts.add(contract)
    client = signed_in(user)
    assert client.get(reverse("invoices:payment_detail", args=[elsewhere.pk])).status_code == 404
    both = pay(company, "60000.00", title="Na wszystko")
    page = client.get(reverse("invoices:payment_detail", args=[both.pk]))
    numbers = {a.invoice.number for a in page.context["page_obj"]}
    assert numbers and numbers <= {i.number for i in invoices}
    assert "Nierozliczone (nadpłata)" not in text(page)


def test_the_payments_page_costs_the_same_queries_however_many_invoices_a_payment_settled(
    company,
):
    contract = make_contract(company, months=60, start=today() - relativedelta(months=59))
    invoices = invoice_installments(contract, through=today())
    client = signed_in(client_user(company))
    pay(company, invoices[0].gross)
    small, _ = count_queries(client, reverse("invoices:payments"))
    big = pay(company, sum(i.gross for i in invoices[1:]))
    large, _ = count_queries(client, reverse("invoices:payments"))
    assert big.allocations.count() == len(invoices) - 1
    assert large == small
    detail = [
        count_queries(client, reverse("invoices:payment_detail", args=[p.pk]))[0]
        for p in company.payments.all()
    ]
    assert detail[0] == detail[1]
