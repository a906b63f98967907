"""`kiosk run`: run the kiosk (Qt UI; --headless --script F.jsonl for automation)."""

from __future__ import annotations

from typing import Any

from kiosk.cli.pending import not_built


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "run", help="run the kiosk (Qt UI; --headless --script F.jsonl for automation) (issue #6)"
    )
    parser.set_defaults(handler=not_built("run", 6))
