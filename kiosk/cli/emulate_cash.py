"""`kiosk emulate cash`: emulate a bill acceptor (CCNET or ID-003) on a pty."""

from __future__ import annotations

from typing import Any

from kiosk.cli.pending import not_built


def register(devices: Any) -> None:
    parser = devices.add_parser(
        "cash", help="emulate a bill acceptor (CCNET or ID-003) on a pty (issue #4)"
    )
    parser.set_defaults(handler=not_built("emulate cash", 4))
