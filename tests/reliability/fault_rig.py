"""What the disk and device fault suites share: a real kiosk process paying with cash while the
test breaks something from outside, and the money checks that must hold afterwards.

    rig = FaultRig(server, cash, printer, protocol, account)
    run = rig.start_payment(tmp_path, expected_fen=12000)     # a headless kiosk, scripted
    rig.insert(run, 10000)                                      # as a customer would
    with SmallDisk.mounted(tmp_path / "data") as disk: ...      # a real tmpfs, filled or ro
    outcome = rig.finish(run)                                   # waits, then checks the money

The checks: bills in the emulator's cassette == cash stacked in the journal == cash credited
on the server, plus what open suspects may account for; no payment posted twice; nothing left
open or unposted; the journal's chain intact.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.reliability.processes import (
    REPO,
    EmulatorProcess,
    KioskProcess,
    child_env,
    kiosk_command,
    kiosk_sections,
    write_config,
)
from tests.support.central_server import CentralServer
from tests.support.kiosk_stack import new_kiosk

RUN_TIMEOUT_S = 90.0
SETTLE_TIMEOUT_S = 90.0
STRAY_NOTE = "note stacked with no open payment"


class SmallDisk:
    """A tmpfs of a few MB mounted on the kiosk's data directory: really full, really
    read-only, as the kiosk's SQLite meets them (ENOSPC, EROFS), not a simulated error."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._ballast = path / "ballast.bin"

    @classmethod
    @contextlib.contextmanager
    def mounted(cls, path: Path, size_mb: int = 16) -> Iterator[SmallDisk]:
        path.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size_mb}m,mode=0755", "tmpfs", str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs on {path} ({done.stderr.strip()}): run as root")
        try:
            yield cls(path)
        finally:
            subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)

    def fill(self) -> int:
        """Write a ballast file until the disk refuses another byte; returns its size."""
        written = 0
        with self._ballast.open("ab", buffering=0) as out:
            for chunk in (1 << 20, 1 << 16, 1 << 12, 1 << 9, 1):
                block = b"\0" * chunk
                while True:
                    try:
                        written += out.write(block) or 0
                    except OSError as exc:
                        if exc.errno != errno.ENOSPC:
                            raise
                        break
        return written

    def free(self) -> None:
        self._ballast.unlink(missing_ok=True)

    def read_only(self, on: bool) -> None:
        mode = "ro" if on else "rw"
        subprocess.run(
            ["mount", "-o", f"remount,{mode}", str(self.path)], check=True, capture_output=True
        )

    def free_bytes(self) -> int:
        stat = os.statvfs(self.path)
        return stat.f_bavail * stat.f_frsize


class FailingCard:
    """An ext4 file system on a loop device, mounted on the kiosk's data directory, that can fail
    as a worn SD card does: ``fail()`` makes the kernel record a file-system error, and ext4
    (``errors=remount-ro``) turns read-only at once, with the journal open (EIO, then EROFS).
    Only a person can bring it back: ``reboot()`` unmounts it, runs fsck and mounts it again."""

    def __init__(self, path: Path, image: Path, device: str) -> None:
        self.path, self.image, self.device = path, image, device

    @classmethod
    @contextlib.contextmanager
    def mounted(cls, path: Path, size_mb: int = 64) -> Iterator[FailingCard]:
        path.mkdir(parents=True, exist_ok=True)
        image = path.parent / f"{path.name}.img"
        with image.open("wb") as out:
            out.truncate(size_mb << 20)
        steps = [["mkfs.ext4", "-q", "-F", str(image)], ["losetup", "-f", "--show", str(image)]]
        done = [subprocess.run(s, capture_output=True, text=True, check=False) for s in steps]
        if any(d.returncode != 0 for d in done):
            pytest.skip(f"no loop device for an ext4 card: {[d.stderr.strip() for d in done]}")
        card = cls(path, image, done[1].stdout.strip())
        try:
            card._mount()
            yield card
        finally:
            subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)
            subprocess.run(["losetup", "-d", card.device], capture_output=True, check=False)
            image.unlink(missing_ok=True)

    def _mount(self) -> None:
        subprocess.run(
            ["mount", "-o", "errors=remount-ro", self.device, str(self.path)],
            check=True,
            capture_output=True,
        )

    def fail(self) -> None:
        name = Path(self.device).name
        Path(f"/sys/fs/ext4/{name}/trigger_fs_error").write_text("kiosk test: card failing")

    def reboot(self) -> None:
        subprocess.run(["umount", str(self.path)], check=True, capture_output=True)
        fsck = subprocess.run(["e2fsck", "-f", "-y", self.device], capture_output=True, check=False)
        assert fsck.returncode in (0, 1), fsck.stderr  # 1: errors corrected
        self._mount()


