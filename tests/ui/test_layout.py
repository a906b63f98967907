"""The layout check: every screen state, in zh and en, normal and large text, at 1024x768
landscape and 1080x1920 portrait, rendered offscreen, with

- no two interactive widgets overlapping (a question laid over a screen covers, and only
  what it covers is set aside),
- no label, button or field whose text needs more room than it has,
- every touch target at least 60x60 px,
- text contrast at least 4.5:1 against the background it is drawn on (WCAG 1.4.3; disabled
  controls are exempt, as WCAG says).

Each frame is rendered once (module fixture); each check is its own test per combination.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QEvent, QPoint, QRect
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QLabel,
    QLineEdit,
    QWidget,
)

from kiosk_demo.fake_source import FakeSource
from kiosk_demo.screenshots import scenes, show_scene
from ui.app import build_window

SIZES = {"1024x768": (1024, 768), "1080x1920": (1080, 1920)}
MIN_TARGET_PX = 60
MIN_CONTRAST = 4.5
CHECKS = ("overlap", "text", "targets", "contrast")
COMBOS = [
    (size, language, text)
    for size in SIZES
    for language in ("zh", "en")
    for text in ("normal", "large")
]


def _visible(widget: QWidget) -> bool:
    return widget.isVisible() and widget.width() > 0 and widget.height() > 0


def _rect(widget: QWidget, window: QWidget) -> QRect:
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def _interactive(window: QWidget) -> list[QWidget]:
    found = window.findChildren(QAbstractButton) + window.findChildren(QLineEdit)
    return [w for w in found if _visible(w)]


def _covers(window: Any) -> list[QWidget]:
    """Visible overlays (a question over a screen, the idle prompt)."""
    overlays = [
        w for w in window.findChildren(QWidget) if w.property("role") == "overlay" and _visible(w)
    ]
    if window.idle.isVisible():
        overlays.append(window.idle)
    return overlays


def _reachable(window: Any) -> list[QWidget]:
    """Interactive widgets a finger can reach: under an overlay only the overlay's own."""
    overlays = _covers(window)
    reachable = []
    for widget in _interactive(window):
        covered = False
        for overlay in overlays:
            inside = overlay.isAncestorOf(widget)
            if not inside and _rect(widget, window).intersects(_rect(overlay, window)):
                covered = True
        if not covered:
            reachable.append(widget)
    return reachable


def _in_scroll_area(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def check_overlap(window: Any) -> list[str]:
    problems = []
    widgets = _reachable(window)
    for index, one in enumerate(widgets):
        for other in widgets[index + 1 :]:
            if one.isAncestorOf(other) or other.isAncestorOf(one):
                continue
            if _rect(one, window).intersects(_rect(other, window)):
                problems.append(f"{one.objectName()} overlaps {other.objectName()}")
        if not _in_scroll_area(one) and not window.rect().contains(_rect(one, window)):
            problems.append(f"{one.objectName()} reaches outside the window")
    return problems


def _label_fits(label: QLabel) -> bool:
    if not label.text() or (label.pixmap() is not None and not label.pixmap().isNull()):
        return True
    if label.wordWrap():
        need = label.heightForWidth(label.width())
        if need > label.height() + 1:
            return False
        # a single word (or CJK run) wider than the label would be cut, not wrapped
        longest = max(
            (label.fontMetrics().horizontalAdvance(w) for w in label.text().split()), default=0
        )
        return longest <= label.contentsRect().width() + 1 or _cjk(label.text())
    hint = label.sizeHint()
    return hint.width() <= label.width() + 1 and hint.height() <= label.height() + 1


def _cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def check_text(window: Any) -> list[str]:
    problems = []
    for widget in window.findChildren(QWidget):
        if not _visible(widget) or _in_scroll_area(widget):
            continue
        if isinstance(widget, QLabel) and not _label_fits(widget):
            problems.append(f"{widget.objectName() or widget.text()!r}: text needs more room")
        elif isinstance(widget, QAbstractButton) and widget.text():
            hint = widget.sizeHint()
            if hint.width() > widget.width() + 1 or hint.height() > widget.height() + 1:
                problems.append(
                    f"{widget.objectName()}: {widget.text()!r} needs {hint.width()}x"
                    f"{hint.height()}, has {widget.width()}x{widget.height()}"
                )
        elif isinstance(widget, QLineEdit) and widget.text():
            shown = widget.text() if widget.echoMode() == QLineEdit.EchoMode.Normal else ""
            need = widget.fontMetrics().horizontalAdvance(shown) + 30
            if need > widget.width():
                problems.append(f"{widget.objectName()}: its text scrolls out of sight")
    return problems


def check_targets(window: Any) -> list[str]:
    return [
        f"{w.objectName()} is {w.width()}x{w.height()}"
        for w in _reachable(window)
        if w.width() < MIN_TARGET_PX or w.height() < MIN_TARGET_PX
    ]


def _luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.redF())
        + 0.7152 * channel(colour.greenF())
        + 0.0722 * channel(colour.blueF())
    )


