"""The dashboard chart's per-month totals, kept by PostgreSQL triggers on the schedule."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.db.models.functions import TruncMonth

from contracts.models import Contract, Installment, InstallmentMonthTotal
from contracts.selectors import installments_per_month
from contracts.services import schedule_apply_rate_change, schedule_generate
from tests.portal_helpers import client_user, make_contract, today

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL triggers"),
]


def summed_from_installments() -> dict:
    """(company, month) -> gross, summed from the installments themselves."""
    rows = (
        Installment.objects.annotate(month=TruncMonth("due_date"))
        .order_by()
        .values_list("contract__company_id", "month")
        .annotate(gross=Sum("gross"))
    )
    return {(company, month): gross for company, month, gross in rows}


def kept_by_triggers() -> dict:
    return {
        (company, month): gross
        for company, month, gross in InstallmentMonthTotal.objects.exclude(gross=0).values_list(
            "company_id", "month", "gross"
        )
    }


def test_every_write_of_a_schedule_keeps_the_totals(company, other_company):
    contract = make_contract(company, months=24, start=today() - dt.timedelta(days=200))
    make_contract(other_company, months=12)
    assert kept_by_triggers() == summed_from_installments()

    # A rate change rewrites the installments still to come (an UPDATE of many rows).
    schedule_apply_rate_change(
        contract=contract, new_reference_rate=Decimal("9.5"), effective_from=today()
    )
    assert kept_by_triggers() == summed_from_installments()

    # Generating the schedule again deletes and inserts every row.
    Contract.objects.filter(pk=contract.pk).update(installment_count=18)
    schedule_generate(contract=Contract.objects.get(pk=contract.pk))
    assert kept_by_triggers() == summed_from_installments()

    # A contract moved to another company takes its months along.
    Contract.objects.filter(pk=contract.pk).update(company=other_company)
    assert kept_by_triggers() == summed_from_installments()

    Installment.objects.filter(contract=contract).delete()
    assert kept_by_triggers() == summed_from_installments()


def test_the_chart_reads_the_same_months_as_the_installments_sum(company):
    for months in (6, 12, 36):
        make_contract(company, months=months)
    admin = client_user(company, is_company_admin=True)
    # A restricted user given every contract: the same figures summed from the installments.
    restricted = client_user(company, contracts_restricted=True)
    restricted.allowed_contracts.set(company.contracts.all())
    chart = installments_per_month(user=admin, today=today())
    assert chart == installments_per_month(user=restricted, today=today())
    assert sum(m.gross for m in chart) > 0