def payment_script(
    account: str,
    amount_fen: int,
    inserted_fen: int,
    finish_when: tuple[str, Any] | None = None,
    *,
    retry_cash: bool = False,
    then: list[dict[str, Any]] | None = None,
    think_s: float = 0.0,
) -> list[dict[str, Any]]:
    """The customer's side on the screen; the notes come from the test, as from a hand.

    ``think_s``: the customer looks at the screen that long before pressing finish, which
    leaves the test time to bring its fault in before the close is written.

    The customer presses finish once ``inserted_fen`` shows, or once ``finish_when``
    (a snapshot field and value) holds. ``retry_cash``: the first choice of cash is refused
    (the journal cannot be written), and the customer chooses it again once it is offered."""
    path, value = finish_when or ("cash.inserted_fen", inserted_fen)
    retry: list[dict[str, Any]] = [
        {"wait_for": "error.detail.reason", "equals": "journal_fault", "timeout": 60},
        {"wait_for": "methods.cash.ok", "equals": True, "timeout": 60},
        {"do": "choose_method", "method": "cash"},
    ]
    return [
        {"wait_for": "methods.cash.ok", "equals": True, "timeout": 60},
        {"do": "start"},
        {"wait": "account_entry"},
        {"do": "enter_account", "account_no": account},
        {"wait": "account_shown"},
        {"do": "choose_amount", "amount_fen": amount_fen},
        {"wait": "amount_chosen"},
        {"do": "choose_method", "method": "cash"},
        *(retry if retry_cash else []),
        {"wait": "cash_insert"},
        {"wait_for": path, "equals": value, "timeout": RUN_TIMEOUT_S},
        *([{"sleep": think_s}] if think_s else []),
        {"do": "finish"},
        {"wait": "done", "timeout": 60},
        {"wait_for": "result.printing", "equals": "printed", "timeout": 30},
        *(then or []),
        # settled by itself: cash offered again and nothing left to post
        {"wait_for": "methods.cash.ok", "equals": True, "timeout": SETTLE_TIMEOUT_S},
        {"wait_for": "outbox.pending", "equals": 0, "timeout": SETTLE_TIMEOUT_S},
    ]


