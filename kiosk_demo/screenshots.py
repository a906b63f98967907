"""Render every screen from scripted snapshots into PNGs: `make screenshots`.

Usage: python -m kiosk_demo.screenshots [OUT_DIR]  (default $SCREENSHOTS_DIR or screenshots/)
Each screen in zh and en, portrait 1080x1920, landscape 1920x1080 and 1024x768, with
normal text, and the customer screens in large text too (``*_large.png``).

A scene may name a button to press once it is on screen (``PRESS``, not an engine key):
the "other amount" keypad and the partial-payment question are the customer's taps.
"""

from __future__ import annotations

import copy
import os
import sys
from pathlib import Path
from typing import Any

from kiosk_demo.fake_source import make_maintenance, make_snapshot
from kiosk_demo.usage_sample import sample_usage

SIZES = {"portrait": (1080, 1920), "landscape": (1920, 1080), "small": (1024, 768)}
PRESS = "_press"  # scene key: the objectName of a button to click after the snapshot shows

# The account of the partial payment customers found: ¥340.00 owed, ¥50.00 inserted.
PARTIAL_ACCOUNT: dict[str, Any] = {
    "account_no": "3100000002",
    "holder": "李*华",
    "address": "示范市*****街8号",
    "category": "residential",
    "balance_fen": 0,
    "bills": [
        {
            "period": "2026-09",
            "amount_fen": 20000,
            "paid_fen": 0,
            "due_date": "2026-10-15",
            "late_fee_fen": 370,
        },
        {
            "period": "2026-10",
            "amount_fen": 13630,
            "paid_fen": 0,
            "due_date": "2026-11-15",
            "late_fee_fen": 0,
        },
    ],
    "arrears_fen": 33630,
    "late_fee_fen": 370,
    "due_fen": 34000,
    "as_of": "2026-11-02T10:15:00+08:00",
}


def customer_scenes() -> dict[str, dict[str, Any]]:
    """The states issue 15 named, each under the name of its state."""
    partial_cash = {
        "inserted_fen": 5000,
        "notes": {"5000": 1},
        "still_due_fen": 29000,
        "accepting": True,
    }
    return {
        "other_amount": {**make_snapshot("account_shown"), PRESS: "shown_other"},
        "partial_confirm": {
            **make_snapshot(
                "cash_insert",
                account=copy.deepcopy(PARTIAL_ACCOUNT),
                amount_fen=34000,
                method="cash",
                cash=partial_cash,
            ),
            PRESS: "cash_finish",
        },
        "partial_result": make_snapshot(
            "done",
            account=copy.deepcopy(PARTIAL_ACCOUNT),
            amount_fen=34000,
            method="cash",
            result={
                "status": "posted",
                "txn_id": "K0001-00000043",
                "amount_fen": 5000,
                "credited_to_balance_fen": 0,
                "balance_fen": 0,
                "receipt_url": "http://127.0.0.1:8470/r/K0001-00000043?h=77c0aa",
                "receipt_text": "",
                "printing": "printed",
                "pending_fen": 0,
                "pending_notes": {},
            },
        ),
        "card_form": make_snapshot("card_entry", mode="card", method="card"),
        "idle_prompt": make_snapshot(
            "cash_insert",
            account=copy.deepcopy(PARTIAL_ACCOUNT),
            amount_fen=34000,
            method="cash",
            cash=partial_cash,
            idle_prompt={"seconds_left": 27},
        ),
        "paper_out": make_snapshot(
            "amount_chosen",
            amount_fen=22580,
            methods={
                "cash": {"ok": False, "reason": "printer_paper_out"},
                "qr": {"ok": True, "reason": None},
                "card": {"ok": True, "reason": None},
            },
            printer={"can_print": False, "reason": "printer_paper_out", "onscreen_receipt": True},
        ),
        "server_down": make_snapshot(
            "account_entry",
            error={"code": "server_offline", "detail": {}},
            methods={m: {"ok": False, "reason": "server_offline"} for m in ("cash", "qr", "card")},
        ),
        # the usage view is the account screen's own: its button, then the view it opens
        "account_with_usage": _shown_with_usage(sample_usage()),
        "usage": {**_shown_with_usage(sample_usage()), PRESS: "shown_usage"},
        "usage_no_tiers": {
            **_shown_with_usage(sample_usage(residential=False)),
            PRESS: "shown_usage",
        },
    }


def _shown_with_usage(usage: dict[str, Any]) -> dict[str, Any]:
    """The account screen of an account whose lookup carried usage (a current server)."""
    snap = make_snapshot("account_shown")
    snap["account"] = {**snap["account"], "usage": usage}
    return snap


