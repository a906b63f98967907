"""The demo on one machine, without Qt: central server, device emulators, a config for them.

``Demo(base_config, Path("var/demo")).start()`` runs ``kiosk-central init-db``, ``seed-demo``
and ``serve`` (a child process on a free loopback port, SQLite under the demo folder), starts
the cash acceptor and printer emulators in this process on real ptys, and builds a
``KioskConfig`` pointed at all three. The Qt front end or ``scripted_payment`` (no display)
then runs the kiosk itself. ``stop()`` undoes everything, in reverse order.

The emulator controls (``insert``, ``act``) are what the demo's control window calls; they
answer a short human sentence and raise ``DemoError`` (drawn in ``kiosk_demo``) with what to do
when the device refuses.
"""

from __future__ import annotations

import dataclasses
import enum
import fcntl
import json
import logging
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import requests

from drivers.emulators.cash import CashEmulator
from drivers.emulators.errors import CommandError
from drivers.emulators.printer_emulator import PrinterEmulator
from drivers.emulators.scanner import ScannerEmulator
from kiosk import KioskError, money
from kiosk.config import KioskConfig
from kiosk.journal import Journal
from kiosk.secret_source import SECRET_FILE_NAME
from kiosk.technicians import Registry, Role

# Demo maintenance staff (shown by `kiosk demo`); a real kiosk adds its own with
# `kiosk technicians add`.
DEMO_STAFF = (
    ("T001", "张工 Zhang", Role.TECHNICIAN, "123456"),
    ("C001", "李收款 Li", Role.COLLECTOR, "654321"),
)

log = logging.getLogger("kiosk_demo.rig")

DEMO_DIR = Path("var/demo")
SERVER_START_TIMEOUT_S = 60.0  # init-db runs the migrations: a cold machine takes a while
ADMIN_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 10.0
HEALTH_POLL_S = 0.1
INSERT_RETRY_S = 0.1  # a note is offered again this often while the acceptor is busy
STEP_TIMEOUT_S = 30.0
RECEIPT_TIMEOUT_S = 30.0
MAX_NOTES = 60  # the scripted payment never feeds more (¥5,000 in ¥100 notes is 50)

# What the demo folder holds; only these are removed for a fresh start.
CENTRAL_DB = "central.db"
KIOSK_DIR = "kiosk"
RECEIPTS_DIR = "receipts"
CASSETTE_FILE = "cassette.json"
SERVER_LOG = "central-server.log"
SNAPSHOTS_FILE = "snapshots.jsonl"
LOCK_FILE = "demo.lock"  # held while a demo runs: a second one must not wipe its data
_FRESH_START = (
    CENTRAL_DB,
    f"{CENTRAL_DB}-wal",
    f"{CENTRAL_DB}-shm",
    KIOSK_DIR,
    RECEIPTS_DIR,
    CASSETTE_FILE,
    SERVER_LOG,
    SNAPSHOTS_FILE,
)


class DemoError(KioskError):
    """The demo cannot go on; the message says what failed and what to do."""


class DeviceAction(enum.Enum):
    """What the demo's control window can do to the emulated devices (besides inserting)."""

    PULL_BACK = "pull_back"
    JAM = "jam"
    CLEAR_JAM = "clear_jam"
    CASSETTE_FULL = "cassette_full"
    EMPTY_CASSETTE = "empty_cassette"
    PAPER_OUT = "paper_out"
    PAPER_NEAR_END = "paper_near_end"
    PAPER_READY = "paper_ready"
    COVER_OPEN = "cover_open"


@dataclass(frozen=True)
class DemoAccount:
    role: str
    account_no: str


@dataclass(frozen=True)
class DemoCard:
    card_no: str
    pin: str
    face_fen: int


@dataclass(frozen=True)
class Seeded:
    """What ``kiosk-central seed-demo`` created: the accounts and cards a newcomer can use."""

    accounts: tuple[DemoAccount, ...]
    cards: tuple[DemoCard, ...]

    @classmethod
    def from_lines(cls, lines: list[str]) -> Seeded:
        rows = [json.loads(line) for line in lines if line.strip()]
        accounts = tuple(
            DemoAccount(str(r["role"]), str(r["account_no"])) for r in rows if "role" in r
        )
        cards = tuple(
            DemoCard(str(r["card_no"]), str(r["pin"]), int(r["face_fen"]))
            for r in rows
            if "card_no" in r
        )
        return cls(accounts, cards)

    def account(self, role: str) -> str:
        for account in self.accounts:
            if account.role == role:
                return account.account_no
        raise DemoError(
            f"seed-demo created no {role!r} account; it created "
            f"{', '.join(a.role for a in self.accounts) or 'none'}"
        )


