"""Allocation of a payment: oldest bill first, each bill's late fee before its principal, the
rest to the prepaid balance. Pure; the caller writes the result in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class OpenBill:
    """A bill with something still owed, as of the payment date."""

    bill_id: int
    period: str  # "2026-10"
    due_date: date
    unpaid_fen: int  # principal still owed
    late_fee_fen: int  # late fee owed as of the payment date


@dataclass(frozen=True)
class BillShare:
    bill_id: int
    period: str
    late_fee_fen: int
    principal_fen: int
    fee_left_fen: int  # late fee still owed after this payment (carried)


@dataclass(frozen=True)
class Allocation:
    shares: tuple[BillShare, ...]
    to_balance_fen: int

    @property
    def total_fen(self) -> int:
        return self.to_balance_fen + sum(s.late_fee_fen + s.principal_fen for s in self.shares)


def oldest_first(bills: Sequence[OpenBill]) -> list[OpenBill]:
    return sorted(bills, key=lambda b: (b.period, b.due_date, b.bill_id))


def allocate(amount_fen: int, bills: Sequence[OpenBill]) -> Allocation:
    """Split ``amount_fen`` over ``bills`` (in any order; sorted oldest first here)."""
    if amount_fen <= 0:
        raise ValueError("a payment allocates a positive amount")
    left = amount_fen
    shares: list[BillShare] = []
    for bill in oldest_first(bills):
        if left == 0:
            break
        if bill.unpaid_fen <= 0 and bill.late_fee_fen <= 0:
            continue
        fee = min(left, bill.late_fee_fen)
        left -= fee
        principal = min(left, bill.unpaid_fen)
        left -= principal
        shares.append(
            BillShare(
                bill_id=bill.bill_id,
                period=bill.period,
                late_fee_fen=fee,
                principal_fen=principal,
                fee_left_fen=bill.late_fee_fen - fee,
            )
        )
    allocation = Allocation(shares=tuple(shares), to_balance_fen=left)
    assert allocation.total_fen == amount_fen
    return allocation
