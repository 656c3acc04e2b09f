"""Every back-office page opens for verified staff, and lists do not query once per row."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts.services import schedule_apply_rate_change, schedule_generate
from invoices.services import (
    LineSpec,
    invoice_correct,
    invoice_issue_for_fee,
    invoice_issue_for_installment,
    invoice_issue_initial_payment,
    payment_record,
)
from tests.factories import (
    AdditionalFeeFactory,
    CompanyFactory,
    ContractFactory,
    InsurancePolicyFactory,
    LeasedAssetFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def build_portfolio(company) -> None:
    """One of everything the back office shows, made the way production makes it."""
    UserFactory(company=company)
    contract = ContractFactory(company=company)
    asset = LeasedAssetFactory(contract=contract)
    InsurancePolicyFactory(contract=contract, asset=asset)
    fee = AdditionalFeeFactory(contract=contract)
    schedule_generate(contract=contract)
    invoice_issue_initial_payment(contract=contract)
    first = invoice_issue_for_installment(installment=contract.installments.get(number=1))
    invoice_issue_for_installment(installment=contract.installments.get(number=2))
    invoice_issue_for_fee(fee=fee)
    schedule_apply_rate_change(
        contract=contract, new_reference_rate=Decimal("4.5"), effective_from=dt.date(2026, 6, 1)
    )
    payment_record(company=company, amount=Decimal("20000"), received_on=dt.date(2026, 3, 1))
    invoice_correct(invoice=first, lines=[LineSpec("Rabat", Decimal("-10.00"))], reason="Rabat")


def admin_urls(model) -> tuple[str, str, str]:
    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    return f"{prefix}_changelist", f"{prefix}_add", f"{prefix}_change"


def test_every_page_opens(otp_admin_client):
    build_portfolio(CompanyFactory())

    for model, model_admin in admin.site._registry.items():
        changelist, add, change = admin_urls(model)
        assert otp_admin_client.get(reverse(changelist)).status_code == 200, model
        obj = model._default_manager.first()
        if obj is not None:
            change = reverse(
                f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk]
            )
            assert otp_admin_client.get(change).status_code == 200, model
        expected = 200 if model_admin.has_add_permission(_request_of(otp_admin_client)) else 403
        assert otp_admin_client.get(reverse(add)).status_code == expected, model
    assert otp_admin_client.get(reverse("admin:index")).status_code == 200


def _request_of(client):
    return client.get(reverse("admin:index")).wsgi_request


def test_lists_cost_the_same_number_of_queries_for_more_rows(otp_admin_client):
    build_portfolio(CompanyFactory())

    def queries_per_changelist() -> dict[str, int]:
        counts = {}
        for model in admin.site._registry:
            with CaptureQueriesContext(connection) as queries:
                otp_admin_client.get(reverse(admin_urls(model)[0]))
            counts[model._meta.label] = len(queries)
        return counts

    before = queries_per_changelist()
    for _ in range(3):
        build_portfolio(CompanyFactory())
    after = queries_per_changelist()

    assert after == before


def test_staff_search_a_company_by_nip_or_client_number(otp_admin_client):
    wanted, other = CompanyFactory(), CompanyFactory()
    url = reverse("admin:accounts_company_changelist")

    for query in (wanted.nip, wanted.client_number):
        page = otp_admin_client.get(url, {"q": query})
        assert list(page.context["cl"].queryset) == [wanted]
    assert other.name not in otp_admin_client.get(url, {"q": wanted.nip}).text
