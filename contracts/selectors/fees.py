"""Additional fees (opłaty dodatkowe) of the visible contracts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Count,
    QuerySet,
)

from ebok.lists import order_by_key

from ..models import AdditionalFee, Contract
from .installments import Totals, money_sum
from .scope import contract_number_filter, scope_to_user

FEE_ORDERINGS = {
    "date": ("charged_on", "pk"),
    "kind": ("kind", "-charged_on", "pk"),
    "gross": ("gross", "pk"),
    "contract": ("contract__number", "-charged_on", "pk"),
}


@dataclass(frozen=True)
class FeeFilters:
    kind: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    contract: str | None = None  # part of a contract number
    sort: str = "-date"


def fee_list(*, user, filters: FeeFilters, contract: Contract | None = None) -> QuerySet:
    fees = scope_to_user(AdditionalFee.objects.all(), user=user)
    if contract is not None:
        fees = fees.filter(contract=contract)
    fees = contract_number_filter(fees, filters.contract)
    if filters.kind:
        fees = fees.filter(kind=filters.kind)
    if filters.date_from:
        fees = fees.filter(charged_on__gte=filters.date_from)
    if filters.date_to:
        fees = fees.filter(charged_on__lte=filters.date_to)
    fees = fees.select_related("contract", "invoice")
    return order_by_key(fees, filters.sort, FEE_ORDERINGS)


def fee_totals(fees: QuerySet[AdditionalFee]) -> Totals:
    sums = fees.order_by().aggregate(
        count=Count("pk"), net=money_sum("net"), vat=money_sum("vat"), gross=money_sum("gross")
    )
    return Totals(**sums)
