"""The demo control window against the real demo: server subprocess, emulators, engine.

One demo (server and emulators) serves the module; each test gets a fresh kiosk runtime and
puts the devices back as it found them.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from kiosk import config
from kiosk.runtime import Runtime
from kiosk_demo.rig import Demo, DeviceAction
from tests.support.kiosk_stack import Snapshots

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QPushButton

from kiosk_demo.panel import DemoPanel

WAIT_MS = 20_000


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    base = config.load(config.DEFAULT_CONFIG, env={})
    started = Demo(base, tmp_path_factory.mktemp("demo")).start()
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture
def kiosk(demo: Demo) -> Iterator[tuple[Runtime, Snapshots]]:
    assert demo.cash is not None and demo.printer is not None
    demo.printer.ready()
    if "jam" in demo.cash.status()["state"]:
        demo.cash.clear_jam()
    runtime = Runtime(demo.config)
    snapshots = Snapshots()
    runtime.engine.subscribe(snapshots)
    runtime.start()
    try:
        snapshots.wait_for("methods.cash.ok", True)
        yield runtime, snapshots
    finally:
        runtime.stop()


@pytest.fixture
def panel(qtbot: Any, demo: Demo, kiosk: tuple[Runtime, Snapshots]) -> Iterator[DemoPanel]:
    widget = DemoPanel(demo, kiosk[0].engine)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.close()


def click(qtbot: Any, panel: DemoPanel, name: str) -> tuple[str, str]:
    """Press a device button; the (message, error) its call answered."""
    button = panel.findChild(QPushButton, name)
    assert button is not None, f"no button {name}"
    assert button.isEnabled(), f"{name} is disabled"
    with qtbot.waitSignal(panel.acted, timeout=WAIT_MS) as answered:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    message, error = answered.args
    return str(message), str(error)


def press(qtbot: Any, panel: DemoPanel, name: str) -> None:
    button = panel.findChild(QPushButton, name)
    assert button is not None and button.isEnabled(), name
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def to_method(runtime: Runtime, snapshots: Snapshots, account_no: str, amount_fen: int) -> None:
    engine = runtime.engine
    engine.intent("start")
    snapshots.wait_for("state", "account_entry")
    engine.intent("enter_account", account_no=account_no)
    snapshots.wait_for("state", "account_shown")
    engine.intent("choose_amount", amount_fen=amount_fen)
    snapshots.wait_for("state", "amount_chosen")


def insert(qtbot: Any, panel: DemoPanel, fen: int) -> None:
    """Press the note's button once the acceptor draws a note in (the last may still move)."""
    answers: list[str] = []

    def taken() -> bool:
        _message, error = click(qtbot, panel, f"demo_insert_{fen}")
        answers.append(error)
        return not error

    try:
        qtbot.waitUntil(taken, timeout=WAIT_MS)
    except Exception:
        raise AssertionError(answers[-3:]) from None
    assert all("disabled" not in a for a in answers), answers


def test_notes_from_the_panel_pay_and_the_receipt_is_shown_as_a_picture(
    qtbot: Any, demo: Demo, kiosk: tuple[Runtime, Snapshots], panel: DemoPanel
) -> None:
    runtime, snapshots = kiosk
    receipts_before = panel.receipt_list.count()
    to_method(runtime, snapshots, demo.seeded.account("residential_small"), 6000)
    runtime.engine.intent("choose_method", method="cash")
    snapshots.wait_for("state", "cash_insert")
    qtbot.waitUntil(lambda: bool(demo.device_status()["enabled_fen"]), timeout=WAIT_MS)
    insert(qtbot, panel, 5000)
    snapshots.wait_for("cash.inserted_fen", 5000)
    insert(qtbot, panel, 1000)
    snapshots.wait_for("cash.inserted_fen", 6000)
    assert panel.message.text() == "¥10.00 inserted"
    runtime.engine.intent("finish")
    done = snapshots.wait_for("state", "done")
    assert done["result"]["status"] == "posted"
    snapshots.wait_for("result.printing", "printed")
    qtbot.waitUntil(lambda: panel.receipt_list.count() == receipts_before + 1, timeout=WAIT_MS)
    newest = panel.receipt_list.currentItem()
    png = Path(newest.data(Qt.ItemDataRole.UserRole))
    assert png.parent == demo.receipts_dir and png.suffix == ".png"
    assert done["result"]["txn_id"] in png.with_suffix(".txt").read_text(encoding="utf-8")
    assert not panel.receipt_view.pixmap().isNull()
    assert panel.receipt_view.pixmap().width() <= panel.receipt_scroll.viewport().width()
    qtbot.waitUntil(lambda: "¥60.00" in panel.devices.text(), timeout=WAIT_MS)


def test_a_note_before_cash_is_chosen_is_refused_in_plain_words(
    qtbot: Any, panel: DemoPanel
) -> None:
    message, error = click(qtbot, panel, "demo_insert_10000")
    assert message == ""
    assert "disabled" in error and "choose cash on the kiosk first" in error
    assert panel.message.text().startswith("不行 Refused:")


def test_jam_and_cassette_full_take_cash_away_and_clearing_gives_it_back(
    qtbot: Any, demo: Demo, kiosk: tuple[Runtime, Snapshots], panel: DemoPanel
) -> None:
    _, snapshots = kiosk
    assert click(qtbot, panel, "demo_jam")[1] == ""
    snapshots.wait_for("methods.cash.ok", False)
    qtbot.waitUntil(lambda: "jam" in panel.devices.text(), timeout=WAIT_MS)
    assert click(qtbot, panel, "demo_clear_jam")[1] == ""
    snapshots.wait_for("methods.cash.ok", True)
    assert click(qtbot, panel, "demo_cassette_full")[1] == ""
    snapshots.wait_for("methods.cash.ok", False)
    message, error = click(qtbot, panel, "demo_empty_cassette")
    assert error == "" and message.startswith("cassette emptied")
    snapshots.wait_for("methods.cash.ok", True)
    qtbot.waitUntil(lambda: "Cassette: 0 notes" in panel.devices.text(), timeout=WAIT_MS)
    assert demo.device_status()["cassette_notes"] == 0


