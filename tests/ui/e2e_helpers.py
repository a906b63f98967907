"""A customer at the real kiosk: the window over the real engine, driven only through widgets.

    customer = Customer.open(qtbot, stack)
    customer.click("home_pay")
    customer.keypad("account_keypad", "3100000002", ok=True)
    customer.wait_screen("screen_account_shown")

Waits are on what the screen shows (the visible page, label texts), with a generous
deadline: the suite runs on a loaded two-core machine.
"""

from __future__ import annotations

import contextlib
import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QWidget
from sqlalchemy import create_engine, update

from central.schema import qr_orders
from tests.support.central_server import CentralServer
from tests.support.kiosk_stack import KioskStack, stack_fixture
from ui.app import build_window

WAIT_MS = 20_000
UTILITY = "示范供电公司 Demo Power Supply Co."
WINDOW_SIZE = (1080, 1920)


@dataclass
class Customer:
    qtbot: Any
    window: Any
    stack: KioskStack

    @classmethod
    def open(cls, qtbot: Any, stack: KioskStack) -> Customer:
        """The kiosk window over the stack's engine, shown as `kiosk run --windowed` does."""
        window = build_window(stack.engine, UTILITY, fullscreen=False)
        window.resize(*WINDOW_SIZE)
        window.show()
        qtbot.waitExposed(window)
        window.show_snapshot(stack.engine.snapshot())  # as run_frontend does after start
        customer = cls(qtbot, window, stack)
        customer.wait_screen("screen_home")
        return customer

    def close(self) -> None:
        self.window.allow_close = True
        self.window.close()
        self.window.deleteLater()

    # ------------------------------------------------------------------ finding
    def find(self, name: str, kind: type[QWidget] = QWidget) -> Any:
        widget = self.window.findChild(kind, name)
        assert widget is not None, f"no {kind.__name__} named {name!r} in the window"
        return widget

    def label(self, name: str) -> str:
        return str(self.find(name, QLabel).text())

    def visible_screen(self) -> str:
        return str(self.window.stack.currentWidget().objectName())

    # ------------------------------------------------------------------ touching
    def click(self, name: str) -> None:
        """Touch a button as a customer: it must be on screen and enabled."""

        # Screens are built when first shown: wait for the button to exist, too.
        def ready() -> bool:
            widget = self.window.findChild(QPushButton, name)
            return widget is not None and widget.isVisible() and widget.isEnabled()

        self.wait_until(ready, f"button {name} visible and enabled")
        self.qtbot.mouseClick(self.find(name, QPushButton), Qt.MouseButton.LeftButton)

    def tap(self, name: str) -> None:
        """Touch any widget on screen, e.g. a text field to move the keypad to it."""
        self.wait_until(
            lambda: (
                (found := self.window.findChild(QWidget, name)) is not None and found.isVisible()
            ),
            f"{name} visible",
        )
        widget = self.find(name)
        self.qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)

    def keypad(self, pad: str, keys: str, *, ok: bool = False) -> None:
        """Type on an on-screen keypad: digits and '.', then OK if asked."""
        for key in keys:
            self.click(f"{pad}_key_{'dot' if key == '.' else key}")
        if ok:
            self.click(f"{pad}_key_ok")

    def scan(self, digits: str) -> None:
        """The barcode scanner is a keyboard: digits then Enter, typed at the window."""
        self.qtbot.keyClicks(self.window, digits)
        self.qtbot.keyClick(self.window, Qt.Key.Key_Return)

    # ------------------------------------------------------------------ waiting
    def wait_until(
        self, condition: Callable[[], bool], what: str, timeout_ms: int = WAIT_MS
    ) -> None:
        def check() -> None:
            assert condition(), (
                f"never: {what}; the screen shows {self.visible_screen()} "
                f"(rendered state {self.window.state}, banner {self.banner()!r}; engine "
                f"state {self.stack.snapshots.latest.get('state')}, refused "
                f"{self.stack.engine.refused[-3:]})"
            )

        self.qtbot.waitUntil(check, timeout=timeout_ms)

    def wait_screen(self, name: str, timeout_ms: int = WAIT_MS) -> None:
        self.wait_until(
            lambda: self.visible_screen() == name and self.find(name).isVisible(),
            f"screen {name} shown",
            timeout_ms,
        )

    def wait_text(self, name: str, expected: str, timeout_ms: int = WAIT_MS) -> str:
        """Wait until the label ``name`` is visible and contains ``expected``; return its text."""

        # Screens are built when first shown: the label may not exist yet.
        def shown() -> bool:
            widget = self.window.findChild(QLabel, name)
            return widget is not None and widget.isVisible() and expected in widget.text()

        self.wait_until(shown, f"{name} shows {expected!r}", timeout_ms)
        return self.label(name)

    def banner(self) -> str:
        banner = self.window.banner
        return str(banner.text()) if banner.isVisible() else ""

    def wait_banner(self, expected: str) -> None:
        self.wait_until(lambda: expected in self.banner(), f"banner shows {expected!r}")

    # ------------------------------------------------------------------ flows
    def to_account(self, account_no: str, mode: str = "home_pay") -> None:
        self.click(mode)
        self.wait_screen("screen_account_entry")
        self.keypad("account_keypad", account_no, ok=True)
        self.wait_screen("screen_account_shown")
        self.wait_text("shown_account_no", account_no)

    def to_method(self, account_no: str, yuan: str) -> None:
        """Pay another amount, typed on the amount keypad, then stop at the method choice."""
        self.to_account(account_no)
        self.click("shown_other")
        self.wait_until(lambda: self.find("amount_panel").isVisible(), "amount keypad shown")
        self.keypad("amount_keypad", yuan, ok=True)
        self.wait_screen("screen_method")

    def to_cash(self, account_no: str, yuan: str) -> None:
        """Up to the cash screen, with the acceptor drawing notes in."""
        self.to_method(account_no, yuan)
        self.click("method_cash")
        self.wait_screen("screen_cash")
        self.stack.wait_enabled()

    def done_txn_id(self) -> str:
        """The transaction number the done screen shows (流水号 / Transaction)."""
        shown = self.wait_text("done_txn", "-")
        return shown.split()[-1]


