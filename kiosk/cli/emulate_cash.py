"""`kiosk emulate cash`: a bill acceptor (CCNET, ID-003 or ICT) on a pty until SIGTERM / SIGINT.

Prints ``DEVICE <path>`` and ``CONTROL <socket>`` (flushed) for the host and for
``kiosk emulate ctl``; logs go to stderr.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from drivers.emulators.cash import CNY_BILLS_FEN, PROTOCOLS, CashEmulator
from drivers.emulators.cash_mechanics import Timings
from drivers.emulators.errors import EmulatorError
from kiosk.cli.emulator_serving import serve


def bills(text: str) -> tuple[int, ...]:
    """A comma-separated list of denominations in fen: "1000,2000,5000"."""
    try:
        values = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError as exc:
        message = f"{text!r}: give denominations in fen, e.g. 1000,2000"
        raise argparse.ArgumentTypeError(message) from exc
    if not values or any(v <= 0 for v in values):
        raise argparse.ArgumentTypeError(f"{text!r}: give positive denominations in fen")
    return values


def register(devices: Any) -> None:
    parser = devices.add_parser(
        "cash",
        help="emulate a bill acceptor (CCNET, ID-003 or ICT) on a pty",
        description="Run an emulated bill acceptor until SIGTERM or Ctrl-C. Prints DEVICE <path> "
        "(open it as the acceptor's serial port) and CONTROL <socket> (for `kiosk emulate ctl`).",
    )
    parser.add_argument("--protocol", choices=PROTOCOLS, required=True)
    parser.add_argument("--state", type=Path, help="keep the cassette in this file across runs")
    parser.add_argument(
        "--bills",
        type=bills,
        default=CNY_BILLS_FEN,
        help="the bill table in fen (default 100,500,1000,2000,5000,10000; ICT: bill types "
        "40, 41, ... in this order)",
    )
    parser.add_argument(
        "--table-code",
        type=lambda text: int(text) if text.isdigit() else text,
        help="what the bill table names the currency with: CCNET 3 letters (default CNY; "
        "Chinese firmware also says CHN), ID-003 the country number (default 156)",
    )
    parser.add_argument("--link", type=Path, help="make the device path this symlink")
    parser.add_argument("--control", type=Path, help="put the control socket here")
    parser.add_argument(
        "--escrow-timeout",
        type=float,
        default=10.0,
        help="seconds before the device returns a bill left in escrow (default 10)",
    )
    parser.add_argument("--capacity", type=int, help="cassette full after this many notes")
    parser.add_argument(
        "--speed",
        type=float,
        default=1.0,
        help="run the mechanism this many times faster (tests, benchmarks; default 1)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        emulator = CashEmulator(
            args.protocol,
            bill_table_fen=args.bills,
            state_file=args.state,
            timings=Timings(escrow_timeout_s=args.escrow_timeout).faster(args.speed),
            capacity=args.capacity,
            link=args.link,
            control_path=args.control,
            table_code=args.table_code,
        )
    except (EmulatorError, ValueError) as exc:
        print(f"kiosk emulate cash: {exc}", file=sys.stderr)
        return 2
    return serve(emulator)
