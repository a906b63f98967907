"""`kiosk run`: the kiosk itself (Qt window), or headless with a script of intents."""

from __future__ import annotations

import argparse
import faulthandler
import logging
import signal
import sys
import threading
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from kiosk import config

log = logging.getLogger("kiosk.run")


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "run", help="run the kiosk (Qt UI; --headless --script F.jsonl for automation)"
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        help="kiosk config (default: $KIOSK_CONFIG, /etc/kiosk/kiosk.toml, demo)",
    )
    parser.add_argument("--windowed", action="store_true", help="a window instead of fullscreen")
    parser.add_argument("--headless", action="store_true", help="no Qt: run --script")
    parser.add_argument("--script", type=Path, help="JSON lines of intents and waits")
    parser.add_argument(
        "--keep-running",
        action="store_true",
        help="headless: stay up after the script (until SIGTERM)",
    )
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    # A watchdog kill (SIGABRT) then prints every thread's stack to the journal.
    faulthandler.enable()
    loaded = config.load(args.config or config.default_path())
    if args.headless:
        return run_headless(loaded, args.script, keep_running=args.keep_running)
    frontends = entry_points(group="kiosk.frontends", name="qt")
    if not frontends:
        print("kiosk run: the Qt front end is not installed (package ui)", file=sys.stderr)
        return 2
    frontend = next(iter(frontends)).load()
    code: int = frontend(loaded, windowed=args.windowed)
    return code


def run_headless(loaded: config.KioskConfig, script: Path | None, *, keep_running: bool) -> int:
    from kiosk.headless import ScriptError, SnapshotLog, run_script
    from kiosk.runtime import Runtime

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    runtime = Runtime(loaded)
    snapshots = SnapshotLog(sys.stdout)
    runtime.engine.subscribe(snapshots)
    runtime.start()
    code = 0
    try:
        if script is not None:
            with script.open(encoding="utf-8") as lines:
                run_script(runtime.engine, lines, snapshots)
        if keep_running or script is None:
            stop.wait()
    except ScriptError as exc:
        print(f"kiosk run: script: {exc}", file=sys.stderr)
        code = 1
    except KeyboardInterrupt:
        code = 130
    finally:
        runtime.stop()
    return code
