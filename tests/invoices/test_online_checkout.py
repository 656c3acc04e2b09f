"""The checkout of several invoices: bounded whatever the balance, the order exactly what it
showed, and "pay online" offered only within the per-transaction limit (checkout, invoice
page, dashboard, the invoice list's selection bar)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from invoices.models import PaymentOrder
from invoices.online.selectors import CHECKOUT_ROWS, MAX_TICKED
from tests.invoices.online_helpers import decode_svg_in_page
from tests.portal_helpers import (
    HTMX,
    client_user,
    company_invoice,
    count_queries,
    pay,
    signed_in,
    text,
    today,
)

pytestmark = pytest.mark.django_db
CHECKOUT = reverse("online_payments:checkout")
PAY = reverse("online_payments:pay")
BAR = reverse("online_payments:selection_bar")


def add_invoices(company, count: int, *, start: int = 0, gross: str = "10.00") -> list:
    """`count` invoices due one day after another from 5 days ago (some overdue)."""
    return [
        company_invoice(
            company,
            gross,
            due=today() + dt.timedelta(days=n - 5),
            number=f"FV/C/{n:03d}",
        )
        for n in range(start, start + count)
    ]


def test_the_whole_balance_shows_its_total_and_only_the_first_invoices(company):
    invoices = add_invoices(company, CHECKOUT_ROWS + 5)
    client = signed_in(client_user(company))
    response = client.get(CHECKOUT, {"scope": "all"})
    page = text(response)
    assert f"Faktury: {CHECKOUT_ROWS + 5}, razem 250,00 zł" in page
    rows = re.findall(r"FV/C/\d{3}", response.content.decode().split("checkout-more")[0])
    assert rows == [i.number for i in invoices[:CHECKOUT_ROWS]]  # the oldest due first
    assert "Pozostałe faktury w tej płatności: 5" in page
    assert 'href="/faktury/?status=outstanding&amp;sort=due"' in response.content.decode()
    # the QR code is for the whole total, titled with the payer's NIP and the count
    [code] = decode_svg_in_page(response.content.decode())
    assert code["amount"] == "025000"
    assert code["title"] == f"NIP {company.nip} faktury {CHECKOUT_ROWS + 5}"

    # paying orders every invoice of the total, not only the listed ones
    digest = response.context["selection"].digest
    client.post(PAY, {"scope": "all", "shown": digest})
    order = PaymentOrder.objects.get()
    assert order.amount == Decimal("250.00")
    assert order.items.count() == CHECKOUT_ROWS + 5


def test_the_overdue_scope_links_to_the_overdue_list(company):
    add_invoices(company, CHECKOUT_ROWS + 2, start=-30)  # all overdue
    response = signed_in(client_user(company)).get(CHECKOUT, {"scope": "overdue"})
    assert "Pozostałe faktury w tej płatności: 2" in text(response)
    assert 'href="/faktury/?status=overdue&amp;sort=due"' in response.content.decode()


def test_the_checkout_reads_as_many_queries_for_3_and_for_40_invoices(company):
    client = signed_in(client_user(company))
    add_invoices(company, 3)
    few, small = count_queries(client, CHECKOUT + "?scope=all")
    add_invoices(company, 37, start=3)
    many, large = count_queries(client, CHECKOUT + "?scope=all")
    assert few == many
    assert len(small.context["invoices"]) == 3 and len(large.context["invoices"]) == CHECKOUT_ROWS
    # and the page does not grow with the invoices beyond the listed ones
    assert len(large.content) < len(small.content) * 3


def test_an_order_is_refused_when_the_invoices_changed_since_the_checkout(company):
    invoices = add_invoices(company, 3)
    client = signed_in(client_user(company))
    digest = client.get(CHECKOUT, {"scope": "all"}).context["selection"].digest
    company_invoice(company, "99.00", due=today(), number="FV/C/NEW")  # issued meanwhile

    response = client.post(PAY, {"scope": "all", "shown": digest}, follow=True)
    page = text(response)
    assert "Faktury do zapłaty zmieniły się, odkąd wyświetliliśmy podsumowanie" in page
    assert "teraz: 4 na 129,00 zł" in page
    assert not PaymentOrder.objects.exists()
    # back on the checkout with the new figures, paying them works
    assert response.redirect_chain[-1][0] == CHECKOUT + "?scope=all"
    assert "Faktury: 4, razem 129,00 zł" in page
    client.post(PAY, {"scope": "all", "shown": response.context["selection"].digest})
    assert PaymentOrder.objects.get().amount == Decimal("129.00")

    # a part payment booked meanwhile changes the amount of the same invoices: refused too
    PaymentOrder.objects.all().delete()
    ticked = {"invoice": [invoices[0].pk, invoices[1].pk]}
    digest = client.post(CHECKOUT, ticked).context["selection"].digest
    pay(company, "4.00", invoice=invoices[0])
    response = client.post(PAY, {**ticked, "shown": digest}, follow=True)
    assert "teraz: 2 na 16,00 zł" in text(response)
    assert not PaymentOrder.objects.exists()


@pytest.mark.parametrize("shown", ["", "0" * 32, "not-a-digest"])
def test_an_order_without_the_checkouts_fingerprint_is_not_made(company, shown):
    add_invoices(company, 2)
    client = signed_in(client_user(company))
    response = client.post(PAY, {"scope": "all", "shown": shown}, follow=True)
    assert response.status_code == 200
    assert not PaymentOrder.objects.exists()
    assert response.redirect_chain[-1][0] == CHECKOUT + "?scope=all"  # to see what it would be
    assert "Faktury: 2, razem 20,00 zł" in text(response)


def test_too_many_ticked_invoices_are_refused_with_a_message(company):
    client = signed_in(client_user(company))
    ids = list(range(1, MAX_TICKED + 2))
    response = client.post(CHECKOUT, {"invoice": ids}, follow=True)
    assert f"Zaznacz najwyżej {MAX_TICKED} faktur naraz" in text(response)
    response = client.post(PAY, {"invoice": ids, "shown": "0" * 32}, follow=True)
    assert f"Zaznacz najwyżej {MAX_TICKED} faktur naraz" in text(response)
    assert not PaymentOrder.objects.exists()


# The per-transaction limit -------------------------------------------------------------


@pytest.fixture
def limit(settings):
    settings.ONLINE_PAYMENT_MAX_AMOUNT = Decimal("500.00")
    return settings


REASON = "Płatność online jest możliwa do 500,00 zł w jednej transakcji."


def test_the_checkout_above_the_limit_offers_the_transfer_code_instead(company, limit):
    big = company_invoice(company, "400.00", due=today() - dt.timedelta(days=1), number="FV/L/1")
    small = company_invoice(company, "150.00", due=today() + dt.timedelta(days=3), number="FV/L/2")
    client = signed_in(client_user(company))
    response = client.get(CHECKOUT, {"scope": "all"})
    page = text(response)
    assert REASON in page and "Zapłać online" not in page
    [code] = decode_svg_in_page(response.content.decode())
    assert code["amount"] == "055000" and code["title"] == "FV/L/1 FV/L/2"
    # within the limit the button is there
    page = text(client.post(CHECKOUT, {"invoice": [big.pk]}))
    assert "Zapłać online 400,00 zł" in page and REASON not in page
    assert small


def test_the_invoice_page_above_the_limit_has_no_pay_online_button(company, limit):
    big = company_invoice(company, "600.00", due=today(), number="FV/L/3")
    small = company_invoice(company, "100.00", due=today(), number="FV/L/4")
    client = signed_in(client_user(company))
    page = text(client.get(reverse("invoices:detail", args=[big.pk])))
    assert REASON in page and "Zapłać online 600,00 zł" not in page
    assert "Zapłać przelewem – kod QR" in page  # the code itself is on the page
    page = text(client.get(reverse("invoices:detail", args=[small.pk])))
    assert "Zapłać online 100,00 zł" in page and REASON not in page


def test_the_dashboard_offers_only_what_is_within_the_limit(company, limit):
    company_invoice(company, "300.00", due=today() - dt.timedelta(days=2), number="FV/L/5")
    company_invoice(company, "400.00", due=today() + dt.timedelta(days=9), number="FV/L/6")
    client = signed_in(client_user(company))
    home = text(client.get(reverse("home")))
    assert "Zapłać zaległe (300,00 zł)" in home  # within the limit
    assert "Zapłać całe saldo (" not in home  # 700,00 zł is above it
    assert REASON in home and "Zapłać całe saldo przelewem – kod QR poniżej." in home
    assert "Zapłać przelewem – kod QR: całe saldo (700,00 zł)" in home
    response = client.get(reverse("home"))
    assert 'href="/platnosci-online/?scope=all"' in response.content.decode()
    [code] = decode_svg_in_page(response.content.decode())  # the checkout's code of the total
    assert code["amount"] == "070000" and code["title"] == "FV/L/5 FV/L/6"

    limit.ONLINE_PAYMENT_MAX_AMOUNT = Decimal("200.00")
    response = client.get(reverse("home"))
    home = text(response)
    assert "Zapłać zaległe (" not in home and "Zapłać całe saldo (" not in home
    assert "Zapłać zaległe przelewem – kod QR poniżej." in home
    assert "kod QR: zaległe (300,00 zł)" in home and "całe saldo (700,00 zł)" in home
    [code] = decode_svg_in_page(response.content.decode())  # the overdue ones come first
    assert code["amount"] == "030000" and code["title"] == "FV/L/5"

    limit.ONLINE_PAYMENT_MAX_AMOUNT = Decimal("1000.00")
    response = client.get(reverse("home"))
    home = text(response)
    assert "Zapłać zaległe (300,00 zł)" in home and "Zapłać całe saldo (700,00 zł)" in home
    assert "Płatność online jest możliwa do" not in home
    assert "transfer-qr" not in response.content.decode()


def test_the_selection_bar_disables_pay_for_ticked_invoices_above_the_limit(
    company, other_company, limit
):
    first = company_invoice(company, "300.00", due=today(), number="FV/L/7")
    second = company_invoice(company, "250.00", due=today(), number="FV/L/8")
    theirs = company_invoice(other_company, "900.00", due=today(), number="FV/X/1")
    client = signed_in(client_user(company))

    within = client.get(BAR, {"invoice": [first.pk]}, **HTMX).content.decode()
    assert "data-needs-selection" in within and "disabled" not in within

    above = client.get(BAR, {"invoice": [first.pk, second.pk]}, **HTMX)
    html = above.content.decode()
    assert re.search(r"<button[^>]*disabled[^>]*>.*Zapłać zaznaczone", html, flags=re.S)
    assert REASON in text(above)
    assert 'formaction="/platnosci-online/"' in html  # the way to the transfer QR code

    # another company's invoice counts for nothing; a bad id changes nothing
    assert "disabled" not in client.get(BAR, {"invoice": [theirs.pk]}, **HTMX).content.decode()
    assert client.get(BAR, {"invoice": ["abc"]}, **HTMX).status_code == 200

    # the list itself offers the bar, which asks the server again as boxes are ticked
    page = client.get(reverse("invoices:list")).content.decode()
    assert f'hx-get="{BAR}"' in page


def test_the_selection_bar_reads_as_many_queries_for_2_and_for_30_ticked(company, limit):
    client = signed_in(client_user(company))
    few = add_invoices(company, 2)
    count_few, _ = count_queries(client, BAR + "?" + "&".join(f"invoice={i.pk}" for i in few))
    many = few + add_invoices(company, 28, start=2)
    count_many, _ = count_queries(client, BAR + "?" + "&".join(f"invoice={i.pk}" for i in many))
    assert count_few == count_many


def test_the_dashboard_above_the_limit_reads_no_more_queries_for_more_invoices(company, limit):
    from ebok.datacache import company_data_changed

    client = signed_in(client_user(company))
    add_invoices(company, 3, start=-30, gross="300.00")  # overdue, above the limit together
    company_data_changed(company.pk)
    few, response = count_queries(client, reverse("home"))
    assert "Zapłać zaległe przelewem – kod QR poniżej." in text(response)
    add_invoices(company, 30, start=-27, gross="300.00")
    company_data_changed(company.pk)
    many, response = count_queries(client, reverse("home"))
    [code] = decode_svg_in_page(response.content.decode())
    assert code["amount"] == "990000" and code["title"] == f"NIP {company.nip} faktury 33"
    assert many <= few


def test_the_dashboards_transfer_code_is_the_checkouts_with_more_invoices_than_the_tile_lists(
    company, limit
):
    """The tile lists five overdue invoices; seven short numbers still fit the transfer title,
    so the dashboard's code must name all seven, exactly as the checkout's does."""
    for n in range(1, 8):
        company_invoice(company, "100.00", due=today() - dt.timedelta(days=10 - n), number=f"A{n}")
    client = signed_in(client_user(company))
    [home] = decode_svg_in_page(client.get(reverse("home")).content.decode())
    [checkout] = decode_svg_in_page(client.get(CHECKOUT, {"scope": "overdue"}).content.decode())
    assert home["title"] == checkout["title"] == "A1 A2 A3 A4 A5 A6 A7"
    assert home["amount"] == checkout["amount"] == "070000"
