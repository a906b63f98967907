"""Render every screen from scripted snapshots into PNGs: `make screenshots`.

Usage: python -m ui.screenshots [OUT_DIR]  (default $SCREENSHOTS_DIR or screenshots/)
Each screen in zh and en, portrait 1080x1920, landscape 1920x1080 and 1024x768.
"""

from __future__ import annotations

import copy
import os
import sys
from pathlib import Path
from typing import Any

from ui.fake_source import make_maintenance, make_snapshot

SIZES = {"portrait": (1080, 1920), "landscape": (1920, 1080), "small": (1024, 768)}


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
        "reason": None,
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
        "24_out_of_service_journal": make_snapshot(
            "out_of_service",
            methods={m: {"ok": False, "reason": "journal_fault"} for m in ("cash", "qr", "card")},
            journal_fault="data disk full: 0 bytes free on /var/lib/kiosk",
        ),
        **maintenance_scenes(),
    }


def _disk_full_status() -> dict[str, Any]:
    """The status page of a kiosk whose data disk is full: payments paused."""
    from ui.fake_source import DEMO_STATUS

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
    from ui.fake_source import DEMO_STATUS

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
        "43_maint_not_allowed": scene(
            role="collector", message={"code": "not_allowed", "detail": "reprint"}
        ),
    }


def _demo_slip() -> str:
    """A real collection slip's text, one ¥100 note short of the journal."""
    from datetime import datetime, timedelta, timezone

    from kiosk.receipts import CollectionSlip, DenominationCount, render_text

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

    from ui.app import build_window
    from ui.fake_source import FakeSource

    app = QApplication.instance() or QApplication(sys.argv[:1])
    out_dir.mkdir(parents=True, exist_ok=True)
    source = FakeSource()
    window = build_window(source, "示范供电公司 Demo Power Supply Co.", fullscreen=False)
    written = []
    for size_name, (width, height) in sizes.items():
        window.resize(width, height)
        window.show()
        for language in ("zh", "en"):
            for name, snap in scenes().items():
                snap["language"] = language
                window.show_snapshot(snap)
                app.processEvents()
                app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
                path = out_dir / f"{name}_{language}_{size_name}.png"
                window.grab().save(str(path))
                written.append(path)
    window.allow_close = True
    window.close()
    window.deleteLater()
    app.processEvents()
    return written


def main() -> int:
    out = Path(
        sys.argv[1] if len(sys.argv) > 1 else os.environ.get("SCREENSHOTS_DIR", "screenshots")
    )
    written = render_all(out)
    sys.stdout.write(f"wrote {len(written)} screenshots into {out}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
