"""`kiosk diag cash URL --protocol P`: talk to a bill acceptor and print what it says.

JSON lines on stdout: the identity and bill table (``ready``), then every event, each with
``t`` (seconds since start). Bills are returned unless ``--stack-all``. The URL
``emulator://`` (or ``emulator://ccnet?state=FILE``) starts an emulator in this process.
Exit 0 when the device answered, 1 when it never did, 2 for a bad URL.
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

from drivers.cash import PROTOCOLS, AcceptorEvent, Decision, Escrow, Ready, open_acceptor
from kiosk.cli.emulate_cash import bills

EMULATOR_SCHEME = "emulator://"


def register(devices: Any) -> None:
    parser = devices.add_parser(
        "cash",
        help="talk to a bill acceptor and print its identity, table and events",
        description="Open the acceptor at URL (a serial path, socket://..., or emulator:// for a "
        "built-in emulator), print its identity and bill table, enable it and print every event "
        "as a JSON line for --seconds. Bills are returned unless --stack-all.",
    )
    parser.add_argument("url")
    parser.add_argument("--protocol", choices=PROTOCOLS, required=True)
    decision = parser.add_mutually_exclusive_group()
    decision.add_argument("--stack-all", action="store_true", help="stack every bill")
    decision.add_argument("--return-all", action="store_true", help="return every bill (default)")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long to listen")
    parser.add_argument("--baudrate", type=int, default=9600)
    parser.add_argument("--enable", type=bills, help="denominations to accept (default: all)")
    parser.set_defaults(handler=run)


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
    lock = threading.Lock()

    def on_event(event: AcceptorEvent) -> None:
        with lock:
            print(json.dumps(event_json(event, started), ensure_ascii=False), flush=True)
        if isinstance(event, Ready):
            ready.set()

    def decide(_escrow: Escrow) -> Decision:
        return Decision.STACK if args.stack_all else Decision.RETURN

    url = args.url
    if url == EMULATOR_SCHEME:
        url += args.protocol
    try:
        acceptor = open_acceptor(
            args.protocol, url, on_event=on_event, decide=decide, baudrate=args.baudrate
        )
    except ValueError as exc:
        print(f"kiosk diag cash: {exc}", file=sys.stderr)
        return 2
    try:
        acceptor.start()
        if ready.wait(args.seconds):
            table = acceptor.bill_table
            acceptor.enable(args.enable if args.enable else frozenset(table.values()))
        time.sleep(max(0.0, args.seconds - (time.monotonic() - started)))
    finally:
        acceptor.stop()
    with lock:
        print(json.dumps({"event": "summary", "counters": dict(acceptor.counters)}), flush=True)
    return 0 if ready.is_set() else 1