@pytest.mark.parametrize(
    ("button", "state", "shown"),
    [
        ("demo_paper_out", "paper_out", "paper out"),
        ("demo_paper_near_end", "paper_near_end", "paper near end"),
        ("demo_cover_open", "cover_open", "cover open"),
    ],
)
def test_printer_buttons_set_the_printer_and_ready_restores_it(
    qtbot: Any, demo: Demo, panel: DemoPanel, button: str, state: str, shown: str
) -> None:
    assert click(qtbot, panel, button) == (f"printer: {shown}", "")
    assert demo.device_status()["printer"] == state
    qtbot.waitUntil(lambda: f"Printer: {shown}" in panel.devices.text(), timeout=WAIT_MS)
    assert click(qtbot, panel, "demo_paper_ready") == ("printer: ready", "")
    assert demo.device_status()["printer"] == "ready"


def test_qr_order_links_the_demo_wallet_and_paying_there_completes_the_payment(
    qtbot: Any, demo: Demo, kiosk: tuple[Runtime, Snapshots], panel: DemoPanel
) -> None:
    runtime, snapshots = kiosk
    assert not panel.wallet_open.isEnabled()
    to_method(runtime, snapshots, demo.seeded.account("residential_paid_up"), 2000)
    runtime.engine.intent("choose_method", method="qr")
    waiting = snapshots.wait_for("state", "qr_wait")
    qtbot.waitUntil(lambda: panel.order_id is not None, timeout=WAIT_MS)
    url = demo.wallet_url(waiting["qr"]["order_id"])
    assert url in panel.wallet_link.text()
    press(qtbot, panel, "demo_wallet_copy")
    assert QApplication.clipboard().text() == url
    page = requests.get(url, timeout=10)
    assert page.status_code == 200 and "¥20.00" in page.text
    paid = requests.post(url, timeout=10, allow_redirects=False)  # the wallet page's button
    assert paid.status_code == 303
    done = snapshots.wait_for("state", "done")
    assert done["result"]["status"] == "posted"
    qtbot.waitUntil(lambda: panel.order_id is None, timeout=WAIT_MS)
    assert not panel.wallet_open.isEnabled()


def test_a_payment_code_shown_from_the_panel_pays_through_the_sandbox(
    qtbot: Any, demo: Demo, kiosk: tuple[Runtime, Snapshots], panel: DemoPanel
) -> None:
    runtime, snapshots = kiosk
    snapshots.wait_for("methods.paycode.ok", True)
    to_method(runtime, snapshots, demo.seeded.account("residential_paid_up"), 3000)
    runtime.engine.intent("choose_method", method="paycode")
    snapshots.wait_for("state", "paycode_scan")
    message, error = click(qtbot, panel, "demo_scan_0000")
    assert not error and message.endswith("…0000")
    done = snapshots.wait_for("state", "done")
    assert done["result"]["status"] == "posted"
    assert "13************0000" in done["result"]["receipt_text"]


def test_copy_buttons_put_account_card_and_pin_on_the_clipboard(
    qtbot: Any, demo: Demo, panel: DemoPanel
) -> None:
    account = demo.seeded.account("residential_arrears")
    press(qtbot, panel, f"demo_copy_account_{account}")
    assert QApplication.clipboard().text() == account
    card = demo.seeded.cards[0]
    press(qtbot, panel, f"demo_copy_card_{card.card_no}")
    assert QApplication.clipboard().text() == card.card_no
    press(qtbot, panel, f"demo_copy_pin_{card.card_no}")
    assert QApplication.clipboard().text() == card.pin


def test_every_device_action_has_a_button(qtbot: Any, panel: DemoPanel) -> None:
    for action in DeviceAction:
        assert panel.findChild(QPushButton, f"demo_{action.value}") is not None, action


def test_run_frontend_shows_thepanel_beside_the_kiosk_and_closing_it_quits(
    qtbot: Any, demo: Demo
) -> None:
    from kiosk_demo.cli import panel_beside
    from ui.app import run_frontend

    seen: dict[str, Any] = {}

    def look_and_close() -> None:
        windows = {w.objectName(): w for w in QApplication.topLevelWidgets() if w.isVisible()}
        if "demo_panel" not in windows or "kiosk_window" not in windows:
            QTimer.singleShot(100, look_and_close)
            return
        kiosk_window, panel = windows["kiosk_window"], windows["demo_panel"]
        seen["panel_left"] = panel.frameGeometry().left()
        seen["kiosk_right"] = kiosk_window.frameGeometry().right()
        panel.close()

    app = QApplication.instance()
    handlers = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    # Closing the last window on the way out would post a Quit event that stops the next
    # test's event loop at once; the demo quits through its own connections anyway.
    app.setQuitOnLastWindowClosed(False)
    QTimer.singleShot(100, look_and_close)
    try:
        code = run_frontend(demo.config, windowed=True, beside=panel_beside(demo))
    finally:
        signal.signal(signal.SIGINT, handlers[0])
        signal.signal(signal.SIGTERM, handlers[1])
        app.setQuitOnLastWindowClosed(True)
    assert code == 0
    assert seen["panel_left"] > seen["kiosk_right"]
    assert not [w for w in QApplication.topLevelWidgets() if w.isVisible()]
