"""Charts drawn on the server as inline SVG: a kiosk's heartbeat timeline and bar charts.

Colours carry meaning the same way everywhere: green fine, amber warning, red fault, grey no
data. Every chart has a <title> per shape, so hovering shows what a bar or segment is.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

GREEN, AMBER, RED, GREY, BLUE = "#34a853", "#f9ab00", "#d93025", "#dadce0", "#1a73e8"


def _e(value: object) -> str:
    return html.escape(str(value))


@dataclass(frozen=True)
class Lane:
    label: str
    colour_of: Callable[[Any], str]  # a heartbeat row -> colour
    describe: Callable[[Any], str]  # a heartbeat row -> hover text


def timeline(
    beats: Sequence[Any],
    *,
    start: datetime,
    end: datetime,
    gap_s: int,
    lanes: Sequence[Lane],
    zone: tzinfo,
    pending_label: str,
    width: int = 1100,
) -> str:
    """Lanes of coloured segments (one per run of equal colour) and the outbox as a line."""
    left, lane_h, top = 110, 22, 8
    span = (end - start).total_seconds() or 1.0
    plot_w = width - left - 10

    def x(at: datetime) -> float:
        return left + max(0.0, min(1.0, (at - start).total_seconds() / span)) * plot_w

    parts: list[str] = []
    gap = timedelta(seconds=gap_s)
    for index, lane in enumerate(lanes):
        y = top + index * (lane_h + 6)
        parts.append(
            f'<text x="{left - 8}" y="{y + 15}" text-anchor="end" font-size="12">'
            f"{_e(lane.label)}</text>"
            f'<rect x="{left}" y="{y}" width="{plot_w}" height="{lane_h}" fill="{GREY}"/>'
        )
        run_start: datetime | None = None
        run_colour = ""
        run_text = ""
        previous: datetime | None = None
        segments: list[tuple[datetime, datetime, str, str]] = []
        for beat in beats:
            at = beat.received_at
            colour = lane.colour_of(beat)
            broken = previous is not None and at - previous > gap
            if run_start is None or broken or colour != run_colour:
                if run_start is not None and previous is not None:
                    stop = at if not broken else previous + gap
                    segments.append((run_start, stop, run_colour, run_text))
                run_start, run_colour, run_text = at, colour, lane.describe(beat)
            previous = at
        if run_start is not None and previous is not None:
            segments.append((run_start, min(end, previous + gap), run_colour, run_text))
        for begin, stop, colour, text in segments:
            x0, x1 = x(begin), x(stop)
            when = f"{begin.astimezone(zone):%m-%d %H:%M}–{stop.astimezone(zone):%H:%M}"
            parts.append(
                f'<rect x="{x0:.1f}" y="{y}" width="{max(1.0, x1 - x0):.1f}" height="{lane_h}" '
                f'fill="{colour}"><title>{_e(when)} {_e(text)}</title></rect>'
            )
    # outbox pending as a line under the lanes
    chart_top = top + len(lanes) * (lane_h + 6) + 6
    chart_h = 60
    peak = max([b.outbox_pending for b in beats] + [1])
    parts.append(
        f'<text x="{left - 8}" y="{chart_top + 14}" text-anchor="end" font-size="12">'
        f"{_e(pending_label)}</text>"
        f'<text x="{left - 8}" y="{chart_top + chart_h}" text-anchor="end" font-size="10" '
        f'fill="#6b7780">max {peak}</text>'
        f'<line x1="{left}" y1="{chart_top + chart_h}" x2="{left + plot_w}" '
        f'y2="{chart_top + chart_h}" stroke="#b8c2cb"/>'
    )
    runs: list[list[str]] = []  # one line per run of heartbeats: none across a gap
    last_at: datetime | None = None
    for b in beats:
        if last_at is None or b.received_at - last_at > gap:
            runs.append([])
        last_at = b.received_at
        y = chart_top + chart_h - b.outbox_pending / peak * chart_h
        runs[-1].append(f"{x(b.received_at):.1f},{y:.1f}")
    for run in runs:
        parts.append(
            f'<polyline points="{" ".join(run)}" fill="none" stroke="{BLUE}" stroke-width="1.5"/>'
        )
    # time axis: six ticks
    axis_y = chart_top + chart_h + 16
    for i in range(7):
        at = start + (end - start) * i / 6
        anchor = "start" if i == 0 else "end" if i == 6 else "middle"
        parts.append(
            f'<text x="{x(at):.1f}" y="{axis_y}" text-anchor="{anchor}" font-size="11" '
            f'fill="#3c4a56">{at.astimezone(zone):%m-%d %H:%M}</text>'
        )
    height = axis_y + 6
    return (
        f'<svg id="timeline" xmlns="http://www.w3.org/2000/svg" width="100%" '
        f'viewBox="0 0 {width} {height}" role="img">{"".join(parts)}</svg>'
    )


def bars(
    items: Sequence[tuple[str, int, int]],
    *,
    legend: tuple[str, str],
    money: Callable[[int], str],
    width: int = 640,
    chart_id: str = "",
) -> str:
    """Pairs of horizontal bars per item (label, first, second): e.g. billed and collected."""
    left, bar_h, row_h = 150, 11, 34
    peak = max([max(a, b) for _, a, b in items] + [1])
    plot_w = width - left - 130
    parts = [
        f'<rect x="{left}" y="4" width="12" height="10" fill="{GREY}"/>'
        f'<text x="{left + 16}" y="13" font-size="11">{_e(legend[0])}</text>'
        f'<rect x="{left + 120}" y="4" width="12" height="10" fill="{BLUE}"/>'
        f'<text x="{left + 136}" y="13" font-size="11">{_e(legend[1])}</text>'
    ]
    for i, (label, first, second) in enumerate(items):
        y = 24 + i * row_h
        w1, w2 = first / peak * plot_w, second / peak * plot_w
        parts.append(
            f'<text x="{left - 8}" y="{y + 16}" text-anchor="end" font-size="12">'
            f"{_e(label)}</text>"
            f'<rect x="{left}" y="{y}" width="{w1:.1f}" height="{bar_h}" fill="{GREY}">'
            f"<title>{_e(label)} {_e(legend[0])} {_e(money(first))}</title></rect>"
            f'<rect x="{left}" y="{y + bar_h + 2}" width="{w2:.1f}" height="{bar_h}" '
            f'fill="{BLUE}"><title>{_e(label)} {_e(legend[1])} {_e(money(second))}</title></rect>'
            f'<text x="{left + max(w1, w2) + 6:.1f}" y="{y + 16}" font-size="11" fill="#3c4a56">'
            f"{_e(money(second))} / {_e(money(first))}</text>"
        )
    height = 24 + len(items) * row_h + 4
    ident = f' id="{chart_id}"' if chart_id else ""
    return (
        f'<svg{ident} xmlns="http://www.w3.org/2000/svg" width="100%" style="max-width:{width}px" '
        f'viewBox="0 0 {width} {height}" role="img">{"".join(parts)}</svg>'
    )


def stacked_columns(
    columns: Sequence[tuple[str, Sequence[int]]],
    *,
    series: Sequence[tuple[str, str]],
    money: Callable[[int], str],
    width: int = 640,
    chart_id: str = "",
) -> str:
    """Columns (label, values per series) stacked; ``series`` is (name, colour)."""
    bottom, top, left = 200, 44, 60
    peak = max([sum(v) for _, v in columns] + [1])
    col_w = min(140.0, (width - left - 20) / max(1, len(columns)))
    parts = []
    for i, (name, colour) in enumerate(series):
        parts.append(
            f'<rect x="{left + i * 130}" y="6" width="12" height="10" fill="{colour}"/>'
            f'<text x="{left + i * 130 + 16}" y="15" font-size="11">{_e(name)}</text>'
        )
    for i, (label, values) in enumerate(columns):
        x = left + i * col_w + col_w * 0.2
        y = float(bottom)
        for (name, colour), value in zip(series, values, strict=True):
            h = value / peak * (bottom - top)
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{col_w * 0.6:.1f}" height="{h:.1f}" '
                f'fill="{colour}"><title>{_e(label)} {_e(name)} {_e(money(value))}</title></rect>'
            )
        parts.append(
            f'<text x="{x + col_w * 0.3:.1f}" y="{bottom + 16}" text-anchor="middle" '
            f'font-size="12">{_e(label)}</text>'
            f'<text x="{x + col_w * 0.3:.1f}" y="{y - 4:.1f}" text-anchor="middle" '
            f'font-size="11" fill="#3c4a56">{_e(money(sum(values)))}</text>'
        )
    parts.append(
        f'<line x1="{left}" y1="{bottom}" x2="{width - 10}" y2="{bottom}" stroke="#b8c2cb"/>'
    )
    ident = f' id="{chart_id}"' if chart_id else ""
    return (
        f'<svg{ident} xmlns="http://www.w3.org/2000/svg" width="100%" style="max-width:{width}px" '
        f'viewBox="0 0 {width} {bottom + 24}" role="img">{"".join(parts)}</svg>'
    )
