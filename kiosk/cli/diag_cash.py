"""`kiosk diag cash`: talk to a bill acceptor and print its identity, table and events."""

from __future__ import annotations

from typing import Any

from kiosk.cli.pending import not_built


def register(devices: Any) -> None:
    parser = devices.add_parser(
        "cash", help="talk to a bill acceptor and print its identity, table and events (issue #4)"
    )
    parser.set_defaults(handler=not_built("diag cash", 4))
