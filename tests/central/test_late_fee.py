"""Late fees: the specification's worked examples, the year boundary, partial payments, rounding."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from central.config import load
from central.late_fee import LateFeeRules, days_late, late_fee_fen
from central.schema import Category

RULES = LateFeeRules.from_config(load(env={}).late_fee)
RES, NON = Category.RESIDENTIAL, Category.NON_RESIDENTIAL


def fee(unpaid: int, due: date, as_of: date, category: Category = RES, **more: object) -> int:
    return late_fee_fen(
        unpaid_fen=unpaid, due_date=due, as_of=as_of, category=category, rules=RULES, **more
    )  # type: ignore[arg-type]


def test_rates_come_from_config_exactly() -> None:
    assert RULES.residential_daily == Decimal("0.001")
    assert RULES.current_year_daily == Decimal("0.002")
    assert RULES.prior_years_daily == Decimal("0.003")
    assert RULES.minimum_fen == 100


def test_days_count_from_the_day_after_the_due_date_through_the_payment_date() -> None:
    assert days_late(date(2026, 3, 1), date(2026, 3, 1)) == 0
    assert days_late(date(2026, 3, 1), date(2026, 3, 2)) == 1
    assert days_late(date(2026, 3, 1), date(2026, 3, 11)) == 10
    assert days_late(date(2026, 3, 1), date(2026, 2, 20)) == 0
    assert days_late(date(2026, 3, 1), date(2026, 3, 11), grace_days=3) == 7


def test_reference_residential_200_yuan_10_days_is_2_yuan() -> None:
    assert fee(20000, date(2026, 3, 1), date(2026, 3, 11)) == 200


def test_reference_residential_50_yuan_5_days_is_charged_the_1_yuan_minimum() -> None:
    # 5000 * 0.001 * 5 = 25 fen, under ¥1: charged ¥1.
    assert fee(5000, date(2026, 3, 1), date(2026, 3, 6)) == 100


def test_reference_non_residential_current_plus_prior_year_10_days_is_35_yuan() -> None:
    # The spec's example only illustrates the rates: a prior-year arrear is at least as many
    # days late as the days since 1 January, so both parts cannot be exactly 10 days late on
    # one payment date. Each part, 10 days late:
    current = fee(100000, date(2026, 3, 1), date(2026, 3, 11), NON)  # ¥1,000 current year: ¥20.00
    prior = fee(50000, date(2025, 12, 31), date(2026, 1, 10), NON)  # ¥500 from 2025: ¥15.00
    assert (current, prior, current + prior) == (2000, 1500, 3500)


def test_year_boundary_is_decided_by_the_due_date_year() -> None:
    # A December bill due in January 2026 is current-year arrears all through 2026 ...
    assert fee(100000, date(2026, 1, 15), date(2026, 1, 25), NON) == 100000 * 2 * 10 // 1000
    # ... while a bill due in December 2025 and paid in January 2026 is prior-year arrears,
    # charged the prior-years rate for every late day, including the December ones.
    assert fee(100000, date(2025, 12, 20), date(2026, 1, 9), NON) == 100000 * 3 * 20 // 1000
    # Paid in 2025 the same bill was current-year arrears.
    assert fee(100000, date(2025, 12, 20), date(2025, 12, 30), NON) == 100000 * 2 * 10 // 1000
    # Residential customers pay the same rate either side of the boundary.
    assert fee(100000, date(2025, 12, 20), date(2026, 1, 9), RES) == 100000 * 20 // 1000


def test_rounding_is_half_up_to_the_fen() -> None:
    assert fee(12850, date(2026, 3, 1), date(2026, 4, 15)) == 578  # 578.25
    assert fee(10500, date(2026, 3, 1), date(2026, 5, 15)) == 788  # 787.5 -> 788
    assert fee(30500, date(2026, 3, 1), date(2026, 3, 16)) == 458  # 457.5 -> 458


def test_no_fee_before_or_on_the_due_date_and_none_on_nothing_owed() -> None:
    assert fee(20000, date(2026, 3, 1), date(2026, 3, 1)) == 0
    assert fee(0, date(2026, 3, 1), date(2026, 3, 20)) == 0


def test_partial_payment_fee_accrues_on_the_rest_from_the_payment_date() -> None:
    # ¥200 due 1 March; on 11 March ¥52 pays the ¥2 fee and ¥50 principal (fee_from = 11 March).
    later = fee(
        15000, date(2026, 3, 1), date(2026, 3, 21), fee_from=date(2026, 3, 11), paid_before_fen=200
    )
    assert later == 150  # ¥150 * 0.1% * 10 days; the first 10 days are not charged again


def test_fee_left_unpaid_is_carried_without_interest() -> None:
    owed = fee(
        200000,
        date(2026, 3, 1),
        date(2026, 3, 11),
        fee_from=date(2026, 3, 11),
        carried_fen=1000,
        paid_before_fen=1000,
    )
    assert owed == 1000
    owed = fee(
        200000,
        date(2026, 3, 1),
        date(2026, 3, 12),
        fee_from=date(2026, 3, 11),
        carried_fen=1000,
        paid_before_fen=1000,
    )
    assert owed == 1200


def test_the_minimum_is_charged_once_over_a_bills_life() -> None:
    # The first payment paid the ¥1 minimum; later small accruals are charged as they are.
    assert (
        fee(
            5000, date(2026, 3, 1), date(2026, 3, 8), fee_from=date(2026, 3, 6), paid_before_fen=100
        )
        == 10
    )
    # Paid 30 fen of a ¥1 minimum: 70 fen remain, not another ¥1.
    assert (
        fee(
            5000,
            date(2026, 3, 1),
            date(2026, 3, 6),
            fee_from=date(2026, 3, 6),
            carried_fen=70,
            paid_before_fen=30,
        )
        == 70
    )


def test_grace_days_delay_the_start() -> None:
    rules = LateFeeRules(Decimal("0.001"), Decimal("0.002"), Decimal("0.003"), 100, grace_days=5)
    assert (
        late_fee_fen(
            unpaid_fen=100000,
            due_date=date(2026, 3, 1),
            as_of=date(2026, 3, 6),
            category=RES,
            rules=rules,
        )
        == 0
    )
    assert (
        late_fee_fen(
            unpaid_fen=100000,
            due_date=date(2026, 3, 1),
            as_of=date(2026, 3, 16),
            category=RES,
            rules=rules,
        )
        == 1000
    )


def test_negative_amounts_are_refused() -> None:
    with pytest.raises(ValueError, match="not negative"):
        fee(-1, date(2026, 3, 1), date(2026, 3, 2))
