"""`kiosk technicians`: add, disable and list maintenance technicians."""

from __future__ import annotations

from typing import Any

from kiosk.cli.pending import not_built


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "technicians", help="add, disable and list maintenance technicians (issue #8)"
    )
    parser.set_defaults(handler=not_built("technicians", 8))
