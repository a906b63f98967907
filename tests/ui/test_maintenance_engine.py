"""The maintenance screens over the REAL engine: journal, CCNET emulator, printer emulator and
the real central server. Taps go through the window; results are read back from the screen,
the printer's paper, the journal's audit trail and the outbox."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from kiosk import projection
from kiosk.events import Queued
from kiosk.technicians import Registry, Role
from tests.support.central_server import shared_central_server  # noqa: F401
from tests.support.kiosk_stack import KioskStack
from ui.app import build_window
from ui.i18n import tr

TECH = ("T1", "张工", "246810")
COLLECTOR = ("C1", "李会计", "135790")
WAIT_MS = 20_000
HEALTH_WAIT_MS = 25_000  # the engine checks the printer every 10 s


class Maint:
    """The window over the engine, with the taps a technician makes."""

    def __init__(self, qtbot: Any, stack: KioskStack) -> None:
        self.qtbot = qtbot
        self.stack = stack
        self.window = build_window(stack.engine, "示范供电公司", fullscreen=False)
        qtbot.addWidget(self.window)
        self.window.resize(1080, 1920)
        self.window.show()
        qtbot.waitExposed(self.window)

    @property
    def engine(self) -> Any:
        return self.stack.engine

    @property
    def m(self) -> dict[str, Any]:
        return self.window.snap.get("maintenance") or {}

    def until(self, predicate: Any, timeout: int = WAIT_MS) -> None:
        self.qtbot.waitUntil(predicate, timeout=timeout)

    def find(self, name: str) -> Any:
        widget = self.window.findChild(QWidget, name)
        assert widget is not None, f"no widget named {name!r}"
        return widget

    def click(self, name: str) -> None:
        widget = self.find(name)
        assert widget.isVisible(), f"{name} is not visible"
        assert widget.isEnabled(), f"{name} is disabled"
        self.qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)

    def page(self) -> str:
        return self.window.screens["maintenance"].stack.currentWidget().objectName()

    def open(self) -> None:
        self.until(lambda: self.window.snap.get("state") == "home")
        self.window.corner.long_pressed.emit()  # the hidden corner's long press
        self.until(lambda: self.window.snap.get("state") == "maintenance")
        assert self.page() == "maint_login"

    def login(self, who: tuple[str, str, str], pin: str | None = None) -> None:
        self.click("maint_login_id")
        self.click("maint_login_letters_key_clear")
        for char in who[0]:
            self.click(f"maint_login_letters_key_{char}")
        self.click("maint_login_pin")
        self.click("maint_login_keypad_key_clear")
        for digit in pin if pin is not None else who[2]:
            self.click(f"maint_login_keypad_key_{digit}")
        self.click("maint_login_keypad_key_ok")

    def logged_in(self, who: tuple[str, str, str]) -> None:
        self.until(lambda: (self.m.get("user") or {}).get("id") == who[0])

    def message_code(self) -> Any:
        return (self.m.get("message") or {}).get("code")

    def text(self, name: str) -> str:
        return str(self.find(name).text())

    def type_count(self, denomination: int, count: int) -> None:
        self.click(f"maint_collection_{denomination}_physical")
        for digit in str(count):
            self.click(f"maint_collection_keypad_key_{digit}")

    def audit(self) -> list[tuple[str | None, str, str]]:
        events = self.engine.journal.events(kinds=("audit",))
        return [(e.actor, e.payload.get("action"), e.payload.get("result")) for e in events]

    def outbox_state(self, item_id: str) -> str | None:
        table = projection.outbox
        row = self.engine.journal.read(
            lambda c: c.execute(table.select().where(table.c.item_id == item_id)).first()
        )
        return None if row is None else str(row.state)


@pytest.fixture
def maint(qtbot: Any, tmp_path: Path, shared_central_server: Any) -> Iterator[Maint]:  # noqa: F811
    stack = KioskStack.start(
        tmp_path,
        shared_central_server,
        protocol="ccnet",
        maintenance={"pin_attempts": 3, "lockout_s": 60},
    )
    try:
        registry = Registry(stack.engine.journal)
        stack.engine.call(lambda: registry.add(TECH[0], TECH[1], Role.TECHNICIAN, TECH[2]))
        stack.engine.call(
            lambda: registry.add(COLLECTOR[0], COLLECTOR[1], Role.COLLECTOR, COLLECTOR[2])
        )
        ui = Maint(qtbot, stack)
        try:
            yield ui
        finally:
            stack.stop()  # no more snapshots, then the window goes
            ui.window.allow_close = True
            ui.window.close()
    finally:
        stack.stop()


def pay_cash(stack: KioskStack, notes: list[int]) -> str:
    """A whole customer payment; its receipt is taken off the printer."""
    account = stack.server.accounts["residential_paid_up"]
    snap = stack.to_cash_insert(account, amount_fen=sum(notes))
    total = 0
    for note in notes:
        stack.insert(note)
        total += note
        stack.wait_for("cash.inserted_fen", total)
    stack.intent("finish")
    stack.wait("done")
    stack.wait_for("result.printing", "printed")
    stack.printer.wait_for_receipt(timeout_s=10)
    stack.intent("home")
    stack.wait("home")
    return str(snap["txn_id"])


def test_login_right_wrong_lockout_and_roles(maint: Maint) -> None:
    maint.open()
    maint.login(TECH, pin="999999")
    maint.until(lambda: maint.message_code() == "login_failed")
    assert "2" in maint.text("maint_message")  # attempts left, in words
    assert maint.page() == "maint_login"

    maint.login(COLLECTOR)
    maint.logged_in(COLLECTOR)
    maint.until(lambda: maint.page() == "maint_collection")  # collectors: collection only
    assert not maint.find("maint_to_menu").isVisible()
    maint.engine.intent("maintenance", action="suspects")  # not through the screen either
    maint.until(lambda: maint.message_code() == "not_allowed")
    assert maint.text("maint_message") == tr("mt.msg.not_allowed", "zh")
    maint.click("maint_logout")
    maint.until(lambda: maint.window.snap.get("state") == "home")

    maint.open()
    maint.login(TECH)
    maint.logged_in(TECH)
    assert maint.page() == "maint_menu"
    assert all(
        maint.find(f"maint_menu_{p}").isVisible()
        for p in ("status", "tests", "collection", "suspects", "journal", "system")
    )
    maint.click("maint_logout")
    maint.until(lambda: maint.window.snap.get("state") == "home")

    maint.open()
    for _ in range(3):
        maint.login(TECH, pin="000000")
        maint.until(lambda: maint.message_code() in ("login_failed", "locked"))
        maint.until(lambda: maint.find("maint_message").isVisible())
    maint.until(lambda: maint.m.get("locked_until") is not None)
    assert not maint.find("maint_login_submit").isEnabled()
    # The right PIN during the lockout is refused by the core, not only by the button.
    maint.engine.intent("maintenance", action="login", technician_id=TECH[0], pin=TECH[2])
    maint.until(lambda: (TECH[0], "login", "locked") in maint.audit())
    maint.until(lambda: maint.message_code() == "locked")
    assert maint.m.get("user") is None

    trail = maint.audit()
    assert (TECH[0], "login", "wrong_pin") in trail
    assert (COLLECTOR[0], "login", "ok") in trail
    assert (COLLECTOR[0], "suspects", "refused_role") in trail
    assert (COLLECTOR[0], "logout", "logout") in trail
    assert (TECH[0], "login", "locked_out") in trail
    assert maint.engine.journal.verify().ok


def test_status_shows_the_acceptor_jam_and_the_printer_out_of_paper(maint: Maint) -> None:
    maint.open()
    maint.login(TECH)
    maint.logged_in(TECH)
    maint.click("maint_menu_status")
    maint.until(lambda: maint.text("maint_status_acceptor_state") == tr("mt.state.ready", "zh"))
    identity = maint.m["view"]["status"]["acceptor"]["identity"]
    assert maint.text("maint_status_acceptor_serial") == identity["serial"] != ""
    assert identity["model"] in maint.text("maint_status_acceptor_model")
    assert maint.text("maint_status_printer_state") == tr("mt.state.ready", "zh")
    maint.until(lambda: maint.text("maint_status_server_reachable") == tr("mt.yes", "zh"))
    assert maint.text("maint_status_server_latency").endswith("ms")

    maint.stack.cash.jam()
    maint.stack.printer.paper_out()
    maint.until(lambda: maint.engine.acceptor_state.get("state") == "fault")
    maint.until(
        lambda: maint.engine.printer_state.get("state") == "paper_out", timeout=HEALTH_WAIT_MS
    )
    maint.click("maint_status_refresh")
    maint.until(lambda: maint.text("maint_status_acceptor_state") == tr("mt.state.fault", "zh"))
    assert maint.find("maint_status_acceptor_state").property("tone") == "bad"
    assert maint.text("maint_status_acceptor_last_error") == tr("mt.state.validator_jam", "zh")
    assert maint.text("maint_status_printer_state") == tr("mt.state.paper_out", "zh")
    assert maint.text("maint_status_printer_paper") == tr("mt.paper.out", "zh")
    assert maint.find("maint_status_methods_method_cash").property("tone") == "bad"

    maint.click("maint_to_menu")
    maint.click("maint_menu_tests")
    maint.click("maint_tests_method_qr")
    maint.until(lambda: "qr" in maint.engine.disabled_methods)
    maint.until(
        lambda: (
            maint.text("maint_tests_method_qr")
            == tr("mt.tests.enable", "zh", method=tr("method.qr", "zh"))
        )
    )
    maint.click("maint_tests_method_qr")
    maint.until(lambda: "qr" not in maint.engine.disabled_methods)
    trail = maint.audit()
    assert trail.count((TECH[0], "status", "ok")) >= 2
    assert (TECH[0], "set_method", "disabled") in trail
    assert (TECH[0], "set_method", "enabled") in trail
    assert maint.engine.journal.verify().ok


def test_acceptor_test_mode_shows_notes_and_credits_nothing(maint: Maint) -> None:
    maint.open()
    maint.login(TECH)
    maint.logged_in(TECH)
    maint.click("maint_menu_tests")
    maint.click("maint_tests_acceptor")
    maint.until(lambda: maint.m.get("test_mode") is True)
    maint.stack.wait_enabled()
    maint.stack.insert(5000)
    maint.until(lambda: maint.m.get("test_notes") == [5000])
    maint.until(lambda: maint.find("maint_tests_notes_5000").isVisible())
    assert maint.engine.checks.cashbox_counts() == {}
    maint.click("maint_tests_print")
    page = maint.stack.printer.wait_for_receipt(timeout_s=10)
    assert maint.stack.config.kiosk.id in page.transcript
    maint.click("maint_tests_acceptor")
    maint.until(lambda: maint.m.get("test_mode") is False)
    trail = maint.audit()
    assert (TECH[0], "acceptor_test", "on") in trail
    assert (TECH[0], "acceptor_test", "off") in trail
    assert (TECH[0], "print_test_page", "sent") in trail
    assert maint.engine.journal.verify().ok


def test_collection_without_then_with_a_difference(maint: Maint) -> None:
    pay_cash(maint.stack, [10000, 1000])
    maint.open()
    maint.login(COLLECTOR)
    maint.logged_in(COLLECTOR)
    maint.until(lambda: maint.find("maint_collection_10000_journal").text() == "1")
    assert maint.text("maint_collection_1000_journal") == "1"
    for denomination, count in ((10000, 1), (5000, 0), (2000, 0), (1000, 1)):
        maint.type_count(denomination, count)
    assert maint.text("maint_collection_difference") == tr(
        "mt.collection.no_difference", "zh", physical="¥110.00", journal="¥110.00", diff=""
    )
    maint.click("maint_collection_commit")
    maint.until(lambda: bool(((maint.m.get("view") or {}).get("collection") or {}).get("done")))
    slip = maint.stack.printer.wait_for_receipt(timeout_s=10).transcript
    assert "清机单" in slip and COLLECTOR[1] in slip and "账实相符" in slip
    first_id = maint.m["view"]["collection"]["done"]
    maint.until(lambda: maint.find("maint_collection_slip").isVisible(), timeout=5000)

    maint.click("maint_collection_again")  # counters started again
    maint.until(
        lambda: (
            maint.find("maint_collection_10000_journal").isVisible()
            and maint.text("maint_collection_10000_journal") == "0"
        )
    )
    for denomination, count in ((10000, 0), (5000, 0), (2000, 0), (1000, 1)):
        maint.type_count(denomination, count)
    assert "+¥10.00" in maint.text("maint_collection_difference")  # before committing
    maint.click("maint_collection_commit")
    maint.until(
        lambda: (
            ((maint.m.get("view") or {}).get("collection") or {}).get("done")
            not in (None, first_id)
        )
    )
    slip = maint.stack.printer.wait_for_receipt(timeout_s=10).transcript
    assert "有差异" in slip and "+￥10.00" in slip  # the slip prints the full-width sign
    assert "+¥10.00" in maint.text("maint_collection_difference")
    events = maint.engine.journal.events(kinds=("collection",))
    assert [e.payload["difference_fen"] for e in events] == [0, 1000]
    assert [e.actor for e in events] == [COLLECTOR[0], COLLECTOR[0]]
    for event in events:  # both handed to the outbox for the server
        assert maint.outbox_state(event.payload["collection_id"]) is not None
    trail = maint.audit()
    assert trail.count((COLLECTOR[0], "collection_preview", "ok")) >= 2
    assert maint.engine.journal.verify().ok


def test_collection_is_posted_to_the_server(maint: Maint) -> None:
    maint.open()
    maint.login(COLLECTOR)
    maint.logged_in(COLLECTOR)
    maint.until(lambda: maint.find("maint_collection_10000_physical").isVisible())
    for denomination in (10000, 5000, 2000, 1000):
        maint.type_count(denomination, 0)
    maint.click("maint_collection_commit")
    maint.until(lambda: bool(((maint.m.get("view") or {}).get("collection") or {}).get("done")))
    collection_id = maint.m["view"]["collection"]["done"]
    maint.until(lambda: maint.outbox_state(collection_id) in ("posted", "needs_attention"))
    assert maint.outbox_state(collection_id) == "posted"


def make_suspect(maint: Maint, txn_id: str, denomination_fen: int) -> str:
    """Journal a suspect note for a closed payment, as the engine does after a stack timeout."""
    kiosk_id = maint.engine.config.kiosk.id
    events = maint.engine.call(
        lambda: maint.engine.journal.append_many(
            lambda conn: [
                projection.suspect_event(
                    conn,
                    kiosk_id,
                    txn_id,
                    denomination_fen,
                    "no stacked or returned report after STACK",
                )
            ]
        )
    )
    return str(events[0].payload["suspect_id"])


def test_suspect_is_resolved_with_a_reason_and_queued(maint: Maint) -> None:
    txn_id = pay_cash(maint.stack, [1000])
    suspect_id = make_suspect(maint, txn_id, 5000)
    maint.open()
    maint.login(TECH)
    maint.logged_in(TECH)
    maint.click("maint_menu_suspects")
    maint.until(lambda: maint.find("maint_suspects_row_0").isVisible())
    assert txn_id in maint.text("maint_suspects_row_0")
    maint.click("maint_suspects_row_0")
    assert "¥50.00" in maint.text("maint_suspects_detail_text")
    maint.click("maint_suspects_outcome_credited")
    assert not maint.find("maint_suspects_submit").isEnabled()  # the reason is mandatory
    maint.click("maint_suspects_preset_counted")
    maint.find("maint_suspects_keyboard").type_text(" 2X")
    maint.click("maint_suspects_submit")
    maint.until(lambda: maint.find("maint_suspects_empty").isVisible())
    resolved = maint.engine.journal.events(kinds=("resolved",))
    assert [(e.txn_id, e.actor, e.payload["outcome"], e.payload["reason"]) for e in resolved] == [
        (txn_id, TECH[0], "credited", "清点钱箱核实 2X")
    ]
    assert maint.outbox_state(suspect_id) is not None  # handed to the outbox for the server
    assert maint.engine.checks.cashbox_counts() == {1000: 1, 5000: 1}
    assert (TECH[0], "suspects", "listed") in maint.audit()
    assert maint.engine.journal.verify().ok


def test_resolution_is_posted_to_the_server(maint: Maint) -> None:
    txn_id = pay_cash(maint.stack, [1000])
    suspect_id = make_suspect(maint, txn_id, 1000)
    maint.open()
    maint.login(TECH)
    maint.logged_in(TECH)
    maint.click("maint_menu_suspects")
    maint.until(lambda: maint.find("maint_suspects_row_0").isVisible())
    maint.click("maint_suspects_row_0")
    maint.click("maint_suspects_outcome_credited")
    maint.click("maint_suspects_preset_cctv")
    maint.click("maint_suspects_submit")
    maint.until(lambda: maint.outbox_state(suspect_id) in ("posted", "needs_attention"))
    assert maint.outbox_state(suspect_id) == "posted"


@pytest.mark.parametrize(("language", "mark"), [("zh", "副本"), ("en", "COPY")])
def test_journal_search_shows_events_and_reprints_a_copy(
    maint: Maint, language: str, mark: str
) -> None:
    txn_id = pay_cash(maint.stack, [2000])
    maint.open()
    maint.engine.intent("set_language", language=language)
    maint.until(lambda: maint.window.language == language)
    maint.login(TECH)
    maint.logged_in(TECH)
    maint.click("maint_menu_journal")
    maint.click("maint_journal_query")
    maint.find("maint_journal_keyboard").type_text(txn_id)
    maint.click("maint_journal_search")
    maint.until(
        lambda: (
            maint.find("maint_journal_row_0").isVisible()
            and txn_id in maint.text("maint_journal_row_0")
        )
    )
    assert not maint.find("maint_journal_row_1").isVisible()
    maint.click("maint_journal_row_0")
    printed = tr("mt.event.receipt_printed", language)  # events in words, not kinds
    maint.until(lambda: printed in maint.text("maint_journal_events"))
    assert tr("mt.event.stacked", language) in maint.text("maint_journal_events")
    maint.click("maint_journal_reprint")
    copy = maint.stack.printer.wait_for_receipt(timeout_s=10).transcript
    assert mark in copy and txn_id in copy
    trail = maint.audit()
    assert (TECH[0], "journal_search", "ok") in trail
    assert (TECH[0], "journal_show", "ok") in trail
    assert (TECH[0], "reprint", "sent") in trail
    assert maint.engine.journal.verify().ok


def test_system_page_outbox_retry_and_power_refused_by_config(maint: Maint) -> None:
    maint.open()
    maint.login(TECH)
    maint.logged_in(TECH)
    maint.click("maint_menu_system")
    assert not maint.find("maint_system_reboot").isEnabled()  # config forbids it
    maint.click("maint_system_outbox_retry")
    maint.until(lambda: (TECH[0], "outbox_retry", "ok") in maint.audit())
    maint.engine.intent("maintenance", action="reboot")  # even asked directly: refused
    maint.until(lambda: maint.message_code() == "power_actions_disabled")
    assert maint.find("maint_message").isVisible()
    assert (TECH[0], "reboot", "refused_by_config") in maint.audit()
    restarts: list[bool] = []
    maint.engine.maintenance.restart_requested = lambda: restarts.append(True)
    maint.click("maint_system_restart_app")
    maint.click("maint_system_restart_app")
    maint.until(lambda: restarts == [True])
    assert (TECH[0], "restart_app", "requested") in maint.audit()
    assert maint.engine.journal.verify().ok


def test_a_parked_item_is_sent_again_on_a_technicians_request(maint: Maint) -> None:
    """A payment the server refused for good (an account it does not know) is parked; the
    technician sends it again from the outbox list. Before kiosk/events.py the requeue was
    refused by the journal itself (the item's id already in the outbox)."""
    stack = maint.stack
    item = "T-REQUEUE-1"
    body = {
        "txn_id": item,
        "account_no": stack.server.accounts["unknown"],
        "amount_fen": 1000,
        "method": "cash",
        "cash": {"1000": 1},
        "created_at": stack.engine.now_iso(),
        "offline": True,
    }
    stack.engine.call(
        lambda: stack.engine.journal.append_many(
            lambda _c: [Queued(item, "payments", body, 1000).entry(None)]
        )
    )
    stack.engine.outbox.wake()
    maint.until(lambda: maint.outbox_state(item) == "needs_attention")
    maint.open()
    maint.login(TECH)
    maint.logged_in(TECH)
    maint.engine.intent("maintenance", action="retry_item", item_id=item, reason="account fixed")
    maint.until(lambda: (TECH[0], "requeue", "ok") in maint.audit())
    # sent again, and refused again by this server: parked again, never a journal error
    maint.until(lambda: maint.outbox_state(item) == "needs_attention")
    kinds = [e.kind for e in stack.engine.journal.events() if e.payload.get("item_id") == item]
    assert kinds == ["queued", "needs_attention", "audit", "queued", "needs_attention"]
    assert stack.snapshots.latest["methods"]["cash"]["ok"]  # the disk is fine: cash stays on
    assert stack.engine.journal.verify().ok
