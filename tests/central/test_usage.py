"""The account lookup's usage: meter, readings, twelve months, and the tiered tariff (阶梯电价)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import insert

from central import seed
from central.config import DEFAULT_CONFIG, CentralConfigError, load
from central.schema_usage import monthly_usage
from central.tariff import Tier, tier_of
from central.usage import month_of
from tests.central.conftest import Live

# 浙江省居民阶梯电价 (the default): up to 2,760 kWh a year 0.538 yuan/kWh, 2,761-4,800 kWh
# 0.588, above 4,800 kWh 0.838.
ZHEJIANG = [Tier(2760, 538), Tier(4800, 588), Tier(None, 838)]


@pytest.mark.parametrize(
    ("year_kwh", "tier"),
    [(0, 1), (1, 1), (2760, 1), (2761, 2), (4000, 2), (4800, 2), (4801, 3), (20_000, 3)],
)
def test_a_bound_belongs_to_its_tier_and_the_next_kwh_to_the_next(year_kwh, tier) -> None:
    assert tier_of(year_kwh, ZHEJIANG) == tier


def test_a_single_tier_takes_everything_and_negative_kwh_are_refused() -> None:
    assert tier_of(10**9, [Tier(None, 500)]) == 1
    with pytest.raises(ValueError, match="negative"):
        tier_of(-1, ZHEJIANG)


def test_the_default_tariff_is_zhejiangs_published_one() -> None:
    tiers = [(t.up_to_kwh, t.price_li_per_kwh) for t in load(env={}).tariff.tiers]
    assert tiers == [(2760, 538), (4800, 588), (None, 838)]
    # the file says the same as the code's default
    from central.config import TariffSection

    assert load(env={}).tariff == TariffSection()


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("up_to_kwh = 4800", "up_to_kwh = 2000", "must rise"),
        ("{ price_li_per_kwh = 838 }", "{ up_to_kwh = 9000, price_li_per_kwh = 838 }", "last"),
        ("price_li_per_kwh = 538", "price_li_per_kwh = 0.538", r"tariff\.tiers"),
        ("price_li_per_kwh = 588", "price_li_per_kwh = 588, price = 1", r"tariff\.tiers"),
    ],
)
def test_tariff_config_is_strict(tmp_path: Path, old: str, new: str, message: str) -> None:
    text = DEFAULT_CONFIG.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "central.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(CentralConfigError, match=message):
        load(path, env={})


def test_month_of_counts_back_across_years() -> None:
    assert month_of(date(2026, 1, 15), 1) == "2025-12"
    assert month_of(date(2026, 1, 15), 12) == "2025-01"
    assert month_of(date(2026, 12, 5), 0) == "2026-12"


def test_seeded_residential_account_has_its_usage_and_tier(live: Live, today: date) -> None:
    account = live.client().get_account("3100000001")
    used = account.usage
    assert used is not None
    assert used.meter_no == "330100000001"
    assert [m.month for m in used.months] == [month_of(today, back) for back in range(12, 0, -1)]
    season = dict(zip(range(1, 13), seed.SEASON, strict=True))
    assert [m.kwh for m in used.months] == [
        season[int(m.month[5:])] * 105 // 100 for m in used.months
    ]
    newest, older = used.readings
    assert (newest.read_on, older.read_on) == (
        f"{month_of(today, 0)}-01",
        f"{month_of(today, 1)}-01",
    )
    assert newest.reading_kwh - older.reading_kwh == used.months[-1].kwh
    this_year = sum(m.kwh or 0 for m in used.months if m.month.startswith(f"{today.year}-"))
    assert (used.year, used.year_kwh) == (today.year, this_year)
    assert [(t.tier, t.up_to_kwh, t.price_li_per_kwh) for t in used.tiers] == [
        (1, 2760, 538),
        (2, 4800, 588),
        (3, None, 838),
    ]
    assert used.tier == tier_of(this_year, ZHEJIANG)


def test_non_residential_usage_has_no_tiers(live: Live) -> None:
    used = live.client().get_account("3100000003").usage
    assert used is not None
    assert len(used.months) == 12
    assert (used.tiers, used.tier) == ((), None)


def test_an_account_with_nothing_on_record_has_no_usage(live: Live) -> None:
    assert live.client().get_account(live.account()).usage is None


def test_months_not_on_record_are_null_and_count_nothing(live: Live, today: date) -> None:
    number = live.account()
    account_id = _account_id(live, number)
    with live.engine.begin() as conn:
        conn.execute(
            insert(monthly_usage),
            [
                {"account_id": account_id, "month": month_of(today, 1), "kwh": 2761},
                {"account_id": account_id, "month": month_of(today, 13), "kwh": 999},  # too old
            ],
        )
    used = live.client().get_account(number).usage
    assert used is not None
    assert used.meter_no is None
    assert used.readings == ()
    assert [m.kwh for m in used.months] == [None] * 11 + [2761]
    in_this_year = month_of(today, 1).startswith(str(today.year))
    assert used.year_kwh == (2761 if in_this_year else 0)
    assert used.tier == (2 if in_this_year else 1)


def _account_id(live: Live, number: str) -> int:
    from sqlalchemy import select

    from central.schema import accounts

    with live.engine.connect() as conn:
        return int(
            conn.execute(select(accounts.c.id).where(accounts.c.account_no == number)).scalar_one()
        )
