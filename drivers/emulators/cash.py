"""A bill acceptor on a pseudo-terminal, speaking CCNET, ID-003 or ICT, scriptable with faults.

``CashEmulator("ccnet").start()`` returns the path a host opens (a symlink to the pty slave
that stays the same across ``unplug()`` / ``replug()``). The emulator thread answers the host
frame by frame; control commands (in-process methods or the control socket) script what a
customer, a technician or bad luck would do. With ``state_file`` the cassette (and a bill left
in the mechanism) survives restarts.

Control commands (one per line on ``control_path``; each answers one JSON line)::

    insert FEN | insert-fake FEN | pull-back | jam [validator|cassette] | clear-jam
    cassette-full | remove-cassette | replace-cassette [EMPTIED] | cheat | fail CODE | repair
    power-cycle [BILL_IN_STACKER] | corrupt-next-crc [any|stacked] | noise [BYTES]
    silent SECONDS
    unplug | replug | status | help
"""

from __future__ import annotations

import logging
import random
import shutil
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from drivers.cash.id003.codes import COUNTRY_CNY
from drivers.emulators.cash_ccnet import CcnetFront
from drivers.emulators.cash_front import ProtocolFront
from drivers.emulators.cash_ict import IctFront
from drivers.emulators.cash_id003 import Id003Front
from drivers.emulators.cash_mechanics import Cassette, Mechanics, Phase, Timings
from drivers.emulators.cash_state import encode, load, save
from drivers.emulators.control import CommandTable, ControlServer, parse_bool
from drivers.emulators.device_emulator import DeviceEmulator
from drivers.emulators.errors import CommandError, EmulatorError, PtyClosedError
from drivers.emulators.pty_device import PtyDevice

log = logging.getLogger("drivers.emulators.cash")

CNY_BILLS_FEN = (100, 500, 1000, 2000, 5000, 10000)
PROTOCOLS = ("ccnet", "id003", "ict")
_DIALECTS = {"ccnet": CcnetFront.dialect, "id003": Id003Front.dialect, "ict": IctFront.dialect}
READ_SLICE_S = 0.02  # how long the device thread waits for bytes before looking at the clock
STALE_PARTIAL_S = 0.1  # a partial frame older than this is line noise


def _parse_code(text: str) -> int:
    code = int(text, 0)
    if not 0 <= code <= 0xFF:
        raise ValueError("a failure code is one byte")
    return code


