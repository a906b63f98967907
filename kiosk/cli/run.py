"""`kiosk run`: the kiosk itself (Qt window), or headless with a script of intents.

SIGTERM (systemd's stop) ends a headless run at once, even while a script step waits: the
engine stops, the journal is closed and the exit code is 0. Not the shell's 143: with no
``SuccessExitStatus=143`` in the units, systemd would count 143 as a failure (and start
``OnFailure=kiosk-recover.timer``); the Qt front end also exits 0 on SIGTERM. A script that
cannot be read, or has a line that is not a step, is refused before the kiosk starts (exit 2).
"""

from __future__ import annotations

import argparse
import faulthandler
import logging
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import entry_points
from pathlib import Path
from types import FrameType
from typing import Any

from kiosk import config, local_time
from kiosk.config_error import ConfigError

log = logging.getLogger("kiosk.run")

EXIT_SCRIPT_FAILED = 1
EXIT_USAGE = 2


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
    if (args.script or args.keep_running) and not args.headless:
        print("kiosk run: --script and --keep-running need --headless", file=sys.stderr)
        return EXIT_USAGE
    loaded = config.load(args.config or config.default_path())
    local_time.use(loaded.kiosk.timezone)
    _make_data_dir(loaded)
    if args.headless:
        return run_headless(loaded, args.script, keep_running=args.keep_running)
    frontends = entry_points(group="kiosk.frontends", name="qt")
    if not frontends:
        print("kiosk run: the Qt front end is not installed (package ui)", file=sys.stderr)
        return 2
    frontend = next(iter(frontends)).load()
    code: int = frontend(loaded, windowed=args.windowed)
    return code


def _make_data_dir(loaded: config.KioskConfig) -> None:
    data_dir = Path(loaded.kiosk.data_dir)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"{loaded.source}: kiosk.data_dir: cannot create {data_dir} ({exc.strerror}); "
            "create it, writable by the user the kiosk runs as, or set KIOSK_DATA_DIR"
        ) from exc


class Terminated(BaseException):
    """SIGTERM arrived while the script ran or the kiosk idled: stop now, cleanly.

    A BaseException, as KeyboardInterrupt is, so that no ``except Exception`` swallows it.
    """


class TermHandler:
    """SIGTERM is noted whenever it comes, and raised as Terminated only inside
    ``interruptible()`` (the script's steps and the idle wait), so it can cut short a wait
    of any length but never a start-up or the shutdown half done."""

    def __init__(self) -> None:
        self.requested = False
        self._armed = False

    def __call__(self, _signum: int, _frame: FrameType | None) -> None:
        self.requested = True
        if self._armed:
            self._armed = False
            raise Terminated

    @contextmanager
    def interruptible(self) -> Iterator[None]:
        if self.requested:
            raise Terminated
        self._armed = True
        try:
            yield
        finally:
            self._armed = False


def run_headless(loaded: config.KioskConfig, script: Path | None, *, keep_running: bool) -> int:
    from kiosk.headless import ScriptError, ScriptInvalid, SnapshotLog, read_script, run_steps
    from kiosk.runtime import Runtime

    try:
        steps = read_script(script) if script is not None else []
    except ScriptInvalid as exc:
        print(f"kiosk run: script {exc}", file=sys.stderr)
        return EXIT_USAGE
    term = TermHandler()
    previous = signal.signal(signal.SIGTERM, term)
    try:
        runtime = Runtime(loaded)
        snapshots = SnapshotLog(sys.stdout)
        runtime.engine.subscribe(snapshots)
        runtime.start()
        code = 0
        try:
            with term.interruptible():
                run_steps(runtime.engine, steps, snapshots)
                while keep_running or script is None:
                    signal.pause()  # until SIGTERM (raised as Terminated) or Ctrl-C
        except Terminated:
            log.info("SIGTERM: stopping the kiosk")
        except ScriptError as exc:
            print(f"kiosk run: script {script}, {exc}", file=sys.stderr)
            code = EXIT_SCRIPT_FAILED
        except KeyboardInterrupt:
            code = 130
        finally:
            runtime.stop()
            log.info("kiosk %s stopped; journal %s closed", loaded.kiosk.id, loaded.journal_path)
    finally:
        signal.signal(signal.SIGTERM, previous)
    return code
