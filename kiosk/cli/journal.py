"""`kiosk journal verify|export`: prove the journal is intact; write its events as JSON lines."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from kiosk import config
from kiosk.journal import Journal


def register(commands: Any) -> None:
    parser = commands.add_parser("journal", help="verify or export the payment journal")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name, help_text in (
        ("verify", "check the hash chain; exit 1 naming the first bad row"),
        ("export", "write every event as a JSON line (to stdout or --out FILE)"),
    ):
        sub = actions.add_parser(name, help=help_text)
        sub.add_argument("--config", type=Path, default=None, help="kiosk config file")
        sub.add_argument(
            "--journal",
            type=Path,
            default=None,
            help="journal file (default: data_dir/journal.db from the config)",
        )
        if name == "export":
            sub.add_argument("--out", type=Path, default=None)
        sub.set_defaults(handler=_verify if name == "verify" else _export)


def journal_path(args: argparse.Namespace) -> Path:
    if args.journal is not None:
        return Path(args.journal)
    loaded = config.load(args.config or config.default_path())
    return loaded.journal_path


def _open(args: argparse.Namespace) -> Journal | None:
    path = journal_path(args)
    if not path.exists():
        print(f"kiosk journal: no journal at {path}; pass --journal or --config", file=sys.stderr)
        return None
    return Journal(path)


def _verify(args: argparse.Namespace) -> int:
    journal = _open(args)
    if journal is None:
        return 2
    try:
        report = journal.verify()
    finally:
        journal.close()
    print(
        json.dumps(
            {
                "ok": report.ok,
                "events": report.events,
                "first_bad_seq": report.first_bad_seq,
                "problem": report.problem or None,
            }
        )
    )
    return 0 if report.ok else 1


def _export(args: argparse.Namespace) -> int:
    journal = _open(args)
    if journal is None:
        return 2
    try:
        if args.out is None:
            journal.export(sys.stdout)
        else:
            with args.out.open("w", encoding="utf-8") as out:
                count = journal.export(out)
            print(json.dumps({"exported": count, "file": str(args.out)}))
    finally:
        journal.close()
    return 0
