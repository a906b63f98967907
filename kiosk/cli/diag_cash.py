"""`kiosk diag cash URL --protocol P`: talk to a bill acceptor and print what it says.

JSON lines on stdout: the identity and bill table (``ready``), then every event, each with
``t`` (seconds since start). Bills are returned unless ``--stack-all``. The URL is any pyserial
URL; ``emulator://ccnet`` (or ``emulator://id003?state=FILE``) starts an emulator in this process.
``--table-codes CNY,CHN`` (ID-003: ``156``) says which bill-table identifiers count as yuan;
``--bill-types 40=100,41=500`` gives an ICT device's bill types (fen), since it cannot be asked.
Exit 0 when the device answered and is usable, 1 when it never answered or its bill table has
no note the kiosk may accept (the ``fault`` line says what the device reported), 2 for bad
arguments.
"""

from __future__ import annotations

import argparse
import dataclasses
import enum
import json
import sys
import threading
import time
from typing import Any

from drivers.cash import (
    PROTOCOLS,
    AcceptorEvent,
    Decision,
    Escrow,
    Fault,
    FaultKind,
    Ready,
    open_acceptor,
)
from kiosk.cli.emulate_cash import bills


def register(devices: Any) -> None:
    parser = devices.add_parser(
        "cash",
        help="talk to a bill acceptor and print its identity, table and events",
        description="Open the acceptor at URL (a serial path, socket://..., or emulator://ccnet, "
        "emulator://id003, emulator://ict for a built-in emulator), print its identity and bill "
        "table, enable it and print every event as a JSON line for --seconds. Bills are returned "
        "unless --stack-all.",
    )
    parser.add_argument("url")
    parser.add_argument("--protocol", choices=PROTOCOLS, required=True)
    decision = parser.add_mutually_exclusive_group()
    decision.add_argument("--stack-all", action="store_true", help="stack every bill")
    decision.add_argument("--return-all", action="store_true", help="return every bill (default)")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long to listen")
    parser.add_argument("--baudrate", type=int, default=9600)
    parser.add_argument("--enable", type=bills, help="denominations to accept (default: all)")
    parser.add_argument(
        "--table-codes",
        type=table_codes,
        help="bill-table identifiers that count as yuan, e.g. CNY,CHN (CCNET) or 156 (ID-003); "
        "default: the protocol's",
    )
    parser.add_argument(
        "--bill-types",
        type=bill_types,
        help="ICT only: bill type (hex) = denomination in FEN, e.g. "
        "40=100,41=500,42=1000,43=2000,44=5000,45=10000 (the default)",
    )
    parser.set_defaults(handler=run)


def table_codes(text: str) -> tuple[str | int, ...]:
    """``CNY,CHN`` -> ("CNY", "CHN"); numbers (ID-003 country codes) become ints."""
    codes = tuple(part.strip() for part in text.split(",") if part.strip())
    if not codes:
        raise argparse.ArgumentTypeError(f"{text!r}: give codes, e.g. CNY,CHN or 156")
    return tuple(int(code) if code.isdigit() else code.upper() for code in codes)


def bill_types(text: str) -> dict[int, int]:
    """``40=100,41=500`` -> {0x40: 100, 0x41: 500}: ICT bill type (hex) -> fen."""
    types: dict[int, int] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        key, _, value = part.partition("=")
        try:
            bill_type, fen = int(key.strip(), 16), int(value.strip())
        except ValueError as exc:
            message = f"{part!r}: give TYPE=FEN pairs, e.g. 40=100,41=500"
            raise argparse.ArgumentTypeError(message) from exc
        if not 0x40 <= bill_type <= 0x48 or fen <= 0:
            raise argparse.ArgumentTypeError(f"{part!r}: types are 40..48, fen positive")
        types[bill_type] = fen
    if not types:
        raise argparse.ArgumentTypeError(f"{text!r}: give TYPE=FEN pairs, e.g. 40=100")
    return types


def event_json(event: AcceptorEvent, started: float) -> dict[str, Any]:
    """An event as a JSON-ready dict: {"event": "stacked", "t": 1.234, ...fields}."""
    fields: dict[str, Any] = {}
    for field in dataclasses.fields(event):
        if field.name == "at":
            continue
        value = getattr(event, field.name)
        if isinstance(value, enum.Enum):
            value = value.value
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            value = dataclasses.asdict(value)
        elif isinstance(value, dict):
            value = {str(k): v for k, v in value.items()}
        fields[field.name] = value
    name = "".join(f"_{c.lower()}" if c.isupper() else c for c in type(event).__name__)
    return {"event": name.lstrip("_"), "t": round(event.at - started, 3), **fields}


def run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    ready = threading.Event()
    refused = threading.Event()  # the bill table has no note the kiosk may accept
    lock = threading.Lock()

    def on_event(event: AcceptorEvent) -> None:
        with lock:
            print(json.dumps(event_json(event, started), ensure_ascii=False), flush=True)
        if isinstance(event, Ready):
            ready.set()
            refused.clear()
        elif isinstance(event, Fault) and event.kind is FaultKind.BILL_TABLE:
            refused.set()
            ready.clear()
            print(f"kiosk diag cash: {event.reason}", file=sys.stderr, flush=True)

    def decide(_escrow: Escrow) -> Decision:
        return Decision.STACK if args.stack_all else Decision.RETURN

    settings: dict[str, Any] = {}
    if args.table_codes:
        settings["table_codes"] = args.table_codes
    if args.bill_types:
        if args.protocol != "ict":
            print("kiosk diag cash: --bill-types is for --protocol ict only", file=sys.stderr)
            return 2
        settings["bill_types"] = args.bill_types
    try:
        acceptor = open_acceptor(
            args.protocol,
            args.url,
            on_event=on_event,
            decide=decide,
            baudrate=args.baudrate,
            **settings,
        )
    except ValueError as exc:
        print(f"kiosk diag cash: {exc}", file=sys.stderr)
        return 2
    try:
        acceptor.start()
        if not refused.is_set() and ready.wait(args.seconds):
            table = acceptor.bill_table
            acceptor.enable(args.enable if args.enable else frozenset(table.values()))
        if not refused.is_set():  # a refused table is the answer: no need to listen on
            refused.wait(max(0.0, args.seconds - (time.monotonic() - started)))
    finally:
        acceptor.stop()
    with lock:
        print(json.dumps({"event": "summary", "counters": dict(acceptor.counters)}), flush=True)
    return 0 if ready.is_set() and not refused.is_set() else 1
