"""The start page: the public landing for visitors, the dashboard ("Widok 360") for clients."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.test import Client
from django.urls import reverse

from contracts.selectors import installments_per_month
from ebok import dashboard, navigation
from ebok.dashboard import Tile
from tests.factories import InsurancePolicyFactory
from tests.portal_helpers import (
    client_user,
    company_invoice,
    count_queries,
    invoice_installments,
    make_contract,
    pay,
    signed_in,
    text,
    today,
)

pytestmark = pytest.mark.django_db
D = Decimal


def test_visitors_get_the_public_landing_page():
    response = Client().get("/")
    assert response.status_code == 200
    page = text(response)
    assert "Twoje umowy leasingu w jednym miejscu" in page
    html = response.content.decode()
    assert "ebok-mainnav" not in html
    assert f'href="{reverse("accounts:signin")}"' in html


def test_staff_without_a_company_get_the_landing_page_too(staff_user):
    client = Client()
    client.force_login(staff_user)
    assert "Twoje umowy leasingu w jednym miejscu" in text(client.get("/"))


def test_a_client_user_gets_the_dashboard_with_the_portal_shell(company):
    make_contract(company)
    user = client_user(company, first_name="Anna")
    response = signed_in(user).get("/")
    page = text(response)
    assert "Pulpit" in page and "Dzień dobry, Anna" in page
    assert company.name in page and f"Nr klienta {company.client_number}" in page
    html = response.content.decode()
    for name in (
        "contracts:list",
        "contracts:installments",
        "invoices:list",
        "contracts:policies",
        "contracts:fees",
    ):
        assert f'href="{reverse(name)}"' in html, name
    assert 'class="nav-link active" href="/" aria-current="page"' in html
    contracts_page = signed_in(user).get(reverse("contracts:list")).content.decode()
    assert f'class="nav-link active" href="{reverse("contracts:list")}"' in contracts_page


def test_the_balance_tile_is_red_with_debt_blue_when_overpaid_neutral_otherwise(company):
    contract = make_contract(company, start=today() - relativedelta(months=2))
    client = signed_in(client_user(company))
    assert "ebok-balance-neutral" in client.get("/").content.decode()

    invoices = invoice_installments(contract, through=today())  # two overdue installments
    response = client.get("/")
    assert "ebok-balance-debt" in response.content.decode()
    owed = sum(i.gross for i in invoices)
    assert f"Do zapłaty teraz {pln(owed)}" in text(response)

    pay(company, owed + D("500.00"))
    response = client.get("/")
    assert "ebok-balance-overpaid" in response.content.decode()
    assert "500,00 zł" in text(response)


def pln(amount) -> str:
    return f"{amount:,.2f}".replace(",", " ").replace(".", ",") + " zł"


def test_the_balance_headline_is_what_is_due_now_and_the_whole_balance_is_below(company):
    """A red grand total alarms more than the debt deserves: the headline is what is payable now
    (its overdue part in red under it); the whole balance, future invoices included, one line
    below."""
    overdue = company_invoice(company, "4858.80", due=today() - dt.timedelta(days=3))
    due_today = company_invoice(company, "1000.00", due=today())
    later = company_invoice(company, "101521.19", due=today() + dt.timedelta(days=20))
    response = signed_in(client_user(company)).get("/")
    page = text(response)

    due_now = overdue.gross + due_today.gross
    assert f"Do zapłaty teraz {pln(due_now)} w tym po terminie: {pln(overdue.gross)}" in page
    assert f"Całe saldo: {pln(due_now + later.gross)}" in page
    html = response.content.decode()
    assert 'class="ebok-balance-amount ebok-balance-now"' in html  # navy, not red
    assert f'<div class="ebok-overdue fw-semibold">w tym po terminie: {pln(overdue.gross)}' in (
        html.replace("\xa0", " ")
    )


def test_overdue_invoices_and_the_next_payments_are_listed(company):
    contract = make_contract(company, start=today() - relativedelta(months=2, days=-5))
    overdue = invoice_installments(contract, through=today())
    upcoming = company_invoice(company, "80.00", due=today() + dt.timedelta(days=5))
    page = text(signed_in(client_user(company)).get("/"))
    assert "Faktury po terminie" in page
    for invoice in overdue:
        assert invoice.number in page
    assert upcoming.number in page  # "Najbliższe płatności"
    assert f"Faktur: {len(overdue)}" in page
    next_installment = (
        contract.installments.filter(due_date__gte=today()).order_by("due_date").first()
    )
    assert "Najbliższe raty" in page
    assert next_installment.due_date.strftime("%d.%m.%Y") in page


def test_expiring_policies_are_flagged(company, settings):
    settings.POLICY_EXPIRING_DAYS = 30
    contract = make_contract(company)
    InsurancePolicyFactory(
        contract=contract,
        insurer="Ubezpieczyciel Wygasający",
        valid_from=today() - dt.timedelta(days=300),
        valid_to=today() + dt.timedelta(days=12),
    )
    InsurancePolicyFactory(
        contract=contract,
        insurer="Ubezpieczyciel Spokojny",
        valid_from=today() - dt.timedelta(days=10),
        valid_to=today() + dt.timedelta(days=300),
    )
    page = text(signed_in(client_user(company)).get("/"))
    assert "Wygasające polisy" in page
    assert "Ubezpieczyciel Wygasający" in page and "Ubezpieczyciel Spokojny" not in page


def test_the_chart_shows_twelve_months_of_installments_with_accessible_amounts(company):
    make_contract(company, months=6, start=today())
    response = signed_in(client_user(company)).get("/")
    html = response.content.decode()
    svg = html.split('<svg class="ebok-chart"', 1)[1].split("</svg>", 1)[0]
    assert len(re.findall(r"<rect ", svg)) == 12
    assert 'role="img"' in html.split('<svg class="ebok-chart"', 1)[1][:200]
    assert "<title" in svg and "<desc" in svg
    assert 'style="' not in svg  # CSP: no inline styles, presentation attributes only
    months = response.context["tiles"]
    chart = next(t for t in months if t.template.endswith("installments_chart.html"))
    assert sum(bar.gross for bar in chart.context["bars"]) == chart.context["total"]


def test_installments_per_month_sums_each_month_across_contracts(company):
    start = today().replace(day=1)
    first = make_contract(company, months=3, start=start + dt.timedelta(days=4))
    second = make_contract(company, months=3, start=start + dt.timedelta(days=9))
    user = client_user(company)
    months = installments_per_month(user=user, today=today())
    assert [m.month for m in months] == [start + relativedelta(months=k) for k in range(12)]
    for k in (1, 2, 3):
        month = start + relativedelta(months=k)
        expected = sum(
            i.gross
            for c in (first, second)
            for i in c.installments.all()
            if i.due_date.replace(day=1) == month
        )
        assert months[k].gross == expected and expected > 0
    assert months[0].gross == 0 and months[4].gross == 0


def test_a_user_without_finances_gets_no_finance_tiles(company):
    make_contract(company)
    page = text(signed_in(client_user(company, can_view_finances=False)).get("/"))
    assert "Saldo" not in page and "Faktury po terminie" not in page
    assert "Najbliższe raty" in page


def test_a_user_without_contracts_gets_no_contract_tiles(company):
    make_contract(company)
    page = text(signed_in(client_user(company, can_view_contracts=False)).get("/"))
    assert "Najbliższe raty" not in page and "Wygasające polisy" not in page
    assert "Raty w najbliższych 12 miesiącach" not in page
    assert "Saldo" in page


def test_a_user_with_no_permissions_is_told_what_to_do(company):
    user = client_user(
        company, can_view_contracts=False, can_view_finances=False, can_submit_requests=False
    )
    page = text(signed_in(user).get("/"))
    assert "Poproś administratora firmy o nadanie dostępu" in page


def test_the_dashboard_shows_only_a_restricted_users_contracts(company):
    mine = make_contract(company, number="UL/MOJA", start=today() - relativedelta(months=1))
    other = make_contract(company, number="UL/CUDZA", start=today() - relativedelta(months=1))
    invoice_installments(mine, through=today())
    theirs = invoice_installments(other, through=today())
    user = client_user(company, contracts_restricted=True)
    user.allowed_contracts.add(mine)
    response = signed_in(user).get("/")
    page = text(response)
    assert "UL/CUDZA" not in page and theirs[0].number not in page
    assert "UL/MOJA" in page


def test_apps_add_their_tiles_through_the_registry(company):
    """A later app (documents, applications) plugs a tile in without the dashboard knowing it."""

    def unread_documents(request):
        return Tile(
            template="ebok/tiles/count.html",
            context={
                "key": "docs",
                "title": "Dokumenty do odczytania",
                "count": 3,
                "text": "nowe",
                "url": "/",
            },
        )

    dashboard.register_tile("tests.unread", unread_documents, order=5)
    dashboard.register_tile("tests.hidden", lambda request: None, order=6)
    try:
        response = signed_in(client_user(company)).get("/")
    finally:
        dashboard._registry.pop("tests.unread")
        dashboard._registry.pop("tests.hidden")
    page = text(response)
    assert "Dokumenty do odczytania 3" in page.replace("Zobacz ", "")
    assert response.context["tiles"][0].context["key"] == "docs"  # order 5: first


def test_apps_add_their_menu_entries_through_the_registry(company):
    navigation.register(
        navigation.NavItem(
            key="tests.requests",
            label="Pozycja testowa",
            url_name="home",
            order=70,
            visible=lambda user: user.is_company_admin,
        )
    )
    try:
        plain = text(signed_in(client_user(company)).get("/"))
        admin = text(signed_in(client_user(company, is_company_admin=True)).get("/"))
    finally:
        navigation._main.pop("tests.requests")
    assert "Pozycja testowa" not in plain and "Pozycja testowa" in admin


def test_the_dashboard_costs_the_same_queries_for_one_or_many_contracts(company):
    client = signed_in(client_user(company))
    contract = make_contract(company, start=today() - relativedelta(months=2))
    invoice_installments(contract, through=today())
    InsurancePolicyFactory(contract=contract, valid_to=today() + dt.timedelta(days=5))
    small, _ = count_queries(client, "/")
    for n in range(12):
        contract = make_contract(company, start=today() - relativedelta(months=2, days=n))
        invoice_installments(contract, through=today())
        InsurancePolicyFactory(contract=contract, valid_to=today() + dt.timedelta(days=n + 1))
    pay(company, "50000.00")
    large, _ = count_queries(client, "/")
    assert large == small