class CashEmulator(DeviceEmulator):
    """One emulated bill acceptor; a context manager (start on enter, stop on exit).

    ``table_code`` is what its bill table names the currency with: CCNET 3 letters (default
    "CNY"; Chinese firmware also says "CHN"), ID-003 the country byte (default 156). ICT has no
    table to name it in.
    """

    def __init__(
        self,
        protocol: str,
        *,
        bill_table_fen: tuple[int, ...] = CNY_BILLS_FEN,
        state_file: Path | None = None,
        timings: Timings | None = None,
        capacity: int | None = None,
        link: Path | None = None,
        control_path: Path | None = None,
        serial_number: str = "EMU00000001",
        table_code: str | int | None = None,
    ) -> None:
        if protocol not in PROTOCOLS:
            raise EmulatorError(f"unknown protocol {protocol!r}; use one of {PROTOCOLS}")
        if not bill_table_fen or len(set(bill_table_fen)) != len(bill_table_fen):
            raise EmulatorError(f"the bill table {bill_table_fen} must list distinct bills")
        self.protocol = protocol
        self.state_file = state_file
        self._link = link
        self._control_path = control_path
        self._dir: Path | None = None  # made by start(): the device link and control socket
        self._pty = PtyDevice(link)
        saved = load(state_file) if state_file is not None else None
        cassette = saved.cassette if saved is not None else Cassette()
        self._lock = threading.RLock()
        self._saved_text = ""
        self._mechanics = Mechanics(
            tuple(bill_table_fen),
            _DIALECTS[protocol],
            timings or Timings(),
            cassette,
            self._persist,
            capacity=capacity,
        )
        if saved is not None:
            self._mechanics.restore(saved.bill_fen, saved.bill_in)
        self._front: ProtocolFront
        if protocol == "ccnet":
            self._front = CcnetFront(
                self._mechanics,
                part_number="EMU-CCNET-CNY",
                serial_number=serial_number,
                currency=str(table_code or "CNY"),
            )
        elif protocol == "id003":
            self._front = Id003Front(
                self._mechanics,
                version=f"EMU-ID003 CNY {serial_number}",
                country_code=COUNTRY_CNY if table_code is None else int(table_code),
            )
        else:
            self._front = IctFront(self._mechanics)
        self._control = ControlServer(self._command_table(), control_path)
        self._counters: Counter[str] = Counter()
        self._silent_until = 0.0
        self._escrow_reported_at: float | None = None
        self._escrow_to_stack_ms: list[float] = []  # device reported escrow -> STACK arrived
        self._noise_next = 0  # junk bytes to put on the line before the next answer
        self._corrupt_next: str | None = None  # "any" answer, or the next "stacked" report
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_frame_at = 0.0

    # ---- life cycle -------------------------------------------------------------------

    def start(self) -> str:
        if self._link is None or self._control_path is None:
            self._dir = Path(tempfile.mkdtemp(prefix=f"kiosk-{self.protocol}-"))
            if self._link is None:
                self._pty = PtyDevice(self._dir / f"cash-{self.protocol}")
            if self._control_path is None:
                self._control = ControlServer(self._command_table(), self._dir / "ctl")
        path = self._pty.open()
        self._control.start()
        self._thread = threading.Thread(target=self._serve, name=f"emulator-{self.protocol}")
        self._thread.start()
        self._persist()
        log.info("%s acceptor on %s, control %s", self.protocol, path, self.control_path)
        return path

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._control.stop()
        self._pty.close()
        with self._lock:
            self._persist()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)

    # ---- the device thread ------------------------------------------------------------

    def _serve(self) -> None:
        buffer = b""
        last_byte_at = 0.0
        while not self._stopping.is_set():
            if not self._pty.is_open:  # unplugged: the mechanism still runs
                self._stopping.wait(READ_SLICE_S)
                with self._lock:
                    self._mechanics.tick(time.monotonic())
                    self._front.unsolicited(time.monotonic())  # said to nobody: lost
                buffer = b""
                continue
            try:
                chunk = self._pty.read(timeout_s=READ_SLICE_S)
            except PtyClosedError:
                continue
            now = self._last_frame_at = time.monotonic()
            with self._lock:
                self._mechanics.tick(now)
                if now >= self._silent_until:
                    self._send(self._front.unsolicited(now))
                if not chunk:
                    if buffer and now - last_byte_at > STALE_PARTIAL_S:
                        self._counters["garbage_bytes"] += len(buffer)
                        buffer = b""
                    continue
                last_byte_at = now
                if now < self._silent_until:
                    self._counters["ignored_bytes"] += len(chunk)
                    buffer = b""
                    continue
                buffer = self._receive(buffer + chunk, now)

    def _receive(self, buffer: bytes, now: float) -> bytes:
        decoded = self._front.decode(buffer)
        self._counters["bad_crc"] += decoded.bad_crc
        self._counters["garbage_bytes"] += decoded.garbage
        if decoded.bad_crc and not decoded.frames:
            self._send(self._front.answer_damaged())
        for data in decoded.frames:
            self._counters["frames_in"] += 1
            before = self._mechanics.phase
            answer = self._front.answer(data, now)
            if answer is not None:
                self._send(answer)
            self._time_escrow(before, answer)
        return decoded.leftover

    def _time_escrow(self, before: Phase, answer: bytes | None) -> None:
        """Measure from the first escrow report on the wire to the host's STACK."""
        after = self._mechanics.phase
        if after is Phase.ESCROW:
            if self._escrow_reported_at is None and answer == self._front.last_status:
                self._escrow_reported_at = time.monotonic()
            return
        reported = self._escrow_reported_at
        if before is Phase.ESCROW and after is Phase.STACKING and reported is not None:
            elapsed = self._last_frame_at - reported
            self._escrow_to_stack_ms.append(round(elapsed * 1000, 3))
        self._escrow_reported_at = None

    def _send(self, data: bytes | None) -> None:
        if data is None:
            return
        frame = self._front.encode(data)
        reports_stacked = self._mechanics.phase is Phase.STACKED and data == self._front.last_status
        if self._corrupt_next == "any" or (self._corrupt_next == "stacked" and reports_stacked):
            self._corrupt_next = None
            frame = frame[:-1] + bytes([frame[-1] ^ 0xFF])
            self._counters["corrupted"] += 1
        if self._noise_next:
            # line noise, never a SYNC byte, so the frame after it is still found whole
            noise = random.randbytes(8 * self._noise_next)
            junk = bytes(b for b in noise if self._front.noise_safe(b))
            frame = junk[: self._noise_next] + frame
            self._counters["noise_bytes"] += min(len(junk), self._noise_next)
            self._noise_next = 0
        try:
            self._pty.write(frame)
            self._counters["frames_out"] += 1
        except PtyClosedError:
            pass

    def _persist(self) -> None:
        if self.state_file is None:
            return
        mechanics = self._mechanics
        text = encode(mechanics.cassette, mechanics.bill_fen, mechanics.in_flight)
        if text != self._saved_text:
            save(self.state_file, text)
            self._saved_text = text

    # ---- what a customer, a technician or bad luck does ----------------------------------

    def _now(self) -> float:
        return time.monotonic()

    def insert(self, denomination_fen: int) -> dict[str, Any]:
        with self._lock:
            return {"bill": self._mechanics.insert(denomination_fen, self._now())}

    def insert_fake(self, denomination_fen: int) -> dict[str, Any]:
        with self._lock:
            return {"bill": self._mechanics.insert(denomination_fen, self._now(), genuine=False)}

    def pull_back(self) -> dict[str, Any]:
        with self._lock:
            return {"bill": self._mechanics.pull_back(self._now())}

    def jam(self, where: str = "validator") -> dict[str, Any]:
        with self._lock:
            self._mechanics.jam(where)
            return {"jammed": where}

    def clear_jam(self) -> dict[str, Any]:
        with self._lock:
            return {"result": self._mechanics.clear_jam(self._now())}

    def cassette_full(self) -> dict[str, Any]:
        with self._lock:
            self._mechanics.set_cassette_full()
            return {}

    def remove_cassette(self) -> dict[str, Any]:
        with self._lock:
            counts = self._mechanics.remove_cassette()
            return {"removed": {str(k): v for k, v in sorted(counts.items())}}

    def replace_cassette(self, emptied: bool = True) -> dict[str, Any]:
        with self._lock:
            return {"result": self._mechanics.replace_cassette(self._now(), emptied=emptied)}

    def cheat(self) -> dict[str, Any]:
        with self._lock:
            self._mechanics.cheat(self._now())
            return {}

    def fail(self, code: int) -> dict[str, Any]:
        with self._lock:
            self._mechanics.fail(code)
            return {"failure": code}

    def repair(self) -> dict[str, Any]:
        with self._lock:
            return {"result": self._mechanics.repair(self._now())}

    def power_cycle(self, bill_in_stacker: bool = False) -> dict[str, Any]:
        with self._lock:
            where = self._mechanics.power_cycle(self._now(), bill_in_stacker=bill_in_stacker)
            self._front.power_cycle()
            self._corrupt_next = None
            return {"power_up": where.value if where else "none"}

    def corrupt_next_crc(self, what: str = "any") -> dict[str, Any]:
        """Damage the CRC of the next answer ("any") or of the next stacked report."""
        if what not in ("any", "stacked"):
            raise CommandError(f"corrupt the next 'any' answer or 'stacked' report, not {what!r}")
        with self._lock:
            self._corrupt_next = what
            return {"armed": what}

    def noise(self, count: int = 8) -> dict[str, Any]:
        """Put ``count`` bytes of line noise before the next answer."""
        if not 1 <= count <= 200:
            raise CommandError(f"noise of {count} bytes? give 1..200")
        with self._lock:
            self._noise_next = count
            return {"noise_bytes": count}

    def silent(self, seconds: float) -> dict[str, Any]:
        if not 0 <= seconds <= 3600:
            raise CommandError(f"silent for {seconds} s? give 0..3600")
        with self._lock:
            self._silent_until = time.monotonic() + seconds
            return {"silent_s": seconds}

    def unplug(self) -> dict[str, Any]:
        """Close the pty: the host's port fails as when the cable is pulled."""
        self._pty.close()
        return {"plugged": False}

    def replug(self) -> dict[str, Any]:
        return {"plugged": True, "device": self._pty.open()}

    def status(self) -> dict[str, Any]:
        with self._lock:
            mechanics = self._mechanics
            mechanics.tick(time.monotonic())
            cassette = mechanics.cassette
            in_flight = mechanics.in_flight
            return {
                "protocol": self.protocol,
                "state": mechanics.describe(),
                "phase": mechanics.phase.value,
                "last_status": self._front.last_status.hex(" "),
                "enabled_fen": sorted(mechanics.table[i] for i in mechanics.enabled),
                "bill_in_mechanism": mechanics.bill_fen if in_flight else None,
                "bill_in": in_flight.value if in_flight else None,
                "cassette": {str(k): v for k, v in sorted(cassette.counts.items()) if v},
                "cassette_notes": cassette.notes,
                "cassette_total_fen": sum(k * v for k, v in cassette.counts.items()),
                "cassette_present": cassette.present,
                "lifetime": {str(k): v for k, v in sorted(cassette.lifetime.items()) if v},
                "lifetime_total_fen": sum(k * v for k, v in cassette.lifetime.items()),
                "collected": {str(k): v for k, v in sorted(cassette.collected.items()) if v},
                "last_outcome": mechanics.last_outcome,
                "device": self.path,
                "plugged": self._pty.is_open,
                "silent_for_s": round(max(0.0, self._silent_until - time.monotonic()), 3),
                "counters": dict(self._counters),
                "escrow_to_stack_ms": list(self._escrow_to_stack_ms),
            }

    def wait_for(
        self, predicate: Callable[[dict[str, Any]], bool], timeout_s: float = 10.0
    ) -> dict[str, Any]:
        """Poll ``status()`` until ``predicate`` holds; raise EmulatorError after the timeout."""
        deadline = time.monotonic() + timeout_s
        while True:
            status = self.status()
            if predicate(status):
                return status
            if time.monotonic() >= deadline:
                raise EmulatorError(f"condition not reached in {timeout_s} s; status {status}")
            time.sleep(0.01)

    def _command_table(self) -> CommandTable:
        table = CommandTable()
        fen = ("denomination_fen", int)
        table.add("insert", self.insert, fen, help="a customer inserts a genuine bill")
        table.add("insert-fake", self.insert_fake, fen, help="a bill that fails verification")
        table.add("pull-back", self.pull_back, help="the customer takes the bill back")
        table.add("jam", self.jam, ("where", str), optional=1, help="validator or cassette")
        table.add("clear-jam", self.clear_jam, help="a technician clears the jam")
        table.add("cassette-full", self.cassette_full, help="the drop cassette is full")
        table.add("remove-cassette", self.remove_cassette, help="the cassette is taken out")
        table.add(
            "replace-cassette",
            self.replace_cassette,
            ("emptied", parse_bool),
            optional=1,
            help="the cassette goes back (emptied unless 'false')",
        )
        table.add("cheat", self.cheat, help="a cheating attempt (string, tape)")
        table.add("fail", self.fail, ("code", _parse_code), help="a failure with this code")
        table.add("repair", self.repair, help="the failure is repaired")
        table.add(
            "power-cycle",
            self.power_cycle,
            ("bill_in_stacker", parse_bool),
            optional=1,
            help="power off and on; a bill in the mechanism is left in the stacker if true",
        )
        table.add(
            "corrupt-next-crc",
            self.corrupt_next_crc,
            ("what", str),
            optional=1,
            help="damage the CRC of the next answer, or of the next 'stacked' report",
        )
        table.add("noise", self.noise, ("bytes", int), optional=1, help="garbage before an answer")
        table.add("silent", self.silent, ("seconds", float), help="answer nothing for a while")
        table.add("unplug", self.unplug, help="close the pty (cable pulled)")
        table.add("replug", self.replug, help="a new pty behind the same path")
        table.add("status", self.status, help="state, cassette counts and totals")
        return table