class CentralProcess:
    """``kiosk-central serve`` as a child process on 127.0.0.1 (a free port)."""

    def __init__(
        self, process: subprocess.Popen[bytes], url: str, public_url: str, log_path: Path
    ) -> None:
        self.process = process
        self.url = url
        self.public_url = public_url
        self.log_path = log_path

    @classmethod
    def start(cls, db_url: str, log_path: Path, extra_args: Sequence[str] = ()) -> CentralProcess:
        with log_path.open("ab") as server_log:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [
                    sys.executable,
                    "-m",
                    "central.cli",
                    "serve",
                    "--db",
                    db_url,
                    "--host",
                    "127.0.0.1",
                    "--port",
                    "0",
                    "--log-level",
                    "WARNING",
                    *extra_args,
                ],
                stdout=subprocess.PIPE,
                stderr=server_log,
                env=_child_env(),
            )
        try:
            announced = _read_announcement(process, log_path)
            server = cls(
                process,
                str(announced["listening"]),
                str(announced.get("public_url") or announced["listening"]),
                log_path,
            )
            server.wait_healthy()
        except BaseException:
            _end(process)
            raise
        return server

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while True:
            if self.process.poll() is not None:
                raise DemoError(f"the central server exited: {_tail(self.log_path)}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise DemoError(
                    f"the central server did not answer within "
                    f"{SERVER_START_TIMEOUT_S:.0f} s; see {self.log_path}"
                )
            time.sleep(HEALTH_POLL_S)

    def stop(self) -> None:
        _end(self.process)


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    # The demo names its database on the command line; a stray variable must not win.
    env.pop("CENTRAL_DATABASE_URL", None)
    repo = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (repo, env.get("PYTHONPATH", "")) if p)
    return env


def _read_announcement(process: subprocess.Popen[bytes], log_path: Path) -> dict[str, Any]:
    """The server prints one JSON line with its address before serving, or exits."""
    assert process.stdout is not None
    box: list[bytes] = []
    reader = threading.Thread(
        target=lambda: box.append(process.stdout.readline()),  # type: ignore[union-attr]
        name="demo-server-announce",
        daemon=True,
    )
    reader.start()
    reader.join(SERVER_START_TIMEOUT_S)
    if not box or not box[0]:
        raise DemoError(f"the central server did not start: {_tail(log_path)}")
    try:
        answer: dict[str, Any] = json.loads(box[0])
        str(answer["listening"])
    except (ValueError, KeyError) as exc:
        raise DemoError(f"the central server printed {box[0]!r}, not its address") from exc
    return answer


def _end(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL if it lingers; always reaped, its pipe closed."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT_S)
    if process.stdout is not None:
        process.stdout.close()


def _tail(path: Path, chars: int = 1500) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no server log)"
    return text[-chars:].strip() or "(the server log is empty)"


def run_admin(*args: str) -> list[str]:
    """Run a ``kiosk-central`` admin command; its stdout lines, or DemoError with its stderr."""
    try:
        done = subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "central.cli", *args],
            capture_output=True,
            text=True,
            timeout=ADMIN_TIMEOUT_S,
            env=_child_env(),
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise DemoError(f"kiosk-central {args[0]} took over {ADMIN_TIMEOUT_S:.0f} s") from exc
    if done.returncode != 0:
        raise DemoError(
            f"kiosk-central {args[0]} failed ({done.returncode}): {done.stderr.strip()[-1500:]}"
        )
    return done.stdout.splitlines()


