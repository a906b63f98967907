"""Late fee (电费违约金) of one bill: a pure function of the bill, the date and the rules.

Rules (供电营业规则 art. 98, rates and minimum from config/central.toml):

- Days: counted from the day after the due date (plus ``grace_days``) through the payment
  date. A bill due 1 March and paid 11 March is 10 days late.
- Rate: residential customers pay ``residential_daily_rate`` on the unpaid principal. Other
  customers pay ``current_year_daily_rate`` on current-year arrears and
  ``prior_years_daily_rate`` on arrears from earlier years.
- "Current year": arrears start on the due date, so a bill belongs to the year of its
  **due date**, not of its billing period. When that year is before the payment date's year,
  all of the bill's late days are charged at the prior-years rate (a December bill due in
  January is current-year arrears all through that January).
- Partial payments: a payment settles a bill's late fee due so far before its principal; the
  settled days are not charged again. From then on the fee accrues on the principal still
  unpaid, from the payment date (``fee_from``). A payment too small to settle the whole fee
  leaves the remainder as ``carried_fen``, owed without further interest on it.
- Minimum: a bill whose late fee over its whole life would be above zero but under
  ``minimum_fen`` (¥1) is charged the minimum, once (fees it already paid count toward it).
- Rounding: half up to the fen, on each accrual.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from central.config import LateFeeSection
from central.schema import Category


@dataclass(frozen=True)
class LateFeeRules:
    residential_daily: Decimal
    current_year_daily: Decimal
    prior_years_daily: Decimal
    minimum_fen: int
    grace_days: int

    @classmethod
    def from_config(cls, section: LateFeeSection) -> LateFeeRules:
        return cls(
            residential_daily=section.exact(section.residential_daily_rate),
            current_year_daily=section.exact(section.current_year_daily_rate),
            prior_years_daily=section.exact(section.prior_years_daily_rate),
            minimum_fen=section.minimum_fen,
            grace_days=section.grace_days,
        )


def days_late(
    due_date: date, as_of: date, *, grace_days: int = 0, fee_from: date | None = None
) -> int:
    """Days that accrue a fee: after max(due date + grace, fee_from) through ``as_of``."""
    start = due_date + timedelta(days=grace_days)
    if fee_from is not None and fee_from > start:
        start = fee_from
    return max(0, (as_of - start).days)


def daily_rate(category: Category, due_date: date, as_of: date, rules: LateFeeRules) -> Decimal:
    if category is Category.RESIDENTIAL:
        return rules.residential_daily
    if due_date.year < as_of.year:
        return rules.prior_years_daily
    return rules.current_year_daily


def late_fee_fen(
    *,
    unpaid_fen: int,
    due_date: date,
    as_of: date,
    category: Category,
    rules: LateFeeRules,
    fee_from: date | None = None,
    carried_fen: int = 0,
    paid_before_fen: int = 0,
) -> int:
    """The late fee owed on a bill as of ``as_of`` (see the module docstring for the rules)."""
    if unpaid_fen < 0 or carried_fen < 0 or paid_before_fen < 0:
        raise ValueError("late_fee_fen takes amounts that are not negative")
    days = days_late(due_date, as_of, grace_days=rules.grace_days, fee_from=fee_from)
    rate = daily_rate(category, due_date, as_of, rules)
    accrued = int((Decimal(unpaid_fen) * rate * days).quantize(Decimal(1), ROUND_HALF_UP))
    owed = carried_fen + accrued
    lifetime = paid_before_fen + owed
    if 0 < lifetime < rules.minimum_fen:
        owed = rules.minimum_fen - paid_before_fen
    return owed
