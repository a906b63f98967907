"""`kiosk emulate ctl`: send a command to a running emulator's control socket."""

from __future__ import annotations

from typing import Any

from kiosk.cli.pending import not_built


def register(devices: Any) -> None:
    parser = devices.add_parser(
        "ctl", help="send a command to a running emulator's control socket (issue #4)"
    )
    parser.set_defaults(handler=not_built("emulate ctl", 4))
