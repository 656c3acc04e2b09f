"""Reference-rate change: only the installments not yet invoiced and due on/after the effective
date are recomputed, from the capital left after the kept ones, keeping n and the buyout value."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.models import Contract, RateChange
from contracts.services import ScheduleError, schedule_apply_rate_change, schedule_generate
from invoices.services import invoice_issue_for_installment
from tests.contracts.reference import ref_schedule
from tests.factories import ContractFactory

D = Decimal
FIELDS = ("capital", "interest", "net", "vat", "gross", "remaining_capital")

pytestmark = pytest.mark.django_db


def rows_of(contract):
    return [tuple(getattr(i, f) for f in FIELDS) for i in contract.installments.order_by("number")]


def invoice(contract, number):
    installment = contract.installments.get(number=number)
    invoice_issue_for_installment(installment=installment, issue_date=installment.due_date)


def hand_contract(**overrides):
    """The 3-installment operating lease worked out by hand in test_schedule.py, scheduled."""
    kind = overrides.pop("kind", Contract.Kind.OPERATING)
    contract = ContractFactory(hand_worked=True, kind=kind, **overrides)
    schedule_generate(contract=contract)
    return contract


ORIGINAL_1 = (D("1980.13"), D("90.00"), D("2070.13"), D("476.13"), D("2546.26"), D("7019.87"))

# After installment 1 the capital is 7 019.87. The reference rate goes 9.5 % -> 21.5 %, so the
# rate is 24 % a year, r = 0.02 a month, over the same 2 remaining periods to RV = 3 000.00:
#   (1+r)^2 = 1.0404
#   A = (7019.87 * 1.0404 - 3000) * 0.02 / 0.0404 = 4303.472748 * 0.02 / 0.0404
#     = 2130.4320 -> 2130.43
#   2: interest 7019.87 * 0.02 = 140.3974 -> 140.40, capital 1990.03, K = 5029.84
#   3: interest 5029.84 * 0.02 = 100.5968 -> 100.60, capital 5029.84 - 3000 = 2029.84,
#      net 2130.44, K = 3000.00
#   VAT 23 %: 2130.43 * 0.23 = 489.9989 -> 490.00; 2130.44 * 0.23 = 490.0012 -> 490.00
AT_24_PERCENT = [
    (D("1990.03"), D("140.40"), D("2130.43"), D("490.00"), D("2620.43"), D("5029.84")),
    (D("2029.84"), D("100.60"), D("2130.44"), D("490.00"), D("2620.44"), D("3000.00")),
]


def test_invoiced_installment_is_kept_and_the_rest_recomputed_by_hand():
    contract = hand_contract()
    invoice(contract, 1)

    change = schedule_apply_rate_change(
        contract=contract, new_reference_rate=D("21.5"), effective_from=dt.date(2024, 2, 1)
    )

    # installment 1 is due after the effective date but already invoiced: unchanged
    assert rows_of(contract) == [ORIGINAL_1, *AT_24_PERCENT]
    contract.refresh_from_db()
    assert contract.reference_rate_value == D("21.5")
    assert contract.installments.count() == 3  # n kept
    assert (change.old_rate, change.new_rate, change.installments_recomputed) == (
        D("9.5"),
        D("21.5"),
        2,
    )
    assert change.effective_from == dt.date(2024, 2, 1)
    assert list(RateChange.objects.filter(contract=contract)) == [change]


def test_uninvoiced_installment_due_before_the_effective_date_is_kept():
    contract = hand_contract()

    change = schedule_apply_rate_change(
        contract=contract, new_reference_rate=D("21.5"), effective_from=dt.date(2024, 3, 1)
    )

    assert rows_of(contract) == [ORIGINAL_1, *AT_24_PERCENT]
    assert change.installments_recomputed == 2


def test_installment_due_on_the_effective_date_is_recomputed():
    contract = hand_contract()
    schedule_apply_rate_change(
        contract=contract, new_reference_rate=D("21.5"), effective_from=dt.date(2024, 3, 31)
    )
    assert rows_of(contract)[1:] == AT_24_PERCENT


def test_rate_falling_to_zero_amortises_the_rest_in_a_straight_line():
    # margin 0 and the reference rate to 0: (7019.87 - 3000.00) / 2 = 2009.935 -> 2009.94,
    # the last one takes 4019.87 - 2009.94 = 2009.93. No interest, VAT 23 %:
    # 2009.94 * 0.23 = 462.2862 -> 462.29; 2009.93 * 0.23 = 462.2839 -> 462.28.
    contract = hand_contract(reference_rate_value=D("12.0000"), margin=D("0.0000"))
    invoice(contract, 1)

    schedule_apply_rate_change(
        contract=contract, new_reference_rate=D("0"), effective_from=dt.date(2024, 3, 1)
    )

    assert rows_of(contract) == [
        ORIGINAL_1,
        (D("2009.94"), D("0.00"), D("2009.94"), D("462.29"), D("2472.23"), D("5009.93")),
        (D("2009.93"), D("0.00"), D("2009.93"), D("462.28"), D("2472.21"), D("3000.00")),
    ]


def test_change_before_the_first_installment_equals_a_fresh_schedule_at_the_new_rate():
    contract = hand_contract()
    schedule_apply_rate_change(
        contract=contract, new_reference_rate=D("21.5"), effective_from=dt.date(2024, 1, 31)
    )
    expected = ref_schedule(D("9000.00"), D("3000.00"), D("24"), 3, 23)
    assert rows_of(contract) == [tuple(vars(r).values()) for r in expected]


def test_change_after_the_last_installment_recomputes_nothing_but_is_recorded():
    contract = hand_contract()
    before = rows_of(contract)

    change = schedule_apply_rate_change(
        contract=contract, new_reference_rate=D("4.0"), effective_from=dt.date(2024, 5, 1)
    )

    assert rows_of(contract) == before
    assert change.installments_recomputed == 0
    contract.refresh_from_db()
    assert contract.reference_rate_value == D("4.0")


def test_financial_lease_recomputed_installments_stay_without_vat():
    contract = hand_contract(kind=Contract.Kind.FINANCIAL)
    invoice(contract, 1)
    schedule_apply_rate_change(
        contract=contract, new_reference_rate=D("21.5"), effective_from=dt.date(2024, 3, 1)
    )
    assert rows_of(contract)[1:] == [(c, i, n, D("0.00"), n, k) for c, i, n, *_, k in AT_24_PERCENT]


def test_two_successive_changes_continue_from_the_capital_left():
    contract = ContractFactory(
        net_value=D("250000.00"),
        initial_payment=D("25000.00"),
        buyout_value=D("2500.00"),
        installment_count=48,
        reference_rate_value=D("5.8500"),
        margin=D("2.1500"),
    )
    schedule_generate(contract=contract)
    installments = list(contract.installments.order_by("number"))
    for number in range(1, 7):
        invoice(contract, number)
    schedule_apply_rate_change(
        contract=contract, new_reference_rate=D("6.35"), effective_from=installments[6].due_date
    )
    for number in range(7, 19):
        invoice(contract, number)
    schedule_apply_rate_change(
        contract=contract, new_reference_rate=D("4.10"), effective_from=installments[18].due_date
    )

    rows = rows_of(contract)
    # second method, period by period: 6 at 8 %, 12 at 8.5 %, 30 at 6.25 %
    first = ref_schedule(D("225000.00"), D("2500.00"), D("8"), 48, 23)[:6]
    second = ref_schedule(first[-1].remaining_capital, D("2500.00"), D("8.5"), 42, 23)[:12]
    third = ref_schedule(second[-1].remaining_capital, D("2500.00"), D("6.25"), 30, 23)
    assert rows == [tuple(vars(r).values()) for r in first + second + third]
    assert sum(r[0] for r in rows) == D("222500.00")
    assert rows[-1][5] == D("2500.00")
    assert contract.rate_changes.count() == 2


def test_negative_rate_is_refused_and_nothing_changes():
    contract = hand_contract()
    before = rows_of(contract)
    with pytest.raises(ScheduleError):
        schedule_apply_rate_change(
            contract=contract, new_reference_rate=D("-0.1"), effective_from=dt.date(2024, 3, 1)
        )
    assert rows_of(contract) == before
    assert not RateChange.objects.exists()


def test_contract_without_schedule_is_refused():
    contract = ContractFactory()
    with pytest.raises(ScheduleError):
        schedule_apply_rate_change(
            contract=contract, new_reference_rate=D("5"), effective_from=dt.date(2026, 3, 1)
        )
    assert not RateChange.objects.exists()


def test_invoiced_installment_after_one_to_recompute_is_refused():
    contract = hand_contract()
    invoice(contract, 3)  # invoiced in advance; 2 is not
    before = rows_of(contract)
    with pytest.raises(ScheduleError):
        schedule_apply_rate_change(
            contract=contract, new_reference_rate=D("21.5"), effective_from=dt.date(2024, 3, 1)
        )
    assert rows_of(contract) == before
    contract.refresh_from_db()
    assert contract.reference_rate_value == D("9.5")
    assert not RateChange.objects.exists()


# --- property: random contracts, random number of invoiced installments, random new rate ----


@contextmanager
def rolled_back():
    """Each hypothesis example runs in its own savepoint, undone afterwards."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@st.composite