class Demo:
    """The central server and both emulators for one kiosk; a context manager."""

    def __init__(self, base: KioskConfig, workdir: Path = DEMO_DIR, *, fresh: bool = True) -> None:
        self.base = base
        self.workdir = Path(workdir).absolute()
        self.fresh = fresh
        self.server: CentralProcess | None = None
        self.cash: CashEmulator | None = None
        self.printer: PrinterEmulator | None = None
        self.scanner: ScannerEmulator | None = None
        self.seeded = Seeded((), ())
        self._config: KioskConfig | None = None
        self._lock: IO[bytes] | None = None

    @property
    def config(self) -> KioskConfig:
        """The kiosk config pointed at this demo's server and emulators (after ``start``)."""
        if self._config is None:
            raise DemoError("the demo is not started")
        return self._config

    @property
    def receipts_dir(self) -> Path:
        return self.workdir / RECEIPTS_DIR

    @property
    def server_url(self) -> str:
        if self.server is None:
            raise DemoError("the demo is not started")
        return self.server.public_url

    def wallet_url(self, order_id: str) -> str:
        """The demo wallet page where a QR order is paid (the server's /pay/{order_id})."""
        return f"{self.server_url.rstrip('/')}/pay/{order_id}"

    # ---- life cycle ---------------------------------------------------------------------

    def start(self) -> Demo:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._take_lock()
        if self.fresh:
            self._clear()
        base = self.base
        db_url = f"sqlite:///{self.workdir / CENTRAL_DB}"
        log.info("central server database %s", db_url)
        run_admin("init-db", "--db", db_url, "--log-level", "WARNING")
        self.seeded = Seeded.from_lines(
            run_admin(
                "seed-demo",
                "--db",
                db_url,
                "--log-level",
                "WARNING",
                "--kiosk-id",
                base.kiosk.id,
                "--kiosk-secret",
                base.central.secret,
            )
        )
        self.server = CentralProcess.start(db_url, self.workdir / SERVER_LOG)
        self.cash = CashEmulator(base.cash.protocol, state_file=self.workdir / CASSETTE_FILE)
        cash_path = self.cash.start()
        self.printer = PrinterEmulator(
            self.receipts_dir,
            columns=base.chars_per_line,
            encoding=base.printer.encoding,
            has_cutter=base.printer.has_cutter,
        )
        printer_path = self.printer.start()
        self.scanner = ScannerEmulator()
        scanner_path = self.scanner.start()
        self._config = dataclasses.replace(
            base,
            kiosk=dataclasses.replace(base.kiosk, data_dir=self.workdir / KIOSK_DIR),
            # a pairing in the demo writes its secret beside the demo's journal, not in the
            # checkout (central.secret_file was resolved from the config's data_dir)
            central=dataclasses.replace(
                base.central,
                url=self.server.url,
                secret_file=self.workdir / KIOSK_DIR / SECRET_FILE_NAME,
            ),
            cash=dataclasses.replace(base.cash, enabled=True, url=cash_path),
            printer=dataclasses.replace(base.printer, enabled=True, url=printer_path),
            scanner=dataclasses.replace(base.scanner, url=scanner_path),
        )
        self._add_demo_staff(self._config.journal_path)
        log.info(
            "demo up: server %s, acceptor %s, printer %s", self.server.url, cash_path, printer_path
        )

    @staticmethod
    def _add_demo_staff(journal_path: Path) -> None:
        """A technician and a collector, so the maintenance screen can be tried (demo only)."""
        journal_path.parent.mkdir(parents=True, exist_ok=True)
        journal = Journal(journal_path)
        try:
            registry = Registry(journal)
            for staff_id, name, role, pin in DEMO_STAFF:
                if registry.find(staff_id) is None:
                    registry.add(staff_id, name, role, pin)
        finally:
            journal.close()

    def _take_lock(self) -> None:
        lock = (self.workdir / LOCK_FILE).open("wb")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            lock.close()
            raise DemoError(
                f"another kiosk demo is running with {self.workdir}; stop it first, or give "
                "this one its own --data-dir"
            ) from exc
        self._lock = lock

    def _clear(self) -> None:
        for name in _FRESH_START:
            path = self.workdir / name
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            elif path.exists() or path.is_symlink():
                path.unlink()

    def stop(self) -> None:
        """Stop the emulators and the server; safe to call twice or after a failed start."""
        for device in (self.scanner, self.printer, self.cash):
            if device is not None:
                try:
                    device.stop()
                except Exception:
                    log.exception("stopping an emulator failed")
        self.printer = self.cash = None
        self.scanner = None
        if self.server is not None:
            self.server.stop()
            self.server = None
        if self._lock is not None:
            self._lock.close()  # releases the flock
            self._lock = None

    def __enter__(self) -> Demo:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    # ---- what the control window does -----------------------------------------------------

    def _devices(self) -> tuple[CashEmulator, PrinterEmulator]:
        if self.cash is None or self.printer is None:
            raise DemoError("the demo is not started")
        return self.cash, self.printer

    def insert(self, denomination_fen: int) -> str:
        """A customer inserts a genuine note."""
        cash, _ = self._devices()
        try:
            cash.insert(denomination_fen)
        except CommandError as exc:
            raise DemoError(
                f"{money.format_fen(denomination_fen)} not taken: {exc}; choose "
                "cash on the kiosk first, or wait for the note before"
            ) from exc
        return f"{money.format_fen(denomination_fen)} inserted"

    def scan(self, code: str) -> str:
        """A customer shows a payment code (the sandbox's case is in its last four digits)."""
        if self.scanner is None:
            raise DemoError("the demo is not started")
        try:
            self.scanner.scan(code)
        except CommandError as exc:
            raise DemoError(f"scan: {exc}") from exc
        return f"scanned {code[:2]}…{code[-4:]}"

    def act(self, action: DeviceAction) -> str:
        """Do ``action`` to a device; a short sentence of what happened."""
        cash, printer = self._devices()
        try:
            return self._act(action, cash, printer)
        except CommandError as exc:
            raise DemoError(f"{action.value.replace('_', ' ')}: {exc}") from exc

    @staticmethod
    def _act(action: DeviceAction, cash: CashEmulator, printer: PrinterEmulator) -> str:
        cash_actions: dict[DeviceAction, Callable[[], dict[str, Any]]] = {
            DeviceAction.PULL_BACK: cash.pull_back,
            DeviceAction.JAM: cash.jam,
            DeviceAction.CLEAR_JAM: cash.clear_jam,
            DeviceAction.CASSETTE_FULL: cash.cassette_full,
        }
        printer_actions: dict[DeviceAction, Callable[[], None]] = {
            DeviceAction.PAPER_OUT: printer.paper_out,
            DeviceAction.PAPER_NEAR_END: printer.paper_near_end,
            DeviceAction.PAPER_READY: printer.ready,
            DeviceAction.COVER_OPEN: printer.cover_open,
        }
        if action in cash_actions:
            answer = cash_actions[action]()
            detail = answer.get("bill") or answer.get("result") or ""
            return f"acceptor: {action.value.replace('_', ' ')} {detail}".strip()
        if action is DeviceAction.EMPTY_CASSETTE:
            removed = cash.remove_cassette()["removed"]
            cash.replace_cassette(emptied=True)
            total = sum(int(k) * v for k, v in removed.items())
            return f"cassette emptied ({money.format_fen(total)} taken out)"
        printer_actions[action]()
        return f"printer: {printer.state.value.replace('_', ' ')}"

    def device_status(self) -> dict[str, Any]:
        """A short summary of both devices for the control window."""
        cash, printer = self._devices()
        acceptor = cash.status()
        return {
            "acceptor": acceptor["state"],
            "enabled_fen": acceptor["enabled_fen"],
            "cassette_notes": acceptor["cassette_notes"],
            "cassette_total_fen": acceptor["cassette_total_fen"],
            "printer": printer.state.value,
            "receipts": [str(r.png_path) for r in printer.receipts if r.png_path is not None],
        }


