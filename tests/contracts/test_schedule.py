"""Annuity schedules to the grosz, checked by hand and against an exact-rational second method.

The second method is `tests/contracts/reference.py`: the DESIGN.md formulas in
`fractions.Fraction` with explicit half-up rounding, sharing no code with `contracts.schedule`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.models import Contract
from contracts.schedule import build_rows, due_dates
from contracts.services import ScheduleError, schedule_generate
from invoices.services import invoice_issue_for_installment
from tests.contracts.reference import ref_payment, ref_schedule
from tests.factories import ContractFactory

D = Decimal
AMOUNT_FIELDS = ("capital", "interest", "net", "vat", "gross", "remaining_capital")


def as_tuples(rows):
    return [tuple(getattr(row, f) for f in AMOUNT_FIELDS) for row in rows]


def monthly(start: dt.date, count: int) -> list[dt.date]:
    return due_dates(start, count)


# --- by hand ------------------------------------------------------------------------------

# Financed capital K0 = 10 000.00 - 1 000.00 = 9 000.00, RV = 3 000.00, n = 3,
# rate 9.5 % + 2.5 % = 12 % a year -> r = 0.01 a month exactly.
#   (1+r)^3 = 1.030301
#   A = (9000 - 3000 / 1.030301) * 0.01 / (1 - 1 / 1.030301)
#     = (9000 * 1.030301 - 3000) * 0.01 / 0.030301 = 62.72709 / 0.030301 = 2070.1327 -> 2070.13
#   1: interest 9000.00 * 0.01 = 90.00;     capital 2070.13 - 90.00 = 1980.13; K = 7019.87
#   2: interest 7019.87 * 0.01 = 70.1987 -> 70.20; capital 1999.93;           K = 5019.94
#   3 (last): interest 5019.94 * 0.01 = 50.1994 -> 50.20; capital 5019.94 - 3000 = 2019.94,
#      net 2070.14 (one grosz above A: the last installment absorbs the rounding); K = 3000.00
#   capital parts: 1980.13 + 1999.93 + 2019.94 = 6000.00 = K0 - RV
# Operating lease, VAT 23 %: 2070.13 * 0.23 = 476.1299 -> 476.13, gross 2546.26;
#                            2070.14 * 0.23 = 476.1322 -> 476.13, gross 2546.27.
HAND_OPERATING = [
    # capital, interest, net, vat, gross, remaining
    (D("1980.13"), D("90.00"), D("2070.13"), D("476.13"), D("2546.26"), D("7019.87")),
    (D("1999.93"), D("70.20"), D("2070.13"), D("476.13"), D("2546.26"), D("5019.94")),
    (D("2019.94"), D("50.20"), D("2070.14"), D("476.13"), D("2546.27"), D("3000.00")),
]
# Financial lease, same figures: VAT was charged on the asset at handover, installments net.
HAND_FINANCIAL = [(c, i, n, D("0.00"), n, k) for c, i, n, _vat, _gross, k in HAND_OPERATING]


def hand_contract(kind: str, **overrides) -> Contract:
    return ContractFactory(hand_worked=True, kind=kind, **overrides)


@pytest.mark.django_db
def test_operating_lease_schedule_by_hand():
    contract = hand_contract(Contract.Kind.OPERATING)

    schedule_generate(contract=contract)

    installments = list(contract.installments.order_by("number"))
    assert [i.number for i in installments] == [1, 2, 3]
    assert as_tuples(installments) == HAND_OPERATING
    # Starting on 31 January: 29 February (2024 is a leap year), then back to month ends.
    assert [i.due_date for i in installments] == [
        dt.date(2024, 2, 29),
        dt.date(2024, 3, 31),
        dt.date(2024, 4, 30),
    ]


@pytest.mark.django_db
def test_financial_lease_schedule_by_hand_has_no_vat_on_installments():
    contract = hand_contract(Contract.Kind.FINANCIAL)

    schedule_generate(contract=contract)

    assert as_tuples(contract.installments.order_by("number")) == HAND_FINANCIAL


@pytest.mark.django_db
def test_zero_rate_zero_buyout_splits_capital_evenly_last_takes_the_grosz():
    # K0 = 1 000.00, RV = 0, r = 0: A = (K0 - RV) / n = 333.333... -> 333.33;
    # the last installment is 1 000.00 - 2 * 333.33 = 333.34. No interest.
    contract = hand_contract(
        Contract.Kind.FINANCIAL,
        net_value=D("1000.00"),
        initial_payment=D("0.00"),
        buyout_value=D("0.00"),
        reference_rate_value=D("0.0000"),
        margin=D("0.0000"),
    )

    schedule_generate(contract=contract)

    assert as_tuples(contract.installments.order_by("number")) == [
        (D("333.33"), D("0.00"), D("333.33"), D("0.00"), D("333.33"), D("666.67")),
        (D("333.33"), D("0.00"), D("333.33"), D("0.00"), D("333.33"), D("333.34")),
        (D("333.34"), D("0.00"), D("333.34"), D("0.00"), D("333.34"), D("0.00")),
    ]


def test_zero_rate_with_buyout_is_a_straight_line_to_the_buyout():
    # (9 000.00 - 3 000.00) / 4 = 1 500.00 exactly, nothing to absorb.
    rows = build_rows(
        capital=D("9000.00"),
        buyout=D("3000.00"),
        annual_rate_percent=D("0"),
        dates=monthly(dt.date(2026, 1, 15), 4),
    )
    assert [(r.capital, r.interest, r.remaining_capital) for r in rows] == [
        (D("1500.00"), D("0.00"), D("7500.00")),
        (D("1500.00"), D("0.00"), D("6000.00")),
        (D("1500.00"), D("0.00"), D("4500.00")),
        (D("1500.00"), D("0.00"), D("3000.00")),
    ]


def test_half_grosz_rounds_up_in_payment_interest_and_vat():
    # K0 = 1 234.50, RV = 0, n = 1, r = 0.01:
    #   A = 1234.50 * 1.01 = 1246.845 -> 1246.85 (half-up; half-even would give 1246.84)
    #   interest = 12.345 -> 12.35, capital = 1234.50, net = 1246.85
    #   VAT 23 %: 1246.85 * 0.23 = 286.7755 -> 286.78, gross 1533.63
    (row,) = build_rows(
        capital=D("1234.50"),
        buyout=D("0"),
        annual_rate_percent=D("12"),
        dates=[dt.date(2026, 2, 15)],
        vat_rate_percent=23,
    )
    assert (row.capital, row.interest, row.net, row.vat, row.gross) == (
        D("1234.50"),
        D("12.35"),
        D("1246.85"),
        D("286.78"),
        D("1533.63"),
    )


def test_initial_payment_reduces_the_financed_capital():
    contract = ContractFactory.build(net_value=D("150000.00"), initial_payment=D("22500.00"))
    assert contract.financed_capital == D("127500.00")


# --- due dates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        # leap year: end of February is the 29th, then back to the 31st
        (
            dt.date(2024, 1, 31),
            [
                dt.date(2024, 2, 29),
                dt.date(2024, 3, 31),
                dt.date(2024, 4, 30),
                dt.date(2024, 5, 31),
            ],
        ),
        (
            dt.date(2025, 1, 31),
            [
                dt.date(2025, 2, 28),
                dt.date(2025, 3, 31),
                dt.date(2025, 4, 30),
                dt.date(2025, 5, 31),
            ],
        ),
        # starting on the 30th: February is clipped, March goes back to the 30th
        (
            dt.date(2025, 1, 30),
            [
                dt.date(2025, 2, 28),
                dt.date(2025, 3, 30),
                dt.date(2025, 4, 30),
                dt.date(2025, 5, 30),
            ],
        ),
        # over a year end
        (
            dt.date(2025, 11, 30),
            [
                dt.date(2025, 12, 30),
                dt.date(2026, 1, 30),
                dt.date(2026, 2, 28),
                dt.date(2026, 3, 30),
            ],
        ),
        (
            dt.date(2026, 1, 15),
            [
                dt.date(2026, 2, 15),
                dt.date(2026, 3, 15),
                dt.date(2026, 4, 15),
                dt.date(2026, 5, 15),
            ],
        ),
    ],
)
def test_due_dates_keep_the_contract_day_and_month_ends(start, expected):
    assert due_dates(start, 4) == expected


@pytest.mark.django_db
def test_generated_schedule_due_dates_stay_on_month_ends_for_a_long_contract():
    contract = hand_contract(
        Contract.Kind.OPERATING, installment_count=24, end_date=dt.date(2026, 1, 31)
    )
    schedule_generate(contract=contract)
    dates = list(contract.installments.order_by("number").values_list("due_date", flat=True))
    assert len(dates) == 24
    # every due date is the last day of its month, one month apart
    assert all((d + dt.timedelta(days=1)).day == 1 for d in dates)
    assert [(d.year, d.month) for d in dates][:3] == [(2024, 2), (2024, 3), (2024, 4)]
    assert dates[-1] == dt.date(2026, 1, 31)


# --- realistic contracts against the second method -----------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "vat"), [(Contract.Kind.OPERATING, 23), (Contract.Kind.FINANCIAL, 0)]
)
@pytest.mark.parametrize("count", [36, 60, 120])
def test_generated_schedule_matches_exact_rational_reference(kind, vat, count):
    contract = ContractFactory(
        kind=kind,
        net_value=D("187399.99"),
        initial_payment=D("18740.00"),
        buyout_value=D("1873.99"),
        installment_count=count,
        reference_rate_value=D("5.7300"),
        margin=D("3.1900"),
    )

    schedule_generate(contract=contract)

    installments = list(contract.installments.order_by("number"))
    expected = ref_schedule(D("168659.99"), D("1873.99"), D("8.92"), count, vat)
    assert as_tuples(installments) == [tuple(vars(r).values()) for r in expected]
    assert installments[-1].remaining_capital == D("1873.99")
    assert sum(i.capital for i in installments) == D("168659.99") - D("1873.99")


@pytest.mark.django_db
def test_regenerating_replaces_the_schedule_until_something_is_invoiced():
    contract = hand_contract(Contract.Kind.OPERATING)
    schedule_generate(contract=contract)
    schedule_generate(contract=contract)
    assert contract.installments.count() == 3

    invoice_issue_for_installment(
        installment=contract.installments.get(number=1), issue_date=dt.date(2024, 2, 20)
    )
    with pytest.raises(ScheduleError):
        schedule_generate(contract=contract)
    assert as_tuples(contract.installments.order_by("number")) == HAND_OPERATING


def test_buyout_not_below_capital_is_refused():
    with pytest.raises(ValueError):
        build_rows(
            capital=D("1000.00"),
            buyout=D("1000.00"),
            annual_rate_percent=D("5"),
            dates=monthly(dt.date(2026, 1, 1), 3),
        )


# --- invariants over random contracts ------------------------------------------------------


def cents(low: int, high: int):
    return st.integers(low, high).map(lambda c: Decimal(c).scaleb(-2))


@st.composite
def leases(draw):
    """Realistic leases: 1 000 - 3 000 000 PLN, up to 45 % initial payment, buyout up to half
    the net value, 1 - 120 installments, reference rate 0 - 15 %, margin 0 - 10 % (4 decimals),
    with the zero cases (no initial payment, no buyout, zero rate) drawn often."""
    net = draw(st.integers(1_000_00, 3_000_000_00))
    initial = draw(st.just(0) | st.integers(0, net * 45 // 100))
    capital = net - initial
    buyout = draw(st.just(0) | st.integers(0, min(net // 2, capital - 100_00)))
    reference = draw(st.just(0) | st.integers(0, 15_0000))
    margin = draw(st.just(0) | st.integers(0, 10_0000))
    return {
        "capital": Decimal(capital).scaleb(-2),
        "buyout": Decimal(buyout).scaleb(-2),
        "rate": (Decimal(reference) + Decimal(margin)).scaleb(-4),
        "count": draw(st.integers(1, 120)),
        "vat": draw(st.sampled_from([0, 23])),
    }


@settings(deadline=None, max_examples=300)
@given(lease=leases())
def test_schedule_invariants_and_second_method(lease):
    rows = build_rows(
        capital=lease["capital"],
        buyout=lease["buyout"],
        annual_rate_percent=lease["rate"],
        dates=monthly(dt.date(2026, 1, 31), lease["count"]),
        vat_rate_percent=lease["vat"],
    )

    assert len(rows) == lease["count"]
    # the same figures, to the grosz, as the exact rational computation
    expected = ref_schedule(
        lease["capital"], lease["buyout"], lease["rate"], lease["count"], lease["vat"]
    )
    assert as_tuples(rows) == [tuple(vars(r).values()) for r in expected]
    # every installment but the last is the annuity A itself
    payment = ref_payment(lease["capital"], lease["buyout"], lease["rate"], lease["count"])
    assert all(r.net == payment for r in rows[:-1])

    assert sum(r.capital for r in rows) == lease["capital"] - lease["buyout"]
    assert rows[-1].remaining_capital == lease["buyout"]
    previous = lease["capital"]
    for row in rows:
        for field in AMOUNT_FIELDS:
            amount = getattr(row, field)
            assert amount.as_tuple().exponent == -2, (field, amount)
            assert amount >= 0, (field, amount)
        assert row.net == row.capital + row.interest
        assert row.gross == row.net + row.vat
        assert row.remaining_capital == previous - row.capital
        assert row.remaining_capital <= previous
        previous = row.remaining_capital
        if lease["vat"] == 0:
            assert row.vat == 0
        if lease["rate"] == 0:
            assert row.interest == 0
    assert [r.number for r in rows] == list(range(1, lease["count"] + 1))
