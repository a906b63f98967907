"""`kiosk technicians add|disable|list`: manage who may open the maintenance screen."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path
from typing import Any

from kiosk import config
from kiosk.journal import Journal
from kiosk.technicians import Registry, Role, TechnicianError


def register(commands: Any) -> None:
    parser = commands.add_parser("technicians", help="add, disable and list maintenance staff")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add a technician or collector (asks for the PIN)")
    add.add_argument("technician_id")
    add.add_argument("--name", required=True)
    add.add_argument("--role", choices=[r.value for r in Role], default=Role.TECHNICIAN.value)
    add.add_argument(
        "--pin-stdin",
        action="store_true",
        help="read the PIN from standard input (for scripts), not a prompt",
    )
    disable = actions.add_parser("disable", help="disable a technician (kept for the audit)")
    disable.add_argument("technician_id")
    actions.add_parser("list", help="list technicians as JSON lines")
    for sub in (add, disable, actions.choices["list"]):
        sub.add_argument("--config", type=Path, default=None)
    parser.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace) -> int:
    loaded = config.load(args.config or config.default_path())
    path = loaded.journal_path
    os.makedirs(path.parent, exist_ok=True)
    journal = Journal(path)
    registry = Registry(journal)
    try:
        if args.action == "add":
            pin = sys.stdin.readline().strip() if args.pin_stdin else _ask_pin()
            tech = registry.add(args.technician_id, args.name, Role(args.role), pin)
            print(json.dumps({"added": tech.technician_id, "role": tech.role.value}))
        elif args.action == "disable":
            registry.disable(args.technician_id)
            print(json.dumps({"disabled": args.technician_id}))
        else:
            for tech in registry.list():
                print(
                    json.dumps(
                        {
                            "id": tech.technician_id,
                            "name": tech.name,
                            "role": tech.role.value,
                            "enabled": tech.enabled,
                        },
                        ensure_ascii=False,
                    )
                )
    except TechnicianError as exc:
        print(f"kiosk technicians: {exc}", file=sys.stderr)
        return 1
    finally:
        journal.close()
    return 0


def _ask_pin() -> str:
    first = getpass.getpass("PIN (6-12 digits): ")
    if getpass.getpass("PIN again: ") != first:
        raise TechnicianError("the two PINs differ; nothing was changed")
    return first