# ---- the scripted payment (no display) ------------------------------------------------------


@dataclass(frozen=True)
class PaymentOutcome:
    txn_id: str
    status: str
    amount_fen: int
    printing: str
    receipt_text: str
    receipt_png: Path | None


def notes_for(amount_fen: int, denominations_fen: tuple[int, ...]) -> list[int]:
    """Notes a customer would feed: largest first, the last one may leave a surplus."""
    notes: list[int] = []
    left = amount_fen
    ordered = sorted(denominations_fen, reverse=True)
    while left > 0:
        fitting = [d for d in ordered if d <= left]
        note = fitting[0] if fitting else ordered[-1]
        notes.append(note)
        left -= note
        if len(notes) > MAX_NOTES:
            raise DemoError(f"{money.format_fen(amount_fen)} needs more than {MAX_NOTES} notes")
    return notes


class _Narrator:
    """Turns engine snapshots into one human line per state change."""

    def __init__(self, say: Callable[[str], None]) -> None:
        self._say = say
        self._state = ""
        self._inserted = 0

    def __call__(self, snap: dict[str, Any]) -> None:
        state = str(snap.get("state"))
        inserted = int(snap.get("cash", {}).get("inserted_fen") or 0)
        if inserted != self._inserted:
            self._inserted = inserted
            still = int(snap["cash"].get("still_due_fen") or 0)
            surplus = int(snap["cash"].get("surplus_fen") or 0)
            self._say(
                f"  inserted so far {money.format_fen(inserted)}, still due "
                f"{money.format_fen(still)}, to balance {money.format_fen(surplus)}"
            )
        if state == self._state:
            return
        self._state = state
        line = f"state: {state.replace('_', ' ')}"
        account = snap.get("account")
        if state == "account_shown" and account:
            line += (
                f": {account['holder']}, {account['address']}; due "
                f"{money.format_fen(int(account['due_fen']))}, balance "
                f"{money.format_fen(int(account['balance_fen']))}"
            )
        elif state == "cash_insert":
            line += f": txn {snap.get('txn_id')}, amount {money.format_fen(snap['amount_fen'])}"
        elif state == "done" and snap.get("result"):
            result = snap["result"]
            line += f": {result.get('status')} (txn {result.get('txn_id')})"
        if snap.get("error"):
            line += f"; error {snap['error']}"
        self._say(line)


