"""`kiosk emulate ctl SOCKET COMMAND [ARGS]`: one command to a running emulator; prints its answer.

Exit 0 when the emulator answered ``"ok": true``; 1 when it refused the command (the answer
says why) or did not answer; 2 when SOCKET is missing or not a socket (one line on stderr says
what to pass instead).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from kiosk.emulator_control import ControlUnreachable, control

EXIT_PROBLEM = 1
EXIT_USAGE = 2


def register(devices: Any) -> None:
    parser = devices.add_parser(
        "ctl",
        help="send a command to a running emulator's control socket",
        description="Send COMMAND (insert 10000, jam, remove-cassette, power-cycle true, "
        "scan CODE, unplug, replug, status, help, ...) to the emulator listening on SOCKET "
        "and print its JSON answer.",
    )
    parser.add_argument("socket", type=Path)
    parser.add_argument("command")
    parser.add_argument("arguments", nargs="*")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds to wait (default 5)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    line = " ".join([args.command, *args.arguments])
    try:
        answer = control(args.socket, line, timeout=args.timeout)
    except ControlUnreachable as exc:
        print(f"kiosk emulate ctl: {exc}", file=sys.stderr)
        return EXIT_USAGE if exc.bad_path else EXIT_PROBLEM
    print(json.dumps(answer, ensure_ascii=False))
    return 0 if answer.get("ok") else EXIT_PROBLEM
