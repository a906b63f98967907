"""An account's usage as the kiosk's snapshot carries it (``account["usage"]``), for the
screenshots, the layout check and the UI tests: the demo server's 3100000001 in December 2026
(kiosk/central_answers.py ``Usage``; docs/wire-format.md)."""

from __future__ import annotations

import copy
from typing import Any

# A household's kWh in January .. December, as central/seed.py seeds them (at 105%).
_SEASON = (336, 273, 210, 178, 189, 273, 441, 472, 315, 199, 210, 304)

ZHEJIANG_TIERS: list[dict[str, Any]] = [
    {"tier": 1, "up_to_kwh": 2760, "price_li_per_kwh": 538},
    {"tier": 2, "up_to_kwh": 4800, "price_li_per_kwh": 588},
    {"tier": 3, "up_to_kwh": None, "price_li_per_kwh": 838},
]


def sample_usage(*, residential: bool = True) -> dict[str, Any]:
    """Twelve months December 2025 .. November 2026: 3,096 kWh this year, the second tier."""
    kwh_by_month = [("2025-12", _SEASON[11])] + [
        (f"2026-{number:02d}", _SEASON[number - 1]) for number in range(1, 12)
    ]
    months: list[dict[str, Any]] = [{"month": m, "kwh": kwh} for m, kwh in kwh_by_month]
    year_kwh = sum(kwh for month, kwh in kwh_by_month if month.startswith("2026-"))
    return {
        "meter_no": "330100000001",
        "readings": [
            {"read_on": "2026-12-01", "reading_kwh": 11400},
            {"read_on": "2026-11-01", "reading_kwh": 11190},
        ],
        "months": months,
        "year": 2026,
        "year_kwh": year_kwh,
        "tiers": copy.deepcopy(ZHEJIANG_TIERS) if residential else [],
        "tier": 2 if residential else None,
    }