@contextlib.contextmanager
def kiosk_session(
    qtbot: Any, tmp_path: Path, server: CentralServer, **sections: dict[str, Any]
) -> Iterator[Customer]:
    """A fresh kiosk (engine, journal, emulators) on ``server`` and its window.

    The engine stops before the window closes, so no snapshot is sent to a closed window.
    """
    stacks = stack_fixture(tmp_path, server, protocol="ccnet", **sections)
    stack = next(stacks)
    customer = None
    try:
        customer = Customer.open(qtbot, stack)
        yield customer
    finally:
        next(stacks, None)  # stops the engine, the emulators and the journal
        if customer is not None:
            customer.close()


def journal_kinds(stack: KioskStack, txn_id: str) -> list[str]:
    return [event.kind for event in stack.engine.journal.events(txn_id=txn_id)]


def wallet_pays(server: CentralServer, qr_payload: str) -> None:
    """The customer's phone opens the QR code's link and pays (the server's demo wallet)."""
    path = urlsplit(qr_payload).path
    response = requests.post(f"{server.url}{path}", timeout=10, allow_redirects=False)
    assert response.status_code == 303, response.text


def expire_qr_order(server: CentralServer, order_id: str) -> None:
    """The order's time runs out now (the server's shortest TTL is 30 s; tests do not wait)."""
    engine = create_engine(server.db_url)
    try:
        past = datetime.now(UTC) - timedelta(seconds=1)
        with engine.begin() as conn:
            changed = conn.execute(
                update(qr_orders).where(qr_orders.c.order_id == order_id).values(expires_at=past)
            ).rowcount
        assert changed == 1, f"no QR order {order_id} on the server"
    finally:
        engine.dispose()


@dataclass(frozen=True)
class Card:
    card_no: str
    pin: str
    face_fen: int


def new_card(server: CentralServer, workdir: Path, face_fen: int) -> Card:
    """A fresh recharge card (the shared server's demo cards may be used by other tests)."""
    out = workdir / "card.csv"
    server.admin(
        "cards", "generate", "--face-fen", str(face_fen), "--count", "1", "--out", str(out)
    )
    with out.open(encoding="utf-8", newline="") as handle:
        row = next(csv.DictReader(handle))
    return Card(row["card_no"], row["pin"], int(row["face_fen"]))