def scenes() -> dict[str, dict[str, Any]]:
    """One snapshot per screen and notable variant, named for the PNG file."""
    paid = {
        "status": "posted",
        "txn_id": "K0001-00000042",
        "amount_fen": 30000,
        "credited_to_balance_fen": 7420,
        "balance_fen": 8654,
        "receipt_url": "http://127.0.0.1:8470/r/K0001-00000042?h=3f9a1c",
        "receipt_text": "",
        "printing": "printed",
        "pending_fen": 0,
        "pending_notes": {},
    }
    return {
        "01_home": make_snapshot("home"),
        "02_account_entry": make_snapshot("account_entry"),
        "03_account_entry_error": make_snapshot(
            "account_entry", error={"code": "account_not_found", "detail": {}}
        ),
        "04_looking_up": make_snapshot("looking_up"),
        "05_account_shown": make_snapshot("account_shown"),
        "06_account_shown_check": make_snapshot("account_shown", mode="check"),
        "07_method": make_snapshot(
            "amount_chosen",
            amount_fen=22580,
            methods={
                "cash": {"ok": False, "reason": "printer_paper_out"},
                "qr": {"ok": True, "reason": None},
                "card": {"ok": False, "reason": "server_offline"},
            },
        ),
        "08_method_preparing": make_snapshot("method_chosen", amount_fen=22580, method="cash"),
        "09_cash_insert": make_snapshot(
            "cash_insert",
            amount_fen=22580,
            method="cash",
            cash={"can_cancel": True, "accepting": True, "still_due_fen": 22580},
        ),
        "10_cash_over": make_snapshot(
            "cash_insert",
            amount_fen=22580,
            method="cash",
            cash={
                "inserted_fen": 30000,
                "notes": {"10000": 2, "5000": 2},
                "still_due_fen": 0,
                "surplus_fen": 7420,
                "accepting": True,
            },
            notice="note_accepted",
        ),
        "11_qr_wait": make_snapshot(
            "qr_wait",
            amount_fen=22580,
            method="qr",
            qr={
                "order_id": "Q123",
                "payload": "http://127.0.0.1:8470/pay/Q123",
                "seconds_left": 87,
            },
        ),
        "12_card_entry": make_snapshot(
            "card_entry",
            mode="card",
            method="card",
            card={"error": "card_pin_invalid", "attempts_left": 2},
        ),
        "13_processing": make_snapshot("processing", method="card"),
        "14_done_posted": make_snapshot("done", method="cash", amount_fen=22580, result=paid),
        "15_done_queued_no_printer": make_snapshot(
            "done",
            method="cash",
            result={**paid, "status": "queued", "printing": "failed", "balance_fen": None},
        ),
        "16_cancelled": make_snapshot(
            "cancelled", result={"status": "cancelled", "reason": "customer_cancelled"}
        ),
        # the QR order's time ran out (said by the server, or by the kiosk when it is silent)
        "16b_cancelled_qr_expired": make_snapshot(
            "cancelled",
            method="qr",
            result={"status": "cancelled", "reason": "qr_expired"},
            error={"code": "qr_expired", "detail": {}},
        ),
        "17_out_of_service": make_snapshot(
            "out_of_service",
            methods={
                "cash": {"ok": False, "reason": "acceptor_jam"},
                "qr": {"ok": True, "reason": None},
                "card": {"ok": True, "reason": None},
            },
        ),
        "18_idle_prompt": make_snapshot(
            "cash_insert",
            amount_fen=22580,
            cash={"inserted_fen": 5000, "notes": {"5000": 1}, "still_due_fen": 17580},
            idle_prompt={"seconds_left": 27},
        ),
        "19_large_text": make_snapshot("account_shown", large_text=True),
        "20_acceptor_fault": make_snapshot(
            "done",
            method="cash",
            result={**paid, "status": "queued", "amount_fen": 5000, "credited_to_balance_fen": 0},
            error={"code": "acceptor_fault", "detail": {}},
        ),
        "21_cash_paused_journal": make_snapshot(
            "cash_insert",
            amount_fen=22580,
            method="cash",
            cash={
                "inserted_fen": 5000,
                "notes": {"5000": 1},
                "still_due_fen": 17580,
                "in_escrow_fen": 10000,
                "accepting": False,
                "paused": True,
            },
            journal_fault="data disk full: 0 bytes free on /var/lib/kiosk",
        ),
        "22_done_pending_verification": make_snapshot(
            "done",
            method="cash",
            amount_fen=22580,
            result={
                **paid,
                "status": "pending_verification",
                "amount_fen": 0,
                "credited_to_balance_fen": None,
                "balance_fen": None,
                "receipt_url": None,
                "pending_fen": 10000,
                "pending_notes": {"10000": 1},
            },
        ),
        "23_done_partly_pending": make_snapshot(
            "done",
            method="cash",
            amount_fen=22580,
            result={
                **paid,
                "status": "queued",
                "amount_fen": 5000,
                "credited_to_balance_fen": None,
                "balance_fen": None,
                "receipt_url": None,
                "pending_fen": 10000,
                "pending_notes": {"10000": 1},
            },
        ),
        "25_paycode_scan": make_snapshot(
            "paycode_scan",
            amount_fen=22580,
            method="paycode",
            methods={
                **{m: {"ok": True, "reason": None} for m in ("cash", "qr", "card")},
                "paycode": {"ok": True, "reason": None},
            },
            paycode={"status": "scan", "error": None},
        ),
        "26_paycode_bad_code": make_snapshot(
            "paycode_scan",
            amount_fen=22580,
            method="paycode",
            paycode={"status": "scan", "error": "insufficient_funds"},
        ),
        "27_paycode_userpaying": make_snapshot(
            "paycode_wait",
            amount_fen=22580,
            method="paycode",
            paycode={"status": "userpaying", "provider": "wechat", "code": "13************3456"},
        ),
        "28_method_with_paycode": make_snapshot(
            "amount_chosen",
            amount_fen=22580,
            methods={
                **{m: {"ok": True, "reason": None} for m in ("cash", "qr", "card")},
                "paycode": {"ok": True, "reason": None},
            },
        ),
        "24_out_of_service_journal": make_snapshot(
            "out_of_service",
            methods={m: {"ok": False, "reason": "journal_fault"} for m in ("cash", "qr", "card")},
            journal_fault="data disk full: 0 bytes free on /var/lib/kiosk",
        ),
        "24b_out_of_service_unpaired": make_snapshot(
            "out_of_service",
            methods={m: {"ok": False, "reason": "unpaired"} for m in ("cash", "qr", "card")},
        ),
        **customer_scenes(),
        **maintenance_scenes(),
    }


