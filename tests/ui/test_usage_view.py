"""The usage view (用电情况) of the account screen: only with usage, twelve bars, the tier."""

from __future__ import annotations

import copy
from typing import Any

import pytest

pytest.importorskip("PySide6")

from kiosk_demo.fake_source import make_snapshot
from kiosk_demo.usage_sample import sample_usage
from ui.screens.usage import format_price_li, month_bars, tier_name


def _account(usage: dict[str, Any] | None) -> dict[str, Any]:
    account = copy.deepcopy(make_snapshot("account_shown")["account"])
    if usage is not None:
        account["usage"] = usage
    return account


def test_no_usage_button_without_usage(kiosk) -> None:
    kiosk.show("account_shown", account=_account(None))
    assert not kiosk.find("shown_usage").isVisible()
    kiosk.show("account_shown", account=_account(sample_usage()))
    assert kiosk.find("shown_usage").isVisible()
    assert kiosk.find("shown_usage").text() == "用电情况"


def test_the_usage_view_opens_and_back_returns_without_an_engine_state(kiosk) -> None:
    kiosk.show("account_shown", account=_account(sample_usage()))
    kiosk.click("shown_usage")
    assert kiosk.find("usage_panel").isVisible()
    assert not kiosk.find("shown_main").isVisible()
    assert kiosk.find("shown_title").text() == "用电情况"
    assert kiosk.find("usage_meter").text() == "电表编号 330100000001"
    assert kiosk.find("usage_latest").text() == "2026年12月1日抄表 11,400 度"
    assert kiosk.find("usage_previous").text() == "2026年11月1日抄表 11,190 度"
    assert kiosk.intents() == []  # only touches: the idle timer goes on, no state change
    assert ("touch", {}) in kiosk.source.intents
    kiosk.click("usage_back")
    assert not kiosk.find("usage_panel").isVisible()
    assert kiosk.find("shown_main").isVisible()
    assert kiosk.find("shown_title").text() == "账户信息"


def test_a_new_customer_never_sees_the_last_ones_usage(kiosk) -> None:
    kiosk.show("account_shown", account=_account(sample_usage()))
    kiosk.click("shown_usage")
    kiosk.show("home")
    kiosk.show("account_shown", account=_account(None))
    assert not kiosk.find("usage_panel").isVisible()
    assert not kiosk.find("shown_usage").isVisible()


def test_the_chart_has_twelve_bars_labelled_by_month_and_year(kiosk) -> None:
    kiosk.show("account_shown", account=_account(sample_usage()))
    kiosk.click("shown_usage")
    chart = kiosk.find("usage_chart")
    assert [bar.label for bar in chart.bars] == ["12月"] + [f"{m}月" for m in range(1, 12)]
    assert [bar.year for bar in chart.bars] == ["2025年"] + ["2026年"] * 11
    assert chart.month_names() == [bar.label for bar in chart.bars]  # portrait: room for all
    rects = chart.bar_rects()
    assert len(rects) == 12 and all(rect is not None for rect in rects)
    kwh = [m["kwh"] for m in sample_usage()["months"]]
    heights = [rect.height() for rect in rects]
    tallest = heights.index(max(heights))
    assert tallest == kwh.index(max(kwh))  # August, 472 kWh
    assert heights[tallest] / heights[0] == pytest.approx(kwh[tallest] / kwh[0], rel=0.01)
    assert chart.scale() == (600, 200)


def test_english_months_and_a_month_not_on_record_has_no_bar() -> None:
    usage = sample_usage()
    usage["months"][3]["kwh"] = None
    bars = month_bars(usage["months"], "en")
    assert [bar.label for bar in bars[:3]] == ["Dec", "Jan", "Feb"]
    assert [bar.short for bar in bars[:3]] == ["D", "J", "F"]
    assert bars[3].kwh is None


def test_this_years_kwh_against_the_tiers(kiosk) -> None:
    kiosk.show("account_shown", account=_account(sample_usage()))
    kiosk.click("shown_usage")
    assert kiosk.find("usage_year").text() == "今年已用电 3,096 度\n第二档，每度 0.588 元"
    assert kiosk.find("usage_next_tier").text() == "再用 1,704 度进入第三档"
    bar = kiosk.find("usage_tier_bar")
    assert [(t.name, t.up_to_kwh) for t in bar.tiers] == [
        ("第一档", 2760),
        ("第二档", 4800),
        ("第三档", None),
    ]
    assert bar.year_kwh == 3096
    first, second = bar.boundary_xs()
    assert first < bar.x_of(3096) < second  # the year's mark stands in the second tier
    assert kiosk.find("usage_tier_1").text() == "第一档：0–2,760 度，每度 0.538 元"
    assert kiosk.find("usage_tier_3").text() == "第三档：4,800 度以上，每度 0.838 元"
    kiosk.show("account_shown", account=_account(sample_usage()), language="en")
    assert kiosk.find("usage_year").text() == "This year: 3,096 kWh\nTier 2: ¥0.588/kWh"


def test_large_text_drops_the_table_of_tiers_not_the_tier(kiosk) -> None:
    kiosk.show("account_shown", account=_account(sample_usage()), large_text=True)
    kiosk.click("shown_usage")
    assert "第二档" in kiosk.find("usage_year").text()
    assert kiosk.find("usage_tier_bar").isVisible()
    assert not kiosk.find("usage_tier_1").isVisible()
    assert kiosk.find("usage_latest").text() == "12月1日抄表 11,400 度"


def test_a_business_sees_its_usage_without_tiers(kiosk) -> None:
    kiosk.show("account_shown", account=_account(sample_usage(residential=False)))
    kiosk.click("shown_usage")
    assert kiosk.find("usage_year").text() == "今年已用电 3,096 度"
    assert kiosk.find("usage_next_tier").text() == "本户不执行居民阶梯电价"
    assert not kiosk.find("usage_tier_bar").isVisible()


def test_prices_in_li_and_tier_names() -> None:
    assert [format_price_li(li) for li in (538, 588, 838, 1000, 5)] == [
        "0.538",
        "0.588",
        "0.838",
        "1.000",
        "0.005",
    ]
    assert [tier_name(n, "zh") for n in (1, 2, 3)] == ["第一档", "第二档", "第三档"]
    assert tier_name(2, "en") == "Tier 2"


def test_the_usage_the_client_parses_is_what_the_view_draws(kiosk) -> None:
    """The wire's usage through kiosk/central_answers.py and ``dataclasses.asdict`` (as the
    engine builds the snapshot) into the view: no conversion in between."""
    import dataclasses

    from kiosk.central_answers import parse_account

    wire = {
        **{k: v for k, v in _account(None).items() if k != "bills"},
        "bills": [],
        "as_of": "2026-12-05",
        "usage": sample_usage(),
    }
    parsed = dataclasses.asdict(parse_account(wire))
    assert parsed["usage"] is not None
    kiosk.show("account_shown", account={**_account(None), "usage": parsed["usage"]})
    kiosk.click("shown_usage")
    assert len(kiosk.find("usage_chart").bar_rects()) == 12
    assert kiosk.find("usage_year").text() == "今年已用电 3,096 度\n第二档，每度 0.588 元"