def scripted_payment(
    demo: Demo,
    say: Callable[[str], None],
    *,
    role: str = "residential_arrears",
    timeout_s: float = STEP_TIMEOUT_S,
) -> PaymentOutcome:
    """Pay one demo account's whole due amount in cash through a real kiosk runtime.

    Intents and waits go through ``kiosk.headless.run_script``; notes go in through the cash
    emulator as a customer would feed them. Every snapshot is kept as JSON lines in the demo
    folder; ``say`` gets the human-readable steps.
    """
    from kiosk.headless import ScriptError, SnapshotLog, run_script
    from kiosk.runtime import Runtime

    account_no = demo.seeded.account(role)
    config = demo.config
    runtime = Runtime(config)
    with (demo.workdir / SNAPSHOTS_FILE).open("w", encoding="utf-8") as snapshot_file:
        snapshots = SnapshotLog(snapshot_file)
        runtime.engine.subscribe(snapshots)
        runtime.engine.subscribe(_Narrator(say))
        runtime.start()
        try:
            say(f"paying the whole due amount of account {account_no} ({role}) in cash")
            snapshots.wait("methods.cash.ok", True, timeout_s)
            run_script(
                runtime.engine,
                _script(
                    {"do": "start"},
                    {"wait": "account_entry"},
                    {"do": "enter_account", "account_no": account_no},
                    {"wait": "account_shown"},
                    {"do": "choose_amount"},
                    {"wait": "amount_chosen"},
                    {"do": "choose_method", "method": "cash"},
                    {"wait": "cash_insert"},
                    timeout=timeout_s,
                ),
                snapshots,
            )
            amount = int(snapshots.latest["amount_fen"])
            _feed(demo, snapshots, notes_for(amount, config.cash.denominations_fen), say, timeout_s)
            run_script(
                runtime.engine,
                _script({"do": "finish"}, {"wait": "done"}, timeout=timeout_s),
                snapshots,
            )
            result = dict(snapshots.latest["result"])
            if result.get("printing") == "pending":
                _wait_printed(snapshots, timeout_s)
                result = dict(snapshots.latest["result"])
        except ScriptError as exc:
            raise DemoError(f"the scripted payment stopped: {exc}") from exc
        finally:
            runtime.stop()
    receipt_png: Path | None = None
    receipt_text = ""
    if result.get("printing") == "printed":
        _, printer = demo._devices()
        try:
            receipt = printer.wait_for_receipt(timeout_s=RECEIPT_TIMEOUT_S)
        except TimeoutError as exc:
            raise DemoError(f"the printer emulator saved no receipt: {exc}") from exc
        receipt_text, receipt_png = receipt.transcript, receipt.png_path
    return PaymentOutcome(
        str(result.get("txn_id")),
        str(result.get("status")),
        int(result.get("amount_fen") or 0),
        str(result.get("printing")),
        receipt_text,
        receipt_png,
    )


def _script(*steps: dict[str, Any], timeout: float) -> Iterator[str]:
    for step in steps:
        yield json.dumps({**step, "timeout": timeout} if "wait" in step else step)


def _wait_printed(snapshots: Any, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while snapshots.latest.get("result", {}).get("printing") == "pending":
        if time.monotonic() > deadline:
            raise DemoError(f"the receipt was still printing after {timeout_s:.0f} s")
        time.sleep(HEALTH_POLL_S)


def _feed(
    demo: Demo, snapshots: Any, notes: list[int], say: Callable[[str], None], timeout_s: float
) -> None:
    """Insert each note once the acceptor draws notes in; wait until it is counted."""
    cash, _ = demo._devices()
    expected = int(snapshots.latest["cash"]["inserted_fen"] or 0)
    for note in notes:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                cash.insert(note)
                break
            except CommandError as exc:  # still enabling, or the last note still moving
                if time.monotonic() > deadline:
                    raise DemoError(
                        f"the acceptor never took {money.format_fen(note)}: {exc}"
                    ) from exc
                time.sleep(INSERT_RETRY_S)
        say(f"  a customer inserts {money.format_fen(note)}")
        expected += note
        snapshots.wait("cash.inserted_fen", expected, timeout_s)


def write_lines(out: IO[str]) -> Callable[[str], None]:
    """A ``say`` that writes whole lines to ``out`` (the engine thread may call it too)."""
    lock = threading.Lock()

    def say(line: str) -> None:
        with lock:
            out.write(line + "\n")
            out.flush()

    return say
