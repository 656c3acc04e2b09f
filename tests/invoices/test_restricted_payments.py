"""A user restricted to some contracts sees of a payment only the part that settled their
invoices: never its whole amount, transfer title, bank reference or the rest of its settlement
(README "Company users and self-service")."""

from __future__ import annotations

from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse

from invoices.services import payment_record
from tests.portal_helpers import (
    client_user,
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
TITLE = "Przelew za UL/CUDZA/1 i UL/MOJA/1"
REFERENCE = "PL-REF-777"
CREDIT = D("1234.56")


def zl(amount: Decimal) -> str:
    """An amount as the pages print it (no-break spaces read as spaces)."""
    return f"{amount:,.2f}".replace(",", " ").replace(".", ",") + " zł"


def _one_invoice(company, number: str):
    start = today() - relativedelta(months=1, days=2)  # the first installment is due
    contract = make_contract(company, number=number, start=start)
    (invoice,) = invoice_installments(contract, through=today())
    return contract, invoice


@pytest.fixture
def world(company):
    """Two contracts of one company, one invoice each, and one transfer that paid both and
    left a credit; a user restricted to the first contract."""
    mine, my_invoice = _one_invoice(company, "UL/MOJA/1")
    _, their_invoice = _one_invoice(company, "UL/CUDZA/1")
    payment = payment_record(
        company=company,
        amount=my_invoice.gross + their_invoice.gross + CREDIT,
        received_on=today(),
        title=TITLE,
        bank_reference=REFERENCE,
    )
    user = client_user(company, contracts_restricted=True)
    user.allowed_contracts.add(mine)
    return {
        "payment": payment,
        "mine": my_invoice,
        "theirs": their_invoice,
        "client": signed_in(user),
    }


def _hidden(world) -> list[str]:
    return [
        TITLE,
        "UL/CUDZA",
        REFERENCE,
        world["theirs"].number,
        zl(world["payment"].amount),
        zl(CREDIT),
    ]


def test_the_payment_list_shows_only_the_part_that_settled_their_invoices(world):
    page = text(world["client"].get(reverse("invoices:payments")))

    assert zl(world["mine"].gross) in page
    assert world["mine"].number in page
    for secret in _hidden(world):
        assert secret not in page, secret


def test_the_payment_page_shows_only_the_part_that_settled_their_invoices(world):
    response = world["client"].get(reverse("invoices:payment_detail", args=[world["payment"].pk]))

    assert response.status_code == 200
    page = text(response)
    assert f"Zaliczono na Twoje faktury {zl(world['mine'].gross)}" in page
    assert world["mine"].number in page
    for secret in _hidden(world):
        assert secret not in page, secret


def test_the_invoice_page_lists_its_payments_without_their_titles(world):
    page = text(world["client"].get(reverse("invoices:detail", args=[world["mine"].pk])))
    assert zl(world["mine"].gross) in page
    assert TITLE not in page


def test_the_dashboard_and_balance_count_only_their_part(world):
    client = world["client"]
    dashboard = text(client.get("/"))
    payments = client.get(reverse("invoices:payments"))

    assert payments.context["balance"].payments == world["mine"].gross
    assert payments.context["balance"].overpayment == 0
    for page in (dashboard, text(payments)):
        for secret in _hidden(world):
            assert secret not in page, secret


def test_their_search_does_not_look_into_the_transfer_title(world):
    client = world["client"]
    url = reverse("invoices:payments")

    by_title = client.get(url, {"q": "CUDZA"})
    by_reference = client.get(url, {"q": REFERENCE})
    by_invoice = client.get(url, {"q": world["mine"].number})

    assert list(by_title.context["page_obj"]) == []
    assert list(by_reference.context["page_obj"]) == []
    assert [p.pk for p in by_invoice.context["page_obj"]] == [world["payment"].pk]
    assert 'placeholder="numer faktury"' in by_invoice.text


def test_sorting_by_amount_follows_the_part_they_see(company):
    mine, my_invoice = _one_invoice(company, "UL/MOJA/1")
    _, their_invoice = _one_invoice(company, "UL/CUDZA/1")
    # Large in total, 10 zł of it theirs; then small in total, all 20 zł theirs.
    large = pay(company, their_invoice.gross + D("10.00"), invoice=their_invoice, title="A")
    small = pay(company, "20.00", invoice=my_invoice, title="B")
    user = client_user(company, contracts_restricted=True)
    user.allowed_contracts.add(mine)

    page = signed_in(user).get(reverse("invoices:payments"), {"sort": "amount"})

    rows = list(page.context["page_obj"])
    assert [p.pk for p in rows] == [large.pk, small.pk]  # by the whole amount: the reverse
    assert [p.shown_amount for p in rows] == [D("10.00"), D("20.00")]
    assert zl(large.amount) not in text(page)


def test_payments_outside_their_contracts_or_company_are_not_found(world, other_company):
    client = world["client"]
    company = world["payment"].company
    elsewhere = pay(company, "5.00", invoice=world["theirs"], title="Tylko cudza")
    _, foreign_invoice = _one_invoice(other_company, "UL/OBCA/1")
    foreign = pay(other_company, foreign_invoice.gross, invoice=foreign_invoice)

    for payment in (elsewhere, foreign):
        url = reverse("invoices:payment_detail", args=[payment.pk])
        assert client.get(url).status_code == 404
    listed = {p.pk for p in client.get(reverse("invoices:payments")).context["page_obj"]}
    assert listed == {world["payment"].pk}


def test_a_user_who_sees_the_company_sees_the_whole_payment(world, company):
    client = signed_in(client_user(company))
    listed = text(client.get(reverse("invoices:payments")))
    detail = text(client.get(reverse("invoices:payment_detail", args=[world["payment"].pk])))

    for page in (listed, detail):
        for shown in (TITLE, REFERENCE, zl(world["payment"].amount), world["theirs"].number):
            assert shown in page, shown
    assert zl(CREDIT) in detail


def test_a_restricted_users_payment_pages_cost_the_same_queries_however_much_was_settled(
    company,
):
    contract = make_contract(company, months=60, start=today() - relativedelta(months=59))
    invoices = invoice_installments(contract, through=today())
    other = make_contract(company, months=60, start=today() - relativedelta(months=59))
    invoice_installments(other, through=today())
    user = client_user(company, contracts_restricted=True)
    user.allowed_contracts.add(contract)
    client = signed_in(user)
    pay(company, invoices[0].gross, invoice=invoices[0])
    small, _ = count_queries(client, reverse("invoices:payments"))

    big = pay(company, D("1000000.00"))  # settles every other invoice of both contracts

    large, _ = count_queries(client, reverse("invoices:payments"))
    assert big.allocations.count() > 100
    assert large == small
    detail = [
        count_queries(client, reverse("invoices:payment_detail", args=[p.pk]))[0]
        for p in company.payments.all()
    ]
    assert detail[0] == detail[1]