def rate_changes(draw):
    net = draw(st.integers(5_000_00, 1_000_000_00))
    initial = draw(st.integers(0, net * 30 // 100))
    buyout = draw(st.just(0) | st.integers(0, (net - initial) // 2))
    count = draw(st.integers(2, 36))
    return {
        "kind": draw(st.sampled_from([Contract.Kind.OPERATING, Contract.Kind.FINANCIAL])),
        "net": Decimal(net).scaleb(-2),
        "initial": Decimal(initial).scaleb(-2),
        "buyout": Decimal(buyout).scaleb(-2),
        "count": count,
        "reference": Decimal(draw(st.integers(0, 12_0000))).scaleb(-4),
        "margin": Decimal(draw(st.integers(0, 6_0000))).scaleb(-4),
        "new_reference": Decimal(draw(st.integers(0, 15_0000))).scaleb(-4),
        "invoiced": draw(st.integers(0, count - 1)),
        # the effective date falls this many days after the last invoiced installment's due date
        # (negative: before it), so uninvoiced-but-earlier installments occur too
        "shift_days": draw(st.integers(-40, 70)),
    }


@settings(
    deadline=None, max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=rate_changes())
def test_rate_change_properties(case):
    with rolled_back():
        contract = ContractFactory(
            kind=case["kind"],
            net_value=case["net"],
            initial_payment=case["initial"],
            buyout_value=case["buyout"],
            installment_count=case["count"],
            reference_rate_value=case["reference"],
            margin=case["margin"],
        )
        schedule_generate(contract=contract)
        before = list(contract.installments.order_by("number"))
        for number in range(1, case["invoiced"] + 1):
            invoice(contract, number)
        anchor = before[max(case["invoiced"] - 1, 0)].due_date
        effective = anchor + dt.timedelta(days=case["shift_days"])

        change = schedule_apply_rate_change(
            contract=contract, new_reference_rate=case["new_reference"], effective_from=effective
        )

        after = list(contract.installments.order_by("number"))
        assert [i.number for i in after] == list(range(1, case["count"] + 1))  # n kept
        kept = [i for i in before if i.number <= case["invoiced"] or i.due_date < effective]
        recomputed_numbers = [i.number for i in before if i not in kept]
        assert change.installments_recomputed == len(recomputed_numbers)
        # kept installments untouched
        for old, new in zip(before, after, strict=True):
            if old in kept:
                assert [getattr(old, f) for f in FIELDS] == [getattr(new, f) for f in FIELDS]
                assert old.due_date == new.due_date
        # the recomputed tail amortises exactly what the kept ones left, at the new rate, to RV
        vat = 23 if case["kind"] == Contract.Kind.OPERATING else 0
        left = case["net"] - case["initial"] - sum(i.capital for i in kept)
        if recomputed_numbers:
            expected = ref_schedule(
                left,
                case["buyout"],
                case["new_reference"] + case["margin"],
                len(recomputed_numbers),
                vat,
            )
            tail = after[len(kept) :]
            assert [tuple(getattr(i, f) for f in FIELDS) for i in tail] == [
                tuple(vars(r).values()) for r in expected
            ]
        # continuity and the end point hold for the whole schedule
        remaining = case["net"] - case["initial"]
        for installment in after:
            remaining -= installment.capital
            assert installment.remaining_capital == remaining
        assert remaining == case["buyout"]


# --- concurrency: a rate change and the invoicing of an installment do not interleave ----------


@pytest.mark.django_db(transaction=True)
def test_installment_invoiced_during_a_rate_change_matches_its_schedule_row(monkeypatch):
    """The rate change holds the contract row; invoicing an installment locks the installment
    with its contract, so it waits and then invoices the recomputed amounts (or, the other way
    round, the change skips the invoiced installment). Either way invoice == schedule row."""
    import threading
    import time

    from django.db import connection

    from contracts import services as contract_services

    contract = hand_contract()
    installment = contract.installments.get(number=2)
    build_rows = contract_services.build_rows
    recomputing = threading.Event()

    def slow_build_rows(**kwargs):
        recomputing.set()
        time.sleep(0.3)
        return build_rows(**kwargs)

    monkeypatch.setattr(contract_services, "build_rows", slow_build_rows)
    errors: list[BaseException] = []

    def change():
        try:
            schedule_apply_rate_change(
                contract=contract, new_reference_rate=D("21.5"), effective_from=dt.date(2024, 3, 1)
            )
        except BaseException as error:
            errors.append(error)
            recomputing.set()
        finally:
            connection.close()

    def invoice_it():
        try:
            recomputing.wait(timeout=10)
            invoice_issue_for_installment(installment=installment, issue_date=dt.date(2024, 3, 20))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=change), threading.Thread(target=invoice_it)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not errors
    installment.refresh_from_db()
    assert installment.invoice.gross == installment.gross
    assert (installment.net, installment.gross) == AT_24_PERCENT[0][2:5:2]
