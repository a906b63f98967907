"""Usage drawn with QPainter: twelve months of kWh as bars, and a year's kWh against the tiers.

Both widgets take plain values (labels already translated) and keep the geometry they paint in
methods of their own (``bar_rects``, ``boundary_xs``), so tests read what the customer sees.
Every text is dark on white (at least 7:1); colours only tell tiers apart, never carry a text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

INK = QColor("#111111")
GRID = QColor("#8a8a8a")
BAR = QColor("#0b4f8a")
USED = QColor("#0b2f55")
TIER_FILLS = (QColor("#cfe3f5"), QColor("#f6d98e"), QColor("#f0aaaa"), QColor("#d9c7ea"))
MIN_TEXT_PX = 18
MAX_CHART_TEXT_PX = 26  # large text beside other things: the chart keeps room for its bars
WIDE_CHART_TEXT_PX = 34  # large text across a portrait screen
WIDE_PX = 900


@dataclass(frozen=True)
class MonthBar:
    label: str  # "1月" / "Jan"
    short: str  # when the labels do not fit their slots: "1" / "J"
    kwh: int | None  # None: not on record, no bar
    year: str  # "2026年" / "2026": written once under each year's months


def _nice_step(top: int, lines: int = 4) -> int:
    """A round kWh step (1, 2 or 5 times a power of ten) giving about ``lines`` grid lines."""
    raw = max(1, top) / lines
    power = 1
    while power * 10 <= raw:
        power *= 10
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return factor * power
    return 10 * power  # pragma: no cover - the loop always returns


def _text_cap(widget: QWidget) -> int:
    return WIDE_CHART_TEXT_PX if widget.width() >= WIDE_PX else MAX_CHART_TEXT_PX


def _font(base: QFont, pixels: int, *, bold: bool = False) -> QFont:
    font = QFont(base)
    font.setPixelSize(max(MIN_TEXT_PX, pixels))
    font.setBold(bold)
    return font


class MonthlyUsageChart(QWidget):
    """Bars of kWh per month, a kWh axis with round grid lines, month labels under the bars."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.bars: tuple[MonthBar, ...] = ()
        self.axis_title = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_months(self, bars: Sequence[MonthBar], axis_title: str) -> None:
        self.bars = tuple(bars)
        self.axis_title = axis_title
        self.update()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        line = self._text_px() * 2
        return QSize(12 * 24, line * 5 + 120)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(900, self._text_px() * 10 + 240)

    def _text_px(self) -> int:
        return min(_text_cap(self), max(MIN_TEXT_PX, int(self.font().pixelSize() * 0.8)))

    def scale(self) -> tuple[int, int]:
        """The kWh at the top of the axis (the highest month rounded up to a grid line), and
        the kWh between grid lines."""
        highest = max((bar.kwh or 0 for bar in self.bars), default=0)
        step = _nice_step(highest, self._grid_lines())
        return max(step, -(-highest // step) * step), step

    def top_kwh(self) -> int:
        return self.scale()[0]

    def _grid_lines(self) -> int:
        """As many grid lines as have room for their labels (at least one, at most four)."""
        line = QFontMetrics(_font(self.font(), self._text_px())).height()
        room = self.height() - line * 3 - 20  # the plot's height, about
        return max(1, min(4, int(room // (line * 1.5))))

    def _tick_label(self, kwh: int, *, top: bool) -> str:
        """A grid line's kWh; the top one carries the unit: '600 度' is one label."""
        return f"{kwh:,} {self.axis_title}" if top and self.axis_title else f"{kwh:,}"

    def _plot(self) -> QRectF:
        """Where the bars stand: room on the left for the axis, below for two label lines."""
        text = self._text_px()
        metrics = QFontMetrics(_font(self.font(), text))
        left = metrics.horizontalAdvance(self._tick_label(self.top_kwh(), top=True)) + 16
        top = metrics.height() + 8  # a bar's value above the highest; the top tick's half
        bottom = metrics.height() * 2 + 12  # month, then year
        return QRectF(
            left, top, max(1, self.width() - left - 8), max(1, self.height() - top - bottom)
        )

    def _month_names(self, metrics: QFontMetrics, slot: float) -> list[str]:
        """The month labels as painted: full ("12月", "Dec") when they fit at three quarters of
        the chart's text size or more (the paint shrinks them that far), else short ("12")."""
        widest = max(metrics.horizontalAdvance(bar.label) for bar in self.bars)
        text_px = self._text_px()
        if text_px * (slot - 8) / max(1, widest) >= max(MIN_TEXT_PX, text_px * 0.75):
            return [bar.label for bar in self.bars]
        return [bar.short for bar in self.bars]

    def month_names(self) -> list[str]:
        metrics = QFontMetrics(_font(self.font(), self._text_px()))
        return self._month_names(metrics, self._plot().width() / max(1, len(self.bars)))

    def _paint_years(
        self, painter: QPainter, plot: QRectF, slot: float, metrics: QFontMetrics, y: float
    ) -> None:
        """Each year's name under its months; a dashed line where one year ends."""
        runs: list[tuple[str, int, int]] = []  # (year, first index, last index)
        for index, bar in enumerate(self.bars):
            if runs and runs[-1][0] == bar.year:
                runs[-1] = (bar.year, runs[-1][1], index)
            else:
                runs.append((bar.year, index, index))
        for number, (year, first, last) in enumerate(runs):
            left = plot.left() + slot * first
            right = plot.left() + slot * (last + 1)
            advance = metrics.horizontalAdvance(year)
            if number > 0:
                painter.setPen(QPen(GRID, 2, Qt.PenStyle.DashLine))
                painter.drawLine(QPointF(left, plot.top()), QPointF(left, y))
                x = left + 6  # a later year starts at its line
            elif len(runs) > 1:
                x = right - 6 - advance  # the first ends at the next one's line
            else:
                x = left
            painter.setPen(INK)
            painter.drawText(QPointF(max(0.0, min(x, self.width() - advance)), y), year)

    def bar_rects(self) -> list[QRectF | None]:
        """Each month's bar as painted (None for a month not on record)."""
        plot = self._plot()
        if not self.bars:
            return []
        slot = plot.width() / len(self.bars)
        top = self.top_kwh()
        rects: list[QRectF | None] = []
        for index, bar in enumerate(self.bars):
            if bar.kwh is None:
                rects.append(None)
                continue
            height = plot.height() * bar.kwh / top
            x = plot.left() + slot * index + slot * 0.18
            rects.append(QRectF(x, plot.bottom() - height, slot * 0.64, height))
        return rects

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802, ARG002 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        plot = self._plot()
        text_px = self._text_px()
        small = _font(self.font(), text_px)
        painter.setFont(small)
        metrics = QFontMetrics(small)
        # the axis: round grid lines with their kWh, the unit at the top one
        top, step = self.scale()
        for kwh in range(0, top + 1, step):
            y = plot.bottom() - plot.height() * kwh / top
            painter.setPen(QPen(GRID, 1 if kwh else 2))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(INK)
            label = self._tick_label(kwh, top=kwh + step > top)
            painter.drawText(
                QPointF(
                    plot.left() - 10 - metrics.horizontalAdvance(label),
                    y + metrics.ascent() / 2 - 2,
                ),
                label,
            )
        if not self.bars:
            painter.end()
            return
        slot = plot.width() / len(self.bars)
        names = self._month_names(metrics, slot)
        widest = max(metrics.horizontalAdvance(name) for name in names)
        name_font = _font(self.font(), int(text_px * min(1.0, (slot - 8) / max(1, widest))))
        name_metrics = QFontMetrics(name_font)
        values = [f"{bar.kwh}" for bar in self.bars]
        show_values = max(metrics.horizontalAdvance(v) for v in values) <= slot - 2
        label_y = plot.bottom() + 6 + metrics.ascent()
        for index, rect in enumerate(self.bar_rects()):
            centre = plot.left() + slot * (index + 0.5)
            painter.setPen(INK)
            if rect is not None:
                painter.fillRect(rect, BAR)
                if show_values:
                    advance = metrics.horizontalAdvance(values[index])
                    painter.drawText(QPointF(centre - advance / 2, rect.top() - 6), values[index])
            painter.setFont(name_font)
            advance = name_metrics.horizontalAdvance(names[index])
            painter.drawText(QPointF(centre - advance / 2, label_y), names[index])
            painter.setFont(small)
        self._paint_years(painter, plot, slot, metrics, label_y + metrics.height())
        painter.end()


@dataclass(frozen=True)
class TierMark:
    name: str  # "第一档" / "Tier 1"
    up_to_kwh: int | None


class TierBar(QWidget):
    """The year's kWh as a dark bar over the tiers' coloured bands, bounds labelled below."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.tiers: tuple[TierMark, ...] = ()
        self.year_kwh = 0
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_tiers(self, tiers: Sequence[TierMark], year_kwh: int) -> None:
        self.tiers = tuple(tiers)
        self.year_kwh = year_kwh
        self.updateGeometry()
        self.update()

    def _text_px(self) -> int:
        return min(_text_cap(self), max(MIN_TEXT_PX, int(self.font().pixelSize() * 0.75)))

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        # the text size follows the width; ask for the room of the largest it can be
        largest = min(WIDE_CHART_TEXT_PX, max(MIN_TEXT_PX, int(self.font().pixelSize() * 0.75)))
        line = QFontMetrics(_font(self.font(), largest)).height()
        return QSize(600, line * 2 + 70)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(240, self.sizeHint().height())

    def scale_kwh(self) -> int:
        """The kWh at the right end: room past the last bound, and past this year's kWh."""
        bounds = [t.up_to_kwh for t in self.tiers if t.up_to_kwh is not None]
        last = max(bounds, default=1000)
        return max(last * 5 // 4, self.year_kwh * 11 // 10, 1)

    def _track(self) -> QRectF:
        line = QFontMetrics(_font(self.font(), self._text_px())).height()
        return QRectF(8, line + 6, max(1, self.width() - 16), 44)

    def x_of(self, kwh: int) -> float:
        track = self._track()
        return track.left() + track.width() * min(kwh, self.scale_kwh()) / self.scale_kwh()

    def boundary_xs(self) -> list[float]:
        return [self.x_of(t.up_to_kwh) for t in self.tiers if t.up_to_kwh is not None]

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802, ARG002 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        track = self._track()
        font = _font(self.font(), self._text_px())
        painter.setFont(font)
        metrics = QFontMetrics(font)
        start = 0
        for index, tier in enumerate(self.tiers):
            end = self.scale_kwh() if tier.up_to_kwh is None else tier.up_to_kwh
            left, right = self.x_of(start), self.x_of(end)
            band = QRectF(left, track.top(), right - left, track.height())
            painter.fillRect(band, TIER_FILLS[index % len(TIER_FILLS)])
            painter.setPen(INK)
            advance = metrics.horizontalAdvance(tier.name)
            if advance <= band.width() - 4:  # the tier's name above its band
                painter.drawText(
                    QPointF(band.center().x() - advance / 2, track.top() - 6 - metrics.descent()),
                    tier.name,
                )
            start = end
        # this year's kWh: a dark bar through the middle of the bands, a pointer at its end
        used = QRectF(track.left(), track.top() + 12, self.x_of(self.year_kwh) - track.left(), 20)
        painter.fillRect(used, USED)
        end_x = used.right()
        painter.setBrush(USED)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawPolygon(
            QPolygonF(
                [
                    QPointF(end_x, track.bottom() + 2),
                    QPointF(end_x - 9, track.bottom() + 14),
                    QPointF(end_x + 9, track.bottom() + 14),
                ]
            )
        )
        painter.setPen(QPen(INK, 3))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(track)
        # bounds: a line through the track and the kWh under it
        labels_y = track.bottom() + 16 + metrics.ascent()
        for bound, x in zip(
            [t.up_to_kwh for t in self.tiers if t.up_to_kwh is not None],
            self.boundary_xs(),
            strict=True,
        ):
            painter.setPen(QPen(INK, 3))
            painter.drawLine(QPointF(x, track.top()), QPointF(x, track.bottom()))
            label = f"{bound:,}"
            advance = metrics.horizontalAdvance(label)
            painter.setPen(INK)
            painter.drawText(QPointF(min(x - advance / 2, self.width() - advance), labels_y), label)
        painter.setPen(INK)
        painter.drawText(QPointF(track.left(), labels_y), "0")
        painter.end()