def _disk_full_status() -> dict[str, Any]:
    """The status page of a kiosk whose data disk is full: payments paused."""
    from kiosk_demo.fake_source import DEMO_STATUS

    status = copy.deepcopy(DEMO_STATUS)
    status["data_disk"] = {
        "path": "/var/lib/kiosk",
        "free_mb": 0.0,
        "read_only": False,
        "floor_mb": 50,
        "low": True,
        "journal_fault": "data disk full: 0 bytes free on /var/lib/kiosk",
    }
    paused = {"ok": False, "reason": "journal_fault"}
    status["methods"] = {m: dict(paused) for m in ("cash", "qr", "card")}
    return status


def _parked_status() -> dict[str, Any]:
    """The status page of a kiosk whose secret the server refuses: posting parked."""
    from kiosk_demo.fake_source import DEMO_STATUS

    status = copy.deepcopy(DEMO_STATUS)
    status["server"].update(clock_offset_s=0, clock_warning=False, auth_refused="bad_signature")
    status["outbox"]["parked"] = {
        "reason": "bad_signature",
        "message": "",
        "since": "2026-11-02T09:41:00+00:00",
    }
    status["methods"] = {m: {"ok": False, "reason": "server_auth"} for m in ("cash", "qr", "card")}
    return status


def maintenance_scenes() -> dict[str, dict[str, Any]]:
    """Every maintenance page, with devices in fault where a page shows devices."""

    def scene(stage: str = "menu", **kwargs: Any) -> dict[str, Any]:
        return make_snapshot("maintenance", maintenance=make_maintenance(stage, **kwargs))

    collection_done = {
        "done": "K0001-C20261102103000",
        "difference_fen": -10000,
        "slip_text": _demo_slip(),
    }
    transaction = {
        "txn_id": "K0001-00000042",
        "events": [
            {
                "seq": 7,
                "at": "2026-11-02T10:15:00+08:00",
                "kind": kind,
                "txn_id": "K0001-00000042",
                "actor": None,
                "payload": payload,
                "prev_hash": "",
                "hash": "",
            }
            for kind, payload in (
                ("opened", {"method": "cash", "account_no": "1000000001"}),
                ("escrow", {"denomination_fen": 10000, "decision": "stack"}),
                ("stacked", {"denomination_fen": 10000}),
                ("closed", {"cash_fen": 10000}),
                ("posted", {"server_ref": "S-8842"}),
                ("receipt_printed", {}),
            )
        ],
    }
    return {
        "30_maint_login": scene("login"),
        "31_maint_login_wrong": scene(
            "login",
            message={
                "code": "login_failed",
                "detail": "wrong id or PIN; 3 attempts left before a lockout",
            },
        ),
        "32_maint_login_locked": scene(
            "login",
            locked_until="2026-11-02T10:30:00+08:00",
            message={"code": "locked", "until": "2026-11-02T10:30:00+08:00"},
        ),
        "33_maint_menu": scene(),
        "34_maint_menu_collector": scene(role="collector", page="menu"),
        "35_maint_status_faults": scene(page="status"),
        "35b_maint_status_parked": scene(page="status", view={"status": _parked_status()}),
        "35c_maint_status_disk_full": scene(page="status", view={"status": _disk_full_status()}),
        "36_maint_tests": scene(page="tests", test_mode=True, test_notes=[10000, 5000, 10000]),
        "37_maint_collection": scene(page="collection"),
        "38_maint_collection_done": scene(page="collection", view={"collection": collection_done}),
        "39_maint_suspects": scene(page="suspects"),
        "39b_maint_suspect_detail": scene(
            page="suspects", selected="K0001-00000042-S1", outcome="credited"
        ),
        "40_maint_journal": scene(page="journal"),
        "41_maint_transaction": scene(
            page="journal",
            view={"journal": {"results": []}, "transaction": transaction},
            shown_txn="K0001-00000042",
        ),
        "42_maint_system": scene(page="system"),
        "42b_maint_pair": _pair_scene(scene, None),
        "42c_maint_pair_refused": _pair_scene(
            scene, {"state": "refused", "kiosk_id": "K0001", "url": PAIR_URL}
        ),
        "42d_maint_paired": _pair_scene(
            scene,
            {
                "state": "paired",
                "kiosk_id": "K0001",
                "url": PAIR_URL,
                "secret_file": "/var/lib/kiosk/secret",
            },
        ),
        "43_maint_not_allowed": scene(
            role="collector", message={"code": "not_allowed", "detail": "reprint"}
        ),
    }


