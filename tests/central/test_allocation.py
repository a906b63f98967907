"""Allocation: oldest bill first, its late fee before its principal, the rest to the balance."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from central.allocation import OpenBill, allocate

JAN = OpenBill(1, "2026-01", date(2026, 2, 10), unpaid_fen=10000, late_fee_fen=300)
FEB = OpenBill(2, "2026-02", date(2026, 3, 10), unpaid_fen=8000, late_fee_fen=100)


def test_oldest_first_fee_before_principal_rest_to_balance() -> None:
    result = allocate(20000, [FEB, JAN])
    assert [(s.period, s.late_fee_fen, s.principal_fen, s.fee_left_fen) for s in result.shares] == [
        ("2026-01", 300, 10000, 0),
        ("2026-02", 100, 8000, 0),
    ]
    assert result.to_balance_fen == 1600


def test_a_small_payment_pays_the_oldest_fee_first() -> None:
    result = allocate(200, [FEB, JAN])
    assert [(s.period, s.late_fee_fen, s.principal_fen, s.fee_left_fen) for s in result.shares] == [
        ("2026-01", 200, 0, 100)
    ]
    assert result.to_balance_fen == 0


def test_the_second_bill_gets_what_the_first_leaves() -> None:
    result = allocate(10500, [JAN, FEB])
    assert [(s.period, s.late_fee_fen, s.principal_fen) for s in result.shares] == [
        ("2026-01", 300, 10000),
        ("2026-02", 100, 100),
    ]


def test_no_bills_everything_to_balance() -> None:
    result = allocate(5000, [])
    assert result.shares == ()
    assert result.to_balance_fen == 5000


def test_zero_is_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        allocate(0, [JAN])


bills = st.lists(
    st.builds(
        OpenBill,
        bill_id=st.integers(1, 10**6),
        period=st.sampled_from([f"2025-{m:02d}" for m in range(1, 13)]),
        due_date=st.dates(date(2025, 1, 1), date(2026, 12, 31)),
        unpaid_fen=st.integers(0, 10**7),
        late_fee_fen=st.integers(0, 10**5),
    ),
    max_size=8,
)


@given(amount=st.integers(1, 10**8), open_bills=bills)
def test_every_fen_goes_somewhere_and_nothing_is_overpaid(
    amount: int, open_bills: list[OpenBill]
) -> None:
    result = allocate(amount, open_bills)
    assert result.total_fen == amount
    by_id = {}
    for bill in open_bills:
        by_id.setdefault(bill.bill_id, bill)
    for share in result.shares:
        assert share.principal_fen >= 0
        assert share.late_fee_fen >= 0
        assert share.principal_fen == 0 or share.fee_left_fen == 0  # fee before principal
    if result.to_balance_fen:
        assert all(s.fee_left_fen == 0 for s in result.shares)
