"""Paying invoices online through PayU (a fake PayU on loopback) and the demo gateway."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEntry
from invoices.models import Invoice, Payment, PaymentOrder
from invoices.online.services import order_settle
from tests.invoices.online_helpers import FakePayu
from tests.portal_helpers import (
    client_user,
    company_invoice,
    make_contract,
    signed_in,
    text,
    today,
)

pytestmark = pytest.mark.django_db
SECOND_KEY = "second-key-123"
NOTIFY = "/platnosci-online/powiadomienia/payu/"


@pytest.fixture
def payu(settings):
    fake = FakePayu()
    settings.ONLINE_PAYMENT_GATEWAY = "payu"
    settings.PAYU = {
        "api_url": fake.url,
        "pos_id": "300746",
        "client_id": "300746",
        "client_secret": "secret",
        "second_key": SECOND_KEY,
    }
    yield fake
    fake.close()


@pytest.fixture
def invoices(company):
    return [
        company_invoice(company, "100.00", due=today() - dt.timedelta(days=3), number="FV/A/1"),
        company_invoice(company, "250.50", due=today() + dt.timedelta(days=9), number="FV/A/2"),
        company_invoice(company, "70.00", due=today() + dt.timedelta(days=20), number="FV/A/3"),
    ]


def shown(client, data: dict) -> dict:
    """`data` with the fingerprint of what the checkout shows for it, as its form posts it."""
    page = client.post(reverse("online_payments:checkout"), data)
    assert page.status_code == 200, page.status_code
    return {**data, "shown": page.context["selection"].digest}


def start(client, invoices) -> PaymentOrder:
    data = shown(client, {"invoice": [i.pk for i in invoices]})
    response = client.post(reverse("online_payments:pay"), data)
    assert response.status_code == 302
    order = PaymentOrder.objects.latest("id")
    assert response["Location"] == f"https://pay.example/{order.gateway_order_id}"
    return order


def notification(order, *, status="COMPLETED", amount=None, order_id=None, ext_id=None):
    return json.dumps(
        {
            "order": {
                "orderId": order_id or order.gateway_order_id,
                "extOrderId": ext_id or str(order.public_id),
                "totalAmount": str(order.amount_grosz if amount is None else amount),
                "currencyCode": "PLN",
                "status": status,
            }
        }
    ).encode()


def send(client, body: bytes, key: str = SECOND_KEY):
    signature = hashlib.md5(body + key.encode()).hexdigest()  # noqa: S324 (PayU's scheme)
    header = f"sender=checkout;signature={signature};algorithm=MD5;content=DOCUMENT"
    return client.post(
        NOTIFY, body, content_type="application/json", HTTP_OPENPAYU_SIGNATURE=header
    )


def amounts_paid(invoices) -> list[Decimal]:
    return [Invoice.objects.get(pk=i.pk).amount_paid for i in invoices]


def test_a_paid_order_is_in_settlement_until_the_money_is_booked(company, invoices, payu):
    user = client_user(company)
    client = signed_in(user)
    order = start(client, invoices[:2])
    [sent] = payu.orders
    assert sent["totalAmount"] == "35050" and sent["currencyCode"] == "PLN"
    assert sent["extOrderId"] == str(order.public_id)
    assert sent["notifyUrl"].endswith(NOTIFY)
    assert [p["name"] for p in sent["products"]] == ["FV/A/1", "FV/A/2"]

    assert send(client, notification(order)).status_code == 200
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.PAID
    assert amounts_paid(invoices) == [0, 0, 0]  # nothing booked yet: the balance is as it was
    page = text(client.get(reverse("invoices:list")))
    assert "Wpłata w trakcie rozliczania: 350,50 zł (FV/A/1, FV/A/2)" in page
    home = text(client.get(reverse("home")))
    assert "Wpłata w trakcie rozliczania: 350,50 zł" in home
    assert "Zapłać całe saldo (70,00 zł)" in home and "Zapłać zaległe" not in home
    detail = text(client.get(reverse("invoices:detail", args=[invoices[0].pk])))
    assert "Wpłata w trakcie rozliczania: 100,00 zł" in detail
    result = text(client.get(reverse("online_payments:result", args=[order.public_id])))
    assert "jest w trakcie rozliczania" in result

    payment = order_settle(order=order, received_on=today(), audit=_staff_audit())
    assert payment.amount == Decimal("350.50") and payment.unallocated == 0
    assert amounts_paid(invoices) == [Decimal("100.00"), Decimal("250.50"), 0]
    assert "w trakcie rozliczania" not in text(client.get(reverse("invoices:list")))
    assert Payment.objects.filter(company=company).count() == 1  # counted once


def _staff_audit():
    from accounts.audit import BACKGROUND

    return BACKGROUND


def test_the_feed_booking_the_money_ends_the_settlement_too(company, invoices, payu):
    client = signed_in(client_user(company))
    order = start(client, invoices[:1])
    assert send(Client(), notification(order)).status_code == 200  # PayU is not signed in
    from tests.portal_helpers import pay

    pay(company, "100.00", invoice=invoices[0])  # the core system booked the transfer
    assert "w trakcie rozliczania" not in text(client.get(reverse("invoices:list")))


@pytest.mark.parametrize(
    ("status", "expected", "message"),
    [
        ("CANCELED", PaymentOrder.Status.CANCELLED, "Płatność anulowano"),
        ("REJECTED", PaymentOrder.Status.FAILED, "Płatność nie powiodła się"),
    ],
)
def test_a_cancelled_or_failed_order_changes_no_balance(
    company, invoices, payu, status, expected, message
):
    client = signed_in(client_user(company))
    order = start(client, invoices)
    assert send(client, notification(order, status=status)).status_code == 200
    order.refresh_from_db()
    assert order.status == expected
    assert amounts_paid(invoices) == [0, 0, 0]
    assert "w trakcie rozliczania" not in text(client.get(reverse("invoices:list")))
    assert message in text(client.get(reverse("online_payments:result", args=[order.public_id])))
    # the invoices can be paid again
    assert start(client, invoices).pk != order.pk


def test_a_repeated_notification_changes_nothing(company, invoices, payu):
    client = signed_in(client_user(company))
    order = start(client, invoices[:1])
    assert send(client, notification(order, status="PENDING")).status_code == 200
    for _ in range(2):
        assert send(client, notification(order)).status_code == 200
    assert send(client, notification(order, status="CANCELED")).status_code == 200
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.PAID
    assert AuditEntry.objects.filter(action="online_payment.paid").count() == 1


def test_a_forged_notification_is_refused(company, invoices, payu):
    client = signed_in(client_user(company))
    order = start(client, invoices[:1])
    assert send(client, notification(order), key="guessed").status_code == 403
    # the gateway is nobody signed in: its request reaches the check, no sign-in redirect
    response = Client().post(NOTIFY, notification(order), content_type="application/json")
    assert response.status_code == 403
    assert send(Client(), notification(order), key="guessed").status_code == 403
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.PENDING


def test_a_notification_of_another_amount_is_refused_and_logged(company, invoices, payu):
    client = signed_in(client_user(company))
    order = start(client, invoices[:1])
    assert send(client, notification(order, amount=100)).status_code == 400
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.PENDING
    entry = AuditEntry.objects.get(action="online_payment.rejected")
    assert entry.details["reason"] == "amount mismatch"


def test_a_notification_mixing_another_companys_order_changes_nothing(
    company, other_company, invoices, payu
):
    ours = start(signed_in(client_user(company)), invoices[:1])
    theirs_invoice = company_invoice(other_company, "100.00", due=today(), number="FV/B/1")
    theirs = start(signed_in(client_user(other_company)), [theirs_invoice])
    client = signed_in(client_user(company))
    # their order id with our payment's gateway id and amount
    body = notification(ours, ext_id=str(theirs.public_id))
    assert send(client, body).status_code == 400
    for order in (ours, theirs):
        order.refresh_from_db()
        assert order.status == PaymentOrder.Status.PENDING
    # and their order's pages are not ours
    for name in ("online_payments:result", "online_payments:demo_gateway"):
        assert client.get(reverse(name, args=[theirs.public_id])).status_code == 404


def test_other_companies_and_hidden_invoices_cannot_be_paid(company, other_company, invoices, payu):
    theirs = company_invoice(other_company, "100.00", due=today(), number="FV/B/1")
    client = signed_in(client_user(company))
    response = client.post(reverse("online_payments:pay"), {"invoice": [theirs.pk]}, follow=True)
    assert "Nie ma nieopłaconych faktur do zapłaty" in text(response)
    assert not PaymentOrder.objects.exists()
    # a user restricted to one contract pays only that contract's invoices
    contract = make_contract(company)
    restricted = client_user(company, contracts_restricted=True)
    contract.restricted_users.add(restricted)
    response = signed_in(restricted).post(
        reverse("online_payments:pay"), {"invoice": [invoices[0].pk]}, follow=True
    )
    assert "Nie ma nieopłaconych faktur do zapłaty" in text(response)
    assert not PaymentOrder.objects.exists()


def test_an_order_above_the_limit_is_refused(company, invoices, payu, settings):
    settings.ONLINE_PAYMENT_MAX_AMOUNT = Decimal("300.00")
    client = signed_in(client_user(company))
    data = {"invoice": [i.pk for i in invoices]}
    checkout = text(client.post(reverse("online_payments:checkout"), data))
    assert "Płatność online jest możliwa do 300,00 zł w jednej transakcji." in checkout
    assert "Zapłać online" not in checkout  # no button: the reason and the QR code instead
    # a POST that skips the page is refused all the same
    settings.ONLINE_PAYMENT_MAX_AMOUNT = Decimal("1000.00")
    data = shown(client, data)
    settings.ONLINE_PAYMENT_MAX_AMOUNT = Decimal("300.00")
    response = client.post(reverse("online_payments:pay"), data, follow=True)
    assert "najwyżej 300,00 zł (wybrano 420,50 zł)" in text(response)
    assert not PaymentOrder.objects.exists() and not payu.orders


def test_a_gateway_that_refuses_leaves_no_order(company, invoices, payu):
    payu.refuse = True
    client = signed_in(client_user(company))
    data = shown(client, {"invoice": [invoices[0].pk]})
    response = client.post(reverse("online_payments:pay"), data, follow=True)
    assert "Bramka płatności jest chwilowo niedostępna" in text(response)
    assert not PaymentOrder.objects.exists()


def test_an_invoice_in_settlement_is_not_offered_again(company, invoices, payu):
    client = signed_in(client_user(company))
    order = start(client, invoices[:1])
    send(client, notification(order))
    response = client.get(reverse("online_payments:checkout"), {"scope": "all"})
    assert [i.number for i in response.context["invoices"]] == ["FV/A/2", "FV/A/3"]
    overdue = client.get(reverse("online_payments:checkout"), {"scope": "overdue"}, follow=True)
    assert "Nie ma nieopłaconych faktur do zapłaty" in text(overdue)


def test_the_demo_gateway_plays_the_gateway(company, invoices):
    client = signed_in(client_user(company))
    data = shown(client, {"invoice": [invoices[0].pk]})
    response = client.post(reverse("online_payments:pay"), data)
    order = PaymentOrder.objects.get()
    assert order.gateway == "demo"
    page = client.get(response["Location"])
    assert "DEMO – to nie jest prawdziwa bramka płatności" in text(page)
    result = client.post(response["Location"], {"outcome": "paid"}, follow=True)
    assert "jest w trakcie rozliczania" in text(result)
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.PAID


def test_a_demo_notification_needs_the_portals_signature(company, invoices):
    client = signed_in(client_user(company))
    client.post(reverse("online_payments:pay"), shown(client, {"invoice": [invoices[0].pk]}))
    order = PaymentOrder.objects.get()
    body = json.dumps(
        {
            "extOrderId": str(order.public_id),
            "orderId": order.gateway_order_id,
            "totalAmount": order.amount_grosz,
            "currencyCode": "PLN",
            "status": "paid",
        }
    ).encode()
    response = client.post(
        "/platnosci-online/powiadomienia/demo/",
        body,
        content_type="application/json",
        HTTP_X_DEMO_SIGNATURE="0" * 64,
    )
    assert response.status_code == 403
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.PENDING


def test_the_checkout_reads_the_same_number_of_queries_whatever_the_count(company):
    from tests.portal_helpers import count_queries

    client = signed_in(client_user(company))
    url = reverse("online_payments:checkout") + "?scope=all"
    company_invoice(company, "10.00", due=today())
    few, _response = count_queries(client, url)
    for n in range(8):
        company_invoice(company, "10.00", due=today() + dt.timedelta(days=n))
    many, response = count_queries(client, url)
    assert few == many
    assert len(response.context["invoices"]) == 9