PAIR_URL = "https://pay.example-utility.cn"


def _pair_scene(scene: Any, outcome: dict[str, Any] | None) -> dict[str, Any]:
    """The pairing page: before a code is typed, after one is refused, once paired."""
    snap: dict[str, Any] = scene(page="pair")
    view = snap["maintenance"]["view"]
    view["status"]["central_url"] = PAIR_URL
    if outcome is not None:
        view["pair"] = outcome
    return snap


def _demo_slip() -> str:
    """A real collection slip's text, one ¥100 note short of the journal."""
    from datetime import datetime, timedelta, timezone

    from kiosk.collection_slip import CollectionSlip, DenominationCount
    from kiosk.receipts import render_text

    china = timezone(timedelta(hours=8))
    counts = ((10000, 31, 30), (5000, 12, 12), (2000, 7, 7), (1000, 25, 25))
    slip = CollectionSlip(
        "K0001",
        "营业厅一号机",
        datetime(2026, 10, 28, 17, 30, tzinfo=china),
        datetime(2026, 11, 2, 10, 30, tzinfo=china),
        "张工",
        tuple(DenominationCount(d, journal, None, counted) for d, journal, counted in counts),
        collection_id="K0001-C20261102103000",
    )
    return render_text(slip, columns=32)


def render_all(out_dir: Path, sizes: dict[str, tuple[int, int]] = SIZES) -> list[Path]:
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    from kiosk_demo.fake_source import FakeSource
    from ui.app import build_window

    app = QApplication.instance() or QApplication(sys.argv[:1])
    out_dir.mkdir(parents=True, exist_ok=True)
    source = FakeSource()
    window = build_window(source, "示范供电公司 Demo Power Supply Co.", fullscreen=False)
    written = []
    for size_name, (width, height) in sizes.items():
        window.resize(width, height)
        window.show()
        for language in ("zh", "en"):
            for large in (False, True):
                for name, snap in scenes().items():
                    if large and snap["state"] == "maintenance":
                        continue  # technicians' screens have one text size
                    snap["language"] = language
                    snap["large_text"] = snap["large_text"] or large
                    show_scene(window, snap)
                    app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
                    suffix = "_large" if large else ""
                    path = out_dir / f"{name}_{language}_{size_name}{suffix}.png"
                    window.grab().save(str(path))
                    written.append(path)
    window.allow_close = True
    window.close()
    window.deleteLater()
    app.processEvents()
    return written


def show_scene(window: Any, snap: dict[str, Any]) -> None:
    """Show a scene's snapshot, then press the button it names (a customer's tap)."""
    from PySide6.QtWidgets import QApplication, QPushButton

    home = make_snapshot("home", language=snap["language"], large_text=snap["large_text"])
    window.show_snapshot(home)  # a new customer: no panel or question of another scene open
    window.show_snapshot(snap)
    QApplication.processEvents()
    if PRESS in snap:
        pressed = window.findChild(QPushButton, snap[PRESS])
        if pressed is None:
            raise LookupError(f"scene presses {snap[PRESS]!r}: no such button")
        pressed.click()
    QApplication.processEvents()


def main() -> int:
    out = Path(
        sys.argv[1] if len(sys.argv) > 1 else os.environ.get("SCREENSHOTS_DIR", "screenshots")
    )
    written = render_all(out)
    sys.stdout.write(f"wrote {len(written)} screenshots into {out}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
