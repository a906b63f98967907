"""`kiosk demo`: the whole product on one machine (central server, emulators, kiosk).

The ``kiosk`` command adds this subcommand through the ``kiosk.commands`` entry point
(pyproject.toml), since the core never imports the demo. With a display: the kiosk in a window
(the Qt front end found through the ``kiosk.frontends`` entry point) and the emulator control
window (``kiosk_demo.panel``) beside it. Without one (no DISPLAY / WAYLAND_DISPLAY, or
QT_QPA_PLATFORM=offscreen, or --headless; --window opens the windows regardless): a scripted
cash payment, each step as a line, then the receipt's text and where its picture is.
Exit codes: 0 done, 1 the demo failed (said why), 2 bad configuration, 130 interrupted.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import signal
import sys
from collections.abc import Mapping
from importlib.metadata import entry_points
from pathlib import Path
from types import FrameType
from typing import Any

from kiosk import config, local_time, money
from kiosk_demo.rig import DEMO_DIR, DEMO_STAFF, Demo, DemoError, scripted_payment, write_lines

EXIT_FAILED = 1
EXIT_USAGE = 2


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "demo",
        help="start the central server, the device emulators and the kiosk on this machine",
        description="Start the reference central server on 127.0.0.1 with demo accounts, the "
        "cash acceptor and printer emulators, and the kiosk in a window with an emulator "
        "control window. Without a display, run a scripted cash payment and print the receipt.",
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        help="kiosk config (default: the repository's config/kiosk.toml)",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=DEMO_DIR,
        help=f"where the demo keeps its data (default: {DEMO_DIR})",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="continue from the last run's data (default: start afresh, so "
        "the demo cards are unused again)",
    )
    parser.add_argument(
        "--protocol",
        choices=("ccnet", "id003", "ict"),
        help="the emulated cash acceptor's protocol (default: the config's cash.protocol)",
    )
    parser.add_argument(
        "--headless",
        action="store_true",
        help="run the scripted payment even when a display is available",
    )
    parser.add_argument(
        "--window",
        action="store_true",
        help="open the windows even when no display is detected (with "
        "QT_QPA_PLATFORM=offscreen: tests and screenshots)",
    )
    parser.set_defaults(handler=_demo)


def has_display(env: Mapping[str, str] | None = None) -> bool:
    """Whether a Qt window can be shown: X11 or Wayland, and Qt not told to draw offscreen."""
    env = os.environ if env is None else env
    if env.get("QT_QPA_PLATFORM", "").startswith(("offscreen", "minimal")):
        return False
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def _demo(args: argparse.Namespace) -> int:
    loaded = config.load(args.config or config.DEFAULT_CONFIG)
    local_time.use(loaded.kiosk.timezone)  # as `kiosk run` does: receipts in the utility's time
    if args.protocol and args.protocol != loaded.cash.protocol:
        # the other protocol's table settings would not fit: its defaults apply
        cash = dataclasses.replace(
            loaded.cash, protocol=args.protocol, table_codes=(), bill_types={}
        )
        loaded = dataclasses.replace(loaded, cash=cash)
    if args.headless and args.window:
        print("kiosk demo: --headless and --window exclude each other; give one", file=sys.stderr)
        return EXIT_USAGE
    headless = args.headless or not (args.window or has_display())
    frontend = None if headless else _frontend()
    if not headless and frontend is None:
        print(
            "kiosk demo: the Qt front end is not installed (package ui); run with --headless",
            file=sys.stderr,
        )
        return EXIT_USAGE
    demo = Demo(loaded, args.data_dir, fresh=not args.keep)
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        print(
            f"starting the demo in {demo.workdir} (central server, cash acceptor "
            f"{loaded.cash.protocol}, printer) ...",
            flush=True,
        )
        demo.start()
        _introduce(demo)
        if frontend is None:
            return _headless(demo)
        _guide(demo)
        print(
            "the kiosk window and the demo control window are open; close either "
            "(or press Ctrl+C here) to stop everything",
            flush=True,
        )
        code: int = frontend(demo.config, windowed=True, beside=panel_beside(demo))
        return code
    except DemoError as exc:
        print(f"kiosk demo: {exc}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        demo.stop()
        signal.signal(signal.SIGTERM, previous)


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _frontend() -> Any:
    found = entry_points(group="kiosk.frontends", name="qt")
    return next(iter(found)).load() if found else None


def panel_beside(demo: Demo) -> Any:
    """What the front end calls to open the emulator control window beside the kiosk's."""

    def show(window: Any, engine: Any) -> Any:
        from kiosk_demo.panel import show_demo_panel  # Qt: only once a window is shown

        return show_demo_panel(window, demo, engine)

    return show


def _introduce(demo: Demo) -> None:
    print(f"central server: {demo.server_url}  (its log: {demo.workdir / 'central-server.log'})")
    print("demo accounts:")
    for account in demo.seeded.accounts:
        print(f"  {account.account_no}  {account.role.replace('_', ' ')}")
    print("demo recharge cards (each can be used once):")
    for card in demo.seeded.cards:
        print(f"  card {card.card_no}  PIN {card.pin}  {money.format_fen(card.face_fen)}")
    print(f"receipts are saved as text and pictures in {demo.receipts_dir}", flush=True)


def _guide(demo: Demo) -> None:
    """A newcomer's first minute: one payment of each kind."""
    account = demo.seeded.account("residential_arrears")
    card = demo.seeded.cards[0] if demo.seeded.cards else None
    print("try it (the kiosk's buttons are named as on screen):")
    print(
        f"  cash: 缴纳电费 Pay electricity bill -> account {account} -> 缴清全部 Pay all due "
        "-> 现金 Cash -> press ¥100 in the control window until nothing is due -> "
        "完成缴费 Finish"
    )
    print(
        "  QR:   the same up to the method -> 扫码支付 Scan to pay -> 在浏览器打开 Open in "
        "the control window -> 确认支付 Pay on the wallet page"
    )
    if card is not None:
        print(
            f"  card: 充值卡缴费 Recharge card -> account {account} -> card {card.card_no}, "
            f"PIN {card.pin} -> 确认缴费 Pay (copy buttons in the control window)"
        )
    print("  faults: jam, cassette full, paper out and cover open are buttons there too")
    staff = ", ".join(f"{sid} PIN {pin} ({role.value})" for sid, _, role, pin in DEMO_STAFF)
    print(f"  maintenance: hold the top-left corner 3 s, then {staff}", flush=True)


def _headless(demo: Demo) -> int:
    print("no display: running a scripted cash payment", flush=True)
    outcome = scripted_payment(demo, write_lines(sys.stdout))
    print(
        f"payment {outcome.txn_id}: {outcome.status}, {money.format_fen(outcome.amount_fen)}, "
        f"receipt {outcome.printing}"
    )
    if outcome.receipt_text:
        print("---- receipt (printer emulator transcript) ----")
        print(outcome.receipt_text.rstrip("\n"))
        print("---- end of receipt ----")
    if outcome.receipt_png is not None:
        print(f"receipt picture: {outcome.receipt_png}")
    ok = outcome.status == "posted" and outcome.printing == "printed"
    if not ok:
        print(
            f"kiosk demo: the payment ended {outcome.status}, receipt {outcome.printing}; "
            f"see {demo.workdir / 'snapshots.jsonl'}",
            file=sys.stderr,
        )
    sys.stdout.flush()
    return 0 if ok else EXIT_FAILED