def journal_rows(journal: Path, query: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(f"file:{journal}?mode=ro", uri=True, timeout=5) as conn:
        return list(conn.execute(query).fetchall())


@dataclass
class Run:
    kiosk: KioskProcess
    journal: Path
    data_dir: Path
    cassette_before: int
    credited_before: int
    expected_fen: int
    kiosk_id: str = ""
    notes_given: list[int] = field(default_factory=list)

    def snapshots(self) -> list[dict[str, Any]]:
        return self.kiosk.snapshots()

    def latest(self) -> dict[str, Any]:
        snaps = self.snapshots()
        return snaps[-1] if snaps else {}

    def wait_snapshot(self, path: str, expected: Any, timeout_s: float = 30.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        while True:
            latest = self.latest()
            value: Any = latest
            for part in path.split("."):
                value = value.get(part) if isinstance(value, dict) else None
            if value == expected:
                return latest
            assert self.kiosk.alive, f"the kiosk exited: {self.kiosk.stderr()[-3000:]}"
            assert time.monotonic() < deadline, (
                f"{path} never became {expected!r} in {timeout_s} s; it is {value!r}; "
                f"state {latest.get('state')}; the kiosk's log ({self.kiosk.stderr_path}) "
                f"ends: {self.kiosk.stderr()[-3000:]}"
            )
            time.sleep(0.02)


@dataclass
class FaultRig:
    protocol: str
    server: CentralServer
    cash: EmulatorProcess
    printer: EmulatorProcess
    account: str

    def start_payment(
        self,
        workdir: Path,
        *,
        amount_fen: int,
        expected_fen: int,
        data_dir: Path | None = None,
        min_free_mb: int = 0,
        finish_when: tuple[str, Any] | None = None,
        env: dict[str, str] | None = None,
        retry_cash: bool = False,
        then: list[dict[str, Any]] | None = None,
        think_s: float = 0.0,
    ) -> Run:
        kiosk_id, secret = new_kiosk(self.server)
        data_dir = data_dir or workdir / "data"
        sections = kiosk_sections(
            kiosk_id=kiosk_id,
            secret=secret,
            data_dir=data_dir,
            central_url=self.server.url,
            cash_url=self.cash.device,
            printer_url=self.printer.device,
            protocol=self.protocol,
        )
        sections["kiosk"]["data_min_free_mb"] = min_free_mb
        config = write_config(workdir / "kiosk.toml", **sections)
        cassette = self.cash.status()["cassette_total_fen"]
        credited = self.server.credited_cash_fen(self.account)
        script = payment_script(
            self.account,
            amount_fen,
            expected_fen,
            finish_when,
            retry_cash=retry_cash,
            then=then,
            think_s=think_s,
        )
        kiosk = KioskProcess.start(config, script, workdir, name="kiosk", env=env)
        return Run(
            kiosk, data_dir / "journal.db", data_dir, cassette, credited, expected_fen, kiosk_id
        )

    def wait_accepting(self, run: Run, timeout_s: float = 30.0) -> None:
        """Until a customer would insert: the screen asks for notes (not paused), and the
        acceptor draws one in (enabled, settled, nothing in the mechanism)."""
        deadline = time.monotonic() + timeout_s
        while True:
            status = self.cash.status()
            cash = run.latest().get("cash") or {}
            if (
                cash.get("accepting")
                and status["enabled_fen"]
                and status["phase"] == "settled"
                and status["bill_in_mechanism"] is None
            ):
                return
            assert run.kiosk.alive, f"the kiosk exited: {run.kiosk.stderr()[-3000:]}"
            assert time.monotonic() < deadline, f"the acceptor never took notes: {status}"
            time.sleep(0.02)

    def insert(self, run: Run, fen: int) -> None:
        self.wait_accepting(run)
        answer = self.cash.ctl(f"insert {fen}")
        assert answer.get("ok"), answer
        run.notes_given.append(fen)

    def pay(self, run: Run, fen: int, attempts: int = 3) -> None:
        """Insert a note until the cassette has it: a note the kiosk handed back (it could not
        record the escrow) is inserted again, as the customer in front of it would."""
        for _ in range(attempts):
            before = self.cash.status()["cassette_total_fen"]
            self.insert(run, fen)
            deadline = time.monotonic() + 30
            while True:
                status = self.cash.status()
                if status["phase"] == "settled" and status["bill_in_mechanism"] is None:
                    break
                assert time.monotonic() < deadline, f"the note never settled: {status}"
                time.sleep(0.02)
            if status["cassette_total_fen"] - before == fen:
                return
        raise AssertionError(f"a {fen} fen note was handed back {attempts} times")

    def wait_phase(self, run: Run, phase: str, timeout_s: float = 20.0) -> None:
        deadline = time.monotonic() + timeout_s
        while self.cash.status()["phase"] != phase:
            assert run.kiosk.alive, f"the kiosk exited: {run.kiosk.stderr()[-3000:]}"
            assert time.monotonic() < deadline, f"the acceptor never reached {phase}"
            time.sleep(0.005)

    def finish(self, run: Run) -> dict[str, Any]:
        """Let the script end, stop the kiosk, and check the money."""
        code = run.kiosk.wait(RUN_TIMEOUT_S + SETTLE_TIMEOUT_S)
        assert code == 0, f"the kiosk's script failed ({code}): {run.kiosk.stderr()[-4000:]}"
        return self.check_money(run)

    def box_total_fen(self) -> int:
        """What is in the box, once a start-up the kiosk began has run its course.

        A kiosk that stopped right after a power-up report leaves the acceptor initialising (it
        stacks the bill when that ends) or still powered up with the bill in the stacker, where
        the next initialisation puts it: both are money in the box.
        """
        deadline = time.monotonic() + 10
        status = self.cash.status()
        while status["phase"] == "initializing":
            assert time.monotonic() < deadline, f"the acceptor never finished starting: {status}"
            time.sleep(0.02)
            status = self.cash.status()
        held = status["bill_in_mechanism"] if status["bill_in"] == "stacker" else None
        if status["phase"] != "power_up":
            held = None
        return int(status["cassette_total_fen"]) + (held or 0)

    def check_money(self, run: Run) -> dict[str, Any]:
        cassette = self.box_total_fen() - run.cassette_before
        credited = self.server.credited_cash_fen(self.account) - run.credited_before
        stacked = sum(
            json.loads(p)["denomination_fen"]
            for (p,) in journal_rows(run.journal, "SELECT payload FROM events WHERE kind='stacked'")
        )
        cashbox = journal_rows(
            run.journal, "SELECT COALESCE(SUM(denomination_fen*count),0) FROM cashbox"
        )[0][0]
        suspects = journal_rows(
            run.journal, "SELECT txn_id, denomination_fen, reason, state FROM suspects"
        )
        txns = journal_rows(run.journal, "SELECT txn_id, state, cash_fen, outbox FROM transactions")
        assert stacked == cashbox, "the cash box table disagrees with the stacked events"
        for txn_id, state, cash_fen, outbox in txns:
            assert state != "open", f"{txn_id} left open: {txns}"
            assert self.server.credit_count(txn_id) <= 1, f"{txn_id} credited twice"
            if cash_fen:
                assert outbox == "posted", f"{txn_id} with {cash_fen} fen is {outbox}"
                assert self.server.payment_count(txn_id) == 1, f"{txn_id} not posted once"
        assert credited == stacked, f"journal stacked {stacked} fen, server credited {credited}"
        in_box = sum(r[1] for r in suspects if r[2] == STRAY_NOTE)
        maybe = sum(r[1] for r in suspects if r[2] != STRAY_NOTE)
        assert in_box <= cassette - credited <= in_box + maybe, (
            f"cassette {cassette} fen, credited {credited} fen, suspects {suspects}"
        )
        verified = verify_journal(run.journal)
        faults = [s.get("journal_fault") for s in run.snapshots() if s.get("journal_fault")]
        return {
            "cassette_fen": cassette,
            "credited_fen": credited,
            "suspects": suspects,
            "events": verified["events"],
            "journal_faults": sorted(set(faults)),
            "notes_given": run.notes_given,
        }


def wait_recovered(kiosk: KioskProcess, journal: Path, timeout_s: float = 60.0) -> None:
    """Recovery over (the kiosk's snapshot says so) and nothing left open or unposted."""
    deadline = time.monotonic() + timeout_s
    while True:
        assert kiosk.alive, f"the restarted kiosk exited: {kiosk.stderr()[-3000:]}"
        snaps = kiosk.snapshots()
        recovered = bool(snaps) and snaps[-1].get("recovering") is False
        try:
            open_txns = journal_rows(
                journal, "SELECT COUNT(*) FROM transactions WHERE state='open'"
            )
            pending = journal_rows(journal, "SELECT COUNT(*) FROM outbox WHERE state='pending'")
        except sqlite3.OperationalError:  # killed before it made one; the restart is making it
            assert time.monotonic() < deadline, f"no journal at {journal}"
            time.sleep(0.2)
            continue
        if recovered and open_txns[0][0] == 0 and pending[0][0] == 0:
            return
        assert time.monotonic() < deadline, (
            f"not recovered in {timeout_s} s: recovering={not recovered}, "
            f"open={open_txns}, pending={pending}; stderr: {kiosk.stderr()[-3000:]}"
        )
        time.sleep(0.2)


@contextlib.contextmanager
def fault_rig(
    workdir: Path, server: CentralServer, protocol: str, *, speed: float
) -> Iterator[FaultRig]:
    """Cash and printer emulator processes for one protocol, stopped whatever happens."""
    cash = EmulatorProcess.cash(workdir, protocol, state=workdir / "cassette.json", speed=speed)
    try:
        printer = EmulatorProcess.printer(workdir / "receipts")
    except BaseException:
        cash.stop()
        raise
    try:
        yield FaultRig(protocol, server, cash, printer, server.accounts["residential_paid_up"])
    finally:
        printer.stop()
        cash.stop()


def verify_journal(journal: Path) -> dict[str, Any]:
    done = subprocess.run(
        kiosk_command("journal", "verify", "--journal", str(journal)),
        capture_output=True,
        text=True,
        timeout=60,
        env=child_env(),
        cwd=REPO,
        check=False,
    )
    answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    assert done.returncode == 0, answer
    return answer


def report(protocol: str, scenario: str, outcome: dict[str, Any], began: float) -> None:
    """Each run's outcome as a JSON line in $RELIABILITY_REPORT (for the figures), if set."""
    path = os.environ.get("RELIABILITY_REPORT")
    if path:
        line = {
            "protocol": protocol,
            "scenario": scenario,
            "seconds": round(time.monotonic() - began, 1),
            **outcome,
        }
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
