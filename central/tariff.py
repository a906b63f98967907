"""The residential tiered tariff (阶梯电价): where a year's consumption stands among the tiers.

Tiers are annual: the kWh a household uses in a calendar year are priced at the first tier's
price up to its bound, then at the second's, and so on; the last tier has no bound. A bound is
inclusive: with Zhejiang's tiers, 2,760 kWh is still the first tier and 2,761 the second.
Prices are whole 厘 (li: 0.1 fen, 0.001 yuan) per kWh, as provincial price notices print
them (0.538 yuan/kWh = 538 li); no float touches a price.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Tier:
    up_to_kwh: int | None  # inclusive upper bound of the year's kWh; None for the last tier
    price_li_per_kwh: int


def tier_of(year_kwh: int, tiers: Sequence[Tier]) -> int:
    """The 1-based tier that the year's ``year_kwh`` has reached (its last kWh's tier)."""
    if year_kwh < 0:
        raise ValueError(f"a year's consumption cannot be negative: {year_kwh}")
    if not tiers:
        raise ValueError("no tiers configured")
    for number, tier in enumerate(tiers, start=1):
        if tier.up_to_kwh is None or year_kwh <= tier.up_to_kwh:
            return number
    return len(tiers)  # the configuration check makes the last tier unbounded
