"""Back office for invoices and payments: money moves only through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from invoices.models import Invoice, Payment, PaymentAllocation
from tests.admin_helpers import form_data, messages_of, run_action
from tests.factories import CompanyFactory

from .helpers import allocations_of, assert_settlement_consistent, issue, paid

pytestmark = pytest.mark.django_db
D = Decimal


def record_payment(client, company, amount, *, invoice=None, title="Przelew"):
    return client.post(
        reverse("admin:invoices_payment_add"),
        {
            "company": company.pk,
            "amount": amount,
            "received_on": "2026-11-20",
            "title": title,
            "bank_reference": "ELX0001",
            "assigned_invoice": invoice.pk if invoice else "",
        },
        follow=True,
    )


def test_a_recorded_payment_settles_the_oldest_due_invoices_first(otp_admin_client, company):
    newer = issue(company, "500.00", due=dt.date(2026, 10, 15))
    older = issue(company, "300.00", due=dt.date(2026, 9, 15))

    response = record_payment(otp_admin_client, company, "450.00")

    payment = Payment.objects.get(company=company)
    assert paid(older) == D("300.00")
    assert paid(newer) == D("150.00")
    assert payment.unallocated == D("0.00")
    assert any("na faktury 450,00" in m for m in messages_of(response))
    assert_settlement_consistent(company)


def test_a_payment_for_a_named_invoice_goes_there_first(otp_admin_client, company):
    older = issue(company, "300.00", due=dt.date(2026, 9, 15))
    named = issue(company, "500.00", due=dt.date(2026, 10, 15))

    record_payment(otp_admin_client, company, "600.00", invoice=named, title=named.number)

    assert paid(named) == D("500.00")
    assert paid(older) == D("100.00")
    assert_settlement_consistent(company)


def test_an_overpayment_stays_as_credit(otp_admin_client, company):
    invoice = issue(company, "300.00", due=dt.date(2026, 9, 15))

    response = record_payment(otp_admin_client, company, "1000.00")

    assert paid(invoice) == D("300.00")
    assert Payment.objects.get(company=company).unallocated == D("700.00")
    assert any("nadpłata 700,00" in m for m in messages_of(response))


def test_a_payment_cannot_name_another_companys_invoice(otp_admin_client, company):
    foreign = issue(CompanyFactory(), "300.00", due=dt.date(2026, 9, 15))

    response = record_payment(otp_admin_client, company, "300.00", invoice=foreign)

    assert "należy do innej firmy" in response.text
    assert not Payment.objects.exists()


def test_a_booked_payment_keeps_its_amount_and_cannot_be_deleted(otp_admin_client, company):
    invoice = issue(company, "300.00", due=dt.date(2026, 9, 15))
    record_payment(otp_admin_client, company, "300.00")
    payment = Payment.objects.get()
    url = reverse("admin:invoices_payment_change", args=[payment.pk])

    page = otp_admin_client.get(url)
    edited = {**form_data(page), "amount": "5.00", "title": "Nowy tytuł"}
    assert otp_admin_client.post(url, edited).status_code == 302

    payment.refresh_from_db()
    assert 'name="amount"' not in page.text
    assert invoice.number in page.text  # its allocations are listed
    assert (payment.amount, payment.title) == (D("300.00"), "Nowy tytuł")
    delete_url = reverse("admin:invoices_payment_delete", args=[payment.pk])
    assert otp_admin_client.get(delete_url).status_code == 403


def test_invoices_are_read_only_documents(otp_admin_client, company):
    invoice = issue(company, "300.00", due=dt.date(2026, 9, 15))
    url = reverse("admin:invoices_invoice_change", args=[invoice.pk])

    page = otp_admin_client.get(url)

    assert page.status_code == 200
    assert 'name="_save"' not in page.text
    assert "Usługa" in page.text  # the lines inline
    assert otp_admin_client.post(url, {"gross": "1.00"}).status_code == 403
    assert otp_admin_client.get(reverse("admin:invoices_invoice_add")).status_code == 403


def test_correction_asks_for_the_difference_then_issues_it(otp_admin_client, company):
    invoice = issue(company, "300.00", due=dt.date(2026, 9, 15))
    record_payment(otp_admin_client, company, "300.00")

    form_page = run_action(otp_admin_client, Invoice, "correct", [invoice])
    assert "Przyczyna korekty" in form_page.text
    assert not Invoice.objects.filter(kind=Invoice.Kind.CORRECTION).exists()

    response = run_action(
        otp_admin_client,
        Invoice,
        "correct",
        [invoice],
        apply="1",
        net_delta="-100.00",
        vat_rate="np",
        reason="Rabat za terminowe płatności",
        description="",
    )

    correction = Invoice.objects.get(kind=Invoice.Kind.CORRECTION)
    invoice.refresh_from_db()
    assert correction.corrected_invoice == invoice
    assert correction.gross == D("-100.00")
    assert correction.correction_reason == "Rabat za terminowe płatności"
    assert invoice.amount_payable == D("200.00")
    assert invoice.amount_paid == D("200.00")
    assert Payment.objects.get().unallocated == D("100.00")  # released money became credit
    assert any(correction.number in m for m in messages_of(response))
    assert_settlement_consistent(company)


def test_correction_form_refuses_a_zero_difference(otp_admin_client, company):
    invoice = issue(company, "300.00", due=dt.date(2026, 9, 15))

    response = run_action(
        otp_admin_client,
        Invoice,
        "correct",
        [invoice],
        apply="1",
        net_delta="0",
        vat_rate="23",
        reason="x",
    )

    assert "Korekta musi zmieniać kwotę" in response.text
    assert Invoice.objects.count() == 1


def test_correction_shows_the_services_refusal(otp_admin_client, company):
    invoice = issue(company, "300.00", due=dt.date(2026, 9, 15))
    run_action(
        otp_admin_client,
        Invoice,
        "correct",
        [invoice],
        apply="1",
        net_delta="-10",
        vat_rate="np",
        reason="x",
    )
    correction = Invoice.objects.get(kind=Invoice.Kind.CORRECTION)

    response = run_action(
        otp_admin_client,
        Invoice,
        "correct",
        [correction],
        apply="1",
        net_delta="-10",
        vat_rate="np",
        reason="y",
    )

    assert any("do faktury pierwotnej" in m for m in messages_of(response))
    assert Invoice.objects.filter(kind=Invoice.Kind.CORRECTION).count() == 1


def test_correction_is_for_one_invoice_at_a_time(otp_admin_client, company):
    first = issue(company, "300.00", due=dt.date(2026, 9, 15))
    second = issue(company, "200.00", due=dt.date(2026, 9, 15))

    response = run_action(otp_admin_client, Invoice, "correct", [first, second])

    assert any("zaznacz jedną" in m for m in messages_of(response))


def test_settle_action_applies_waiting_credit(otp_admin_client, company):
    invoice = issue(company, "300.00", due=dt.date(2026, 9, 15))
    # Money booked by an import that did not settle it yet.
    Payment.objects.create(
        company=company, amount=D("500.00"), received_on=dt.date(2026, 9, 1), unallocated=D("500")
    )

    response = run_action(otp_admin_client, Invoice, "settle", [invoice])

    assert paid(invoice) == D("300.00")
    assert Payment.objects.get().unallocated == D("200.00")
    assert allocations_of(invoice) == [(Payment.objects.get().pk, D("300.00"))]
    assert any("nowe rozliczenia: 1" in m for m in messages_of(response))


def test_invoice_list_filters_by_payment_status(otp_admin_client, company):
    settled = issue(company, "100.00", due=dt.date(2026, 9, 1))
    partial = issue(company, "300.00", due=dt.date(2026, 9, 15))
    unpaid = issue(company, "200.00", due=dt.date(2099, 1, 1), issued=dt.date(2026, 11, 1))
    record_payment(otp_admin_client, company, "150.00")
    url = reverse("admin:invoices_invoice_changelist")

    def shown(status):
        return set(otp_admin_client.get(url, {"payment_status": status}).context["cl"].queryset)

    assert shown("paid") == {settled}
    assert shown("partially_paid") == {partial}
    assert shown("unpaid") == {unpaid}
    assert shown("overdue") == {partial}


def test_company_page_shows_the_balance(otp_admin_client, company):
    issue(company, "300.00", due=dt.date(2026, 9, 15))
    record_payment(otp_admin_client, company, "1000.00")

    page = otp_admin_client.get(reverse("admin:accounts_company_change", args=[company.pk]))

    assert "Rozrachunki" in page.text
    assert "700,00\xa0zł" in page.text  # the overpayment


def test_allocations_are_listed_read_only(otp_admin_client, company):
    issue(company, "300.00", due=dt.date(2026, 9, 15))
    record_payment(otp_admin_client, company, "300.00")
    allocation = PaymentAllocation.objects.get()

    listing = otp_admin_client.get(reverse("admin:invoices_paymentallocation_changelist"))
    detail = otp_admin_client.get(
        reverse("admin:invoices_paymentallocation_change", args=[allocation.pk])
    )

    assert listing.status_code == detail.status_code == 200
    assert 'name="_save"' not in detail.text