def contrast(one: QColor, other: QColor) -> float:
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _background(image: QImage, rect: QRect) -> QColor:
    """The colour most of the widget's area is painted in: what its text sits on."""
    counts: Counter[int] = Counter()
    area = rect.intersected(image.rect())
    step = max(2, min(area.width(), area.height()) // 12)
    for x in range(area.left() + 2, area.right() - 1, step):
        for y in range(area.top() + 2, area.bottom() - 1, step):
            counts[image.pixel(x, y)] += 1
    if not counts:
        return QColor("white")
    return QColor.fromRgb(counts.most_common(1)[0][0])


def check_contrast(window: Any, image: QImage) -> list[str]:
    problems = []
    for widget in window.findChildren(QWidget):
        if not isinstance(widget, QLabel | QAbstractButton | QLineEdit):
            continue
        if not _visible(widget) or not widget.text() or not widget.isEnabled():
            continue
        if _in_scroll_area(widget) or any(
            overlay is not widget
            and not overlay.isAncestorOf(widget)
            and _rect(overlay, window).intersects(_rect(widget, window))
            for overlay in _covers(window)
        ):
            continue  # scrolled, or under a question: not what the customer reads now
        text = widget.palette().color(QPalette.ColorGroup.Active, widget.foregroundRole())
        ground = _background(image, _rect(widget, window))
        ratio = contrast(text, ground)
        if ratio < MIN_CONTRAST:
            problems.append(
                f"{widget.objectName()}: {text.name()} on {ground.name()} is {ratio:.2f}:1"
            )
    return problems


def _frames(language: str, large: bool) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, snap in scenes().items():
        if large and snap["state"] == "maintenance":
            continue  # technicians' pages have one text size
        snap["language"] = language
        snap["large_text"] = large
        yield name, snap


@pytest.fixture(scope="module")
def layout_report(qapp: QApplication) -> dict[tuple[str, str, str], dict[str, list[str]]]:
    """Every frame of every combination rendered once: problems by combination and check."""
    window = build_window(FakeSource(), "示范供电公司 Demo Power Supply Co.", fullscreen=False)
    report: dict[tuple[str, str, str], dict[str, list[str]]] = {}
    try:
        for size, language, text in COMBOS:
            window.resize(*SIZES[size])
            window.show()
            found: dict[str, list[str]] = {check: [] for check in CHECKS}
            for name, snap in _frames(language, text == "large"):
                show_scene(window, snap)
                qapp.sendPostedEvents(None, QEvent.Type.DeferredDelete)
                for _ in range(3):  # scroll areas lay their content out a turn or two later
                    qapp.processEvents()
                image = window.grab().toImage()
                for check, problems in (
                    ("overlap", check_overlap(window)),
                    ("text", check_text(window)),
                    ("targets", check_targets(window)),
                    ("contrast", check_contrast(window, image)),
                ):
                    found[check] += [f"{name}: {problem}" for problem in problems]
            report[(size, language, text)] = found
    finally:
        window.allow_close = True
        window.close()
        window.deleteLater()
        qapp.processEvents()
    return report


def _assert_clean(report: Any, combo: tuple[str, str, str], check: str) -> None:
    problems = report[combo][check]
    assert not problems, f"{len(problems)} {check} problems at {combo}:\n" + "\n".join(problems)


@pytest.mark.parametrize("combo", COMBOS, ids=["-".join(c) for c in COMBOS])
def test_layout_no_interactive_widgets_overlap(layout_report, combo):
    _assert_clean(layout_report, combo, "overlap")


@pytest.mark.parametrize("combo", COMBOS, ids=["-".join(c) for c in COMBOS])
def test_layout_every_text_has_the_room_it_needs(layout_report, combo):
    _assert_clean(layout_report, combo, "text")


@pytest.mark.parametrize("combo", COMBOS, ids=["-".join(c) for c in COMBOS])
def test_layout_touch_targets_are_at_least_60_px(layout_report, combo):
    _assert_clean(layout_report, combo, "targets")


@pytest.mark.parametrize("combo", COMBOS, ids=["-".join(c) for c in COMBOS])
def test_layout_text_contrast_is_at_least_4_5(layout_report, combo):
    _assert_clean(layout_report, combo, "contrast")


def test_layout_contrast_formula_matches_wcag():
    assert contrast(QColor("black"), QColor("white")) == pytest.approx(21.0)
    assert contrast(QColor("#767676"), QColor("white")) == pytest.approx(4.54, abs=0.01)


def test_layout_check_finds_overlap_and_small_targets(qtbot):
    from PySide6.QtWidgets import QPushButton

    host = QWidget()
    host.resize(400, 300)
    host.idle = QWidget(host)  # type: ignore[attr-defined] - what _covers reads
    host.idle.hide()  # type: ignore[attr-defined]
    one, other = QPushButton("A", host), QPushButton("B", host)
    one.setObjectName("one")
    other.setObjectName("other")
    one.setGeometry(0, 0, 100, 100)
    other.setGeometry(50, 50, 40, 40)
    qtbot.addWidget(host)
    host.show()
    assert check_overlap(host) == ["one overlaps other"]
    assert check_targets(host) == ["other is 40x40"]


def test_layout_check_finds_low_contrast_and_cut_text(qtbot):
    host = QWidget()
    host.resize(400, 300)
    host.idle = QWidget(host)  # type: ignore[attr-defined] - what _covers reads
    host.idle.hide()  # type: ignore[attr-defined]
    host.setStyleSheet("QWidget { background: #ffffff; } QLabel#pale { color: #aaaaaa; }")
    pale = QLabel("淡灰色的字", host)
    pale.setObjectName("pale")
    pale.setGeometry(0, 0, 200, 40)
    cut = QLabel("a label far too long for its tiny box", host)
    cut.setObjectName("cut")
    cut.setGeometry(0, 100, 60, 30)
    qtbot.addWidget(host)
    host.show()
    qtbot.waitExposed(host)
    problems = check_contrast(host, host.grab().toImage())
    assert [p.split(":")[0] for p in problems] == ["pale"]
    assert any(p.startswith("'cut'") for p in check_text(host))
