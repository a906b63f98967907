"""The account's usage (用电情况): meter, the last two readings, twelve months of kWh as bars,
and this year's kWh against the tiered tariff (阶梯电价).

A panel of the account screen, opened by its "用电情况 / Usage" button: the engine has no state
for it (its idle timer goes on), and it reads ``snapshot["account"]["usage"]`` as the kiosk's
client parsed it (kiosk/central_answers.py, ``Usage``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from PySide6.QtWidgets import QBoxLayout, QVBoxLayout, QWidget

from ui.i18n import format_date
from ui.screens.base import button, label
from ui.widgets.usage_chart import MonthBar, MonthlyUsageChart, TierBar, TierMark

_ZH_NUMERALS = "一二三四五六七八九"
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
LI_PER_YUAN = 1000


def format_price_li(li: int) -> str:
    """A price in 厘 (0.1 fen) per kWh as yuan: 538 -> '0.538'."""
    return f"{li // LI_PER_YUAN}.{li % LI_PER_YUAN:03d}"


def tier_name(number: int, language: str) -> str:
    """第一档 .. / Tier 1 .."""
    if language == "zh" and 1 <= number <= len(_ZH_NUMERALS):
        return f"第{_ZH_NUMERALS[number - 1]}档"
    return f"Tier {number}"


def _reading_date(iso: str, language: str, short: bool) -> str:
    """2026年12月1日 / 1 Dec 2026; large text: 12月1日 / 1 Dec (the last two months' readings)."""
    text = format_date(iso, language)
    if short and len(iso) == len("2026-12-01"):
        return text.split("年", 1)[-1] if language == "zh" else text.rsplit(" ", 1)[0]
    return text


def month_bars(months: Sequence[Mapping[str, Any]], language: str) -> list[MonthBar]:
    """Bars labelled 1月 .. / Jan .., with their year."""
    bars = []
    for month in months:
        text = str(month.get("month") or "")
        year, number = text[:4], int(text[5:7]) if text[5:7].isdigit() else 0
        english = _MONTHS_EN[(number - 1) % 12]
        kwh = month.get("kwh")
        bars.append(
            MonthBar(
                f"{number}月" if language == "zh" else english,
                str(number) if language == "zh" else english[0],
                kwh if isinstance(kwh, int) else None,
                f"{year}年" if language == "zh" else year,
            )
        )
    return bars


class UsagePanel(QWidget):
    """Facts and the tier on one side (above in portrait), the chart on the other."""

    def __init__(self, close: Callable[[], None]) -> None:
        super().__init__()
        self.setObjectName("usage_panel")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(16)
        self.box = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.box.setSpacing(20)
        outer.addLayout(self.box, 1)
        chart_column = QVBoxLayout()
        chart_column.setSpacing(8)
        self.chart_title = label("usage_chart_title", "subtitle")
        self.chart = MonthlyUsageChart("usage_chart")
        facts = QWidget()
        facts.setObjectName("usage_facts")
        fact_lines = QVBoxLayout(facts)
        fact_lines.setContentsMargins(0, 0, 0, 0)
        fact_lines.setSpacing(4)
        self.meter = label("usage_meter", "cell")
        self.readings = [label("usage_latest", "cell"), label("usage_previous", "cell")]
        for line in (self.meter, *self.readings):
            fact_lines.addWidget(line)
        chart_column.addWidget(self.chart_title)
        chart_column.addWidget(self.chart, 1)
        chart_column.addWidget(facts)
        self.box.addLayout(chart_column, 1)
        side = QVBoxLayout()
        side.setSpacing(10)
        self.year = label("usage_year", "total")
        self.tier_bar = TierBar("usage_tier_bar")
        self.next_tier = label("usage_next_tier", "hint")
        self.tier_lines = [label(f"usage_tier_{n}", "cell") for n in range(1, 6)]
        side.addWidget(self.year)
        side.addWidget(self.tier_bar)
        side.addWidget(self.next_tier)
        for line in self.tier_lines:
            side.addWidget(line)
        side.addStretch(1)
        self.box.addLayout(side, 1)
        self.back = button("usage_back", "secondary")
        self.back.clicked.connect(close)
        outer.addWidget(self.back)
        self.portrait = True

    def set_portrait(self, portrait: bool) -> None:
        self.portrait = portrait
        # portrait: the chart on top, the facts and the tier under it; landscape: side by side
        self.box.setDirection(
            QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight
        )
        self.box.setStretch(0, 1)  # portrait: the chart takes the height
        self.box.setStretch(1, 0 if portrait else 1)

    def render(
        self, usage: Mapping[str, Any], tr: Callable[..., str], language: str, senior: bool
    ) -> None:
        readings = list(usage.get("readings") or [])
        self.meter.setText(tr("usage.meter", meter=usage.get("meter_no") or tr("usage.none")))
        for index, line in enumerate(self.readings):
            if index < len(readings):
                reading = readings[index]
                line.setText(
                    tr(
                        "usage.reading",
                        date=_reading_date(str(reading.get("read_on") or ""), language, senior),
                        kwh=f"{int(reading.get('reading_kwh') or 0):,}",
                    )
                )
            line.setVisible(index < len(readings))
        self.chart_title.setText(tr("usage.months"))
        # large text beside the chart: its axis and months say it, the chart needs the room
        self.chart_title.setVisible(self.portrait or not senior)
        self.chart.set_months(month_bars(usage.get("months") or [], language), tr("usage.kwh"))
        self._render_tiers(usage, tr, language, senior)
        self.back.setText(tr("nav.back"))

    def _render_tiers(
        self, usage: Mapping[str, Any], tr: Callable[..., str], language: str, senior: bool
    ) -> None:
        tiers = list(usage.get("tiers") or [])
        year_kwh = int(usage.get("year_kwh") or 0)
        year = usage.get("year") or ""
        current = usage.get("tier")
        for line in self.tier_lines:
            line.hide()
        if not tiers or not isinstance(current, int) or not 1 <= current <= len(tiers):
            self.year.setText(tr("usage.year_only", year=year, kwh=f"{year_kwh:,}"))
            self.tier_bar.hide()
            self.next_tier.setText(tr("usage.no_tiers"))
            self.next_tier.show()
            return
        tier = tiers[current - 1]
        self.year.setText(
            tr(
                "usage.year",
                year=year,
                kwh=f"{year_kwh:,}",
                tier=tier_name(current, language),
                price=format_price_li(int(tier.get("price_li_per_kwh") or 0)),
            )
        )
        self.tier_bar.set_tiers(
            [TierMark(tier_name(n, language), t.get("up_to_kwh")) for n, t in enumerate(tiers, 1)],
            year_kwh,
        )
        self.tier_bar.show()
        bound = tier.get("up_to_kwh")
        if isinstance(bound, int):
            self.next_tier.setText(
                tr(
                    "usage.to_next",
                    kwh=f"{bound - year_kwh:,}",
                    tier=tier_name(current + 1, language),
                )
            )
        else:
            self.next_tier.setText(tr("usage.top_tier"))
        self.next_tier.show()
        if senior:
            return  # large text: the year's tier and price say it; no table of every tier
        below = 0
        for number, (line, entry) in enumerate(zip(self.tier_lines, tiers, strict=False), 1):
            up_to = entry.get("up_to_kwh")
            price = format_price_li(int(entry.get("price_li_per_kwh") or 0))
            name = tier_name(number, language)
            if up_to is None:
                text = tr("usage.tier_above", tier=name, above=f"{below:,}", price=price)
            else:
                text = tr(
                    "usage.tier_up_to",
                    tier=name,
                    start=f"{below + 1:,}" if below else "0",
                    to=f"{up_to:,}",
                    price=price,
                )
                below = up_to
            line.setText(text)
            line.show()
