"""Back office for contracts: schedule and rate-change actions, installments and fees."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from contracts.models import AdditionalFee, Contract, Installment, RateChange
from contracts.services import schedule_generate
from ebok.dates import today as business_today
from invoices.models import Invoice
from invoices.services import invoice_issue_for_installment
from tests.admin_helpers import messages_of, run_action
from tests.factories import AdditionalFeeFactory, ContractFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def contract(company):
    return ContractFactory(company=company)


def test_generate_schedule_builds_every_installment(otp_admin_client, contract):
    response = run_action(otp_admin_client, Contract, "generate_schedule", [contract])

    assert response.status_code == 200
    installments = list(contract.installments.order_by("number"))
    assert len(installments) == contract.installment_count
    assert installments[-1].remaining_capital == contract.buyout_value
    assert any("Wygenerowano harmonogram rat (umowy: 1)" in m for m in messages_of(response))


def test_generate_schedule_shows_why_it_refuses(otp_admin_client, contract):
    schedule_generate(contract=contract)
    first = contract.installments.get(number=1)
    invoice_issue_for_installment(installment=first)
    before = list(contract.installments.values_list("id", "gross"))

    response = run_action(otp_admin_client, Contract, "generate_schedule", [contract])

    assert any("ma już zafakturowane raty" in m for m in messages_of(response))
    assert list(contract.installments.values_list("id", "gross")) == before


def test_rate_change_asks_for_the_rate_then_recomputes_unbilled_installments(
    otp_admin_client, contract
):
    schedule_generate(contract=contract)
    for installment in contract.installments.filter(number__lte=3):
        invoice_issue_for_installment(installment=installment)
    billed = list(contract.installments.filter(number__lte=3).values_list("gross", flat=True))
    old_fourth = contract.installments.get(number=4)

    form_page = run_action(otp_admin_client, Contract, "apply_rate_change", [contract])
    assert form_page.status_code == 200
    assert "Nowa wartość stopy referencyjnej" in form_page.text
    assert not RateChange.objects.exists()

    response = run_action(
        otp_admin_client,
        Contract,
        "apply_rate_change",
        [contract],
        apply="1",
        new_reference_rate="4.2500",
        effective_from="2026-01-01",
    )

    contract.refresh_from_db()
    change = RateChange.objects.get(contract=contract)
    assert contract.reference_rate_value == D("4.2500")
    assert change.old_rate == D("5.8500")
    assert change.installments_recomputed == contract.installment_count - 3
    assert (
        list(contract.installments.filter(number__lte=3).values_list("gross", flat=True)) == billed
    )
    fourth = contract.installments.get(number=4)
    assert fourth.interest < old_fourth.interest  # a lower rate on the same remaining capital
    assert contract.installments.get(number=36).remaining_capital == contract.buyout_value
    assert any("przeliczono raty (umowy: 1)" in m for m in messages_of(response))


def test_rate_change_form_errors_change_nothing(otp_admin_client, contract):
    schedule_generate(contract=contract)

    response = run_action(
        otp_admin_client,
        Contract,
        "apply_rate_change",
        [contract],
        apply="1",
        new_reference_rate="-1",
        effective_from="2026-01-01",
    )

    assert response.status_code == 200
    assert "errorlist" in response.text
    assert not RateChange.objects.exists()


def test_rate_change_refuses_contracts_on_different_reference_rates(otp_admin_client, company):
    wibor_1m = ContractFactory(company=company)
    wibor_3m = ContractFactory(company=company, reference_rate=Contract.ReferenceRate.WIBOR_3M)
    for contract in (wibor_1m, wibor_3m):
        schedule_generate(contract=contract)

    response = run_action(
        otp_admin_client,
        Contract,
        "apply_rate_change",
        [wibor_1m, wibor_3m],
        apply="1",
        new_reference_rate="4.0",
        effective_from="2026-01-01",
    )

    assert "różne stopy referencyjne" in response.text
    assert not RateChange.objects.exists()


def test_rate_change_reports_a_contract_without_schedule(otp_admin_client, contract):
    response = run_action(
        otp_admin_client,
        Contract,
        "apply_rate_change",
        [contract],
        apply="1",
        new_reference_rate="4.0",
        effective_from="2026-01-01",
    )

    assert any("nie ma harmonogramu" in m for m in messages_of(response))
    contract.refresh_from_db()
    assert contract.reference_rate_value == D("5.8500")


def test_initial_payment_invoice_is_issued_once(otp_admin_client, contract):
    first = run_action(otp_admin_client, Contract, "issue_initial_payment_invoice", [contract])
    second = run_action(otp_admin_client, Contract, "issue_initial_payment_invoice", [contract])

    invoice = Invoice.objects.get(contract=contract)
    assert invoice.kind == Invoice.Kind.INITIAL
    assert invoice.net == contract.initial_payment
    assert any("(umowy: 1)" in m for m in messages_of(first))
    assert any("ma już fakturę" in m for m in messages_of(second))


def test_installments_action_invoices_the_selected_rows(otp_admin_client, contract):
    schedule_generate(contract=contract)
    first, second = contract.installments.order_by("number")[:2]

    response = run_action(otp_admin_client, Installment, "issue_invoices", [first, second])

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.invoice.gross == first.gross
    assert second.invoice.gross == second.gross
    assert any("(raty: 2)" in m for m in messages_of(response))

    again = run_action(otp_admin_client, Installment, "issue_invoices", [first])
    assert any("ma już fakturę" in m for m in messages_of(again))
    assert Invoice.objects.count() == 2


def test_installment_list_filters_what_is_due_for_invoicing(otp_admin_client, contract):
    schedule_generate(contract=contract)
    url = reverse("admin:contracts_installment_changelist")

    due = otp_admin_client.get(url, {"invoiced": "no"}).context["cl"].queryset
    future = otp_admin_client.get(url, {"invoiced": "future"}).context["cl"].queryset

    assert due.count() + future.count() == contract.installment_count
    assert all(i.due_date <= business_today() for i in due)
    # schedule rows are written by services only
    assert otp_admin_client.get(reverse("admin:contracts_installment_add")).status_code == 403


def test_fee_action_invoices_the_fee(otp_admin_client, contract):
    fee = AdditionalFeeFactory(contract=contract)

    response = run_action(otp_admin_client, AdditionalFee, "issue_invoices", [fee])

    fee.refresh_from_db()
    assert fee.invoice.kind == Invoice.Kind.FEE
    assert fee.invoice.gross == D("123.00")
    assert any("(opłaty: 1)" in m for m in messages_of(response))
    again = run_action(otp_admin_client, AdditionalFee, "issue_invoices", [fee])
    assert any("ma już fakturę" in m for m in messages_of(again))


def test_fee_form_adds_vat_and_gross(otp_admin_client, contract):
    response = otp_admin_client.post(
        reverse("admin:contracts_additionalfee_add"),
        {
            "contract": contract.pk,
            "kind": AdditionalFee.Kind.DUPLICATE,
            "description": "Duplikat dowodu rejestracyjnego",
            "charged_on": "2026-11-02",
            "net": "100.00",
            "vat": "",
        },
    )

    assert response.status_code == 302
    fee = AdditionalFee.objects.get(contract=contract)
    assert (fee.net, fee.vat, fee.gross) == (D("100.00"), D("23.00"), D("123.00"))


def test_an_invoiced_fee_can_no_longer_be_changed(otp_admin_client, contract):
    fee = AdditionalFeeFactory(contract=contract)
    run_action(otp_admin_client, AdditionalFee, "issue_invoices", [fee])
    url = reverse("admin:contracts_additionalfee_change", args=[fee.pk])

    page = otp_admin_client.get(url)
    otp_admin_client.post(url, {"net": "999.00", "vat": "0"})

    fee.refresh_from_db()
    assert 'name="net"' not in page.text
    assert fee.net == D("100.00")
    assert (
        otp_admin_client.get(
            reverse("admin:contracts_additionalfee_delete", args=[fee.pk])
        ).status_code
        == 403
    )


def test_financial_terms_are_frozen_once_invoiced(otp_admin_client, contract):
    url = reverse("admin:contracts_contract_change", args=[contract.pk])
    assert 'name="net_value"' in otp_admin_client.get(url).text

    schedule_generate(contract=contract)
    scheduled = otp_admin_client.get(url).text
    assert 'name="net_value"' in scheduled
    assert 'name="reference_rate_value"' not in scheduled  # changed by the rate-change action

    invoice_issue_for_installment(installment=contract.installments.get(number=1))
    assert 'name="net_value"' not in otp_admin_client.get(url).text


def test_contract_search_finds_by_registration_number(otp_admin_client, contract):
    from tests.factories import LeasedAssetFactory

    LeasedAssetFactory(contract=contract, registration_number="WE 4K215")
    ContractFactory()

    page = otp_admin_client.get(reverse("admin:contracts_contract_changelist"), {"q": "4K215"})

    assert list(page.context["cl"].queryset) == [contract]
