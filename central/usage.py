"""The ``usage`` part of the account lookup: meter, last two readings, twelve months of kWh,
and where this calendar year's kWh stand in the tiered tariff (central/tariff.py).

The months are the twelve calendar months before the current one (the current month is not
read yet); a month with no recorded consumption has ``kwh: null``. This year's kWh add up every
month of the current year on record. Tiers apply to residential accounts only: another
category gets no tiers and no tier. An account with no reading and no month on record gets no
usage at all (``null``): the kiosk then offers no usage view.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, func, select

from central.config import TariffSection
from central.schema import Category
from central.schema_usage import meter_readings, monthly_usage
from central.tariff import Tier, tier_of

MONTHS = 12


def month_of(today: date, months_back: int) -> str:
    """``YYYY-MM`` of the month ``months_back`` before ``today``'s."""
    index = today.year * 12 + today.month - 1 - months_back
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def tiers_of(tariff: TariffSection) -> list[Tier]:
    return [Tier(t.up_to_kwh, t.price_li_per_kwh) for t in tariff.tiers]


def usage(
    conn: Connection, account_id: int, category: Category, tariff: TariffSection, today: date
) -> dict[str, Any] | None:
    """The lookup's ``usage`` object, or None when nothing is on record for the account."""
    readings = list(
        conn.execute(
            select(
                meter_readings.c.meter_no, meter_readings.c.read_on, meter_readings.c.reading_kwh
            )
            .where(meter_readings.c.account_id == account_id)
            .order_by(meter_readings.c.read_on.desc())
            .limit(2)
        )
    )
    wanted = [month_of(today, back) for back in range(MONTHS, 0, -1)]
    recorded: dict[str, int] = {
        row.month: row.kwh
        for row in conn.execute(
            select(monthly_usage.c.month, monthly_usage.c.kwh).where(
                monthly_usage.c.account_id == account_id, monthly_usage.c.month.in_(wanted)
            )
        )
    }
    if not readings and not recorded:
        return None
    year_kwh = conn.execute(
        select(func.coalesce(func.sum(monthly_usage.c.kwh), 0)).where(
            monthly_usage.c.account_id == account_id,
            monthly_usage.c.month.like(f"{today.year:04d}-%"),
        )
    ).scalar_one()
    residential = category is Category.RESIDENTIAL
    tiers = tiers_of(tariff) if residential else []
    return {
        "meter_no": readings[0].meter_no if readings else None,
        "readings": [
            {"read_on": r.read_on.isoformat(), "reading_kwh": r.reading_kwh} for r in readings
        ],
        "months": [{"month": month, "kwh": recorded.get(month)} for month in wanted],
        "year": today.year,
        "year_kwh": int(year_kwh),
        "tiers": [
            {"tier": number, "up_to_kwh": t.up_to_kwh, "price_li_per_kwh": t.price_li_per_kwh}
            for number, t in enumerate(tiers, start=1)
        ],
        "tier": tier_of(int(year_kwh), tiers) if tiers else None,
    }
