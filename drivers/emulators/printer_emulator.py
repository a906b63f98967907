"""An ESC/POS receipt printer on a pseudo-terminal, with scriptable paper and faults.

It answers ``DLE EOT 1..4`` at once from its state (ready, paper near end, paper out, cover
open, offline, cutter error, unrecoverable error), or not at all when silent. It decodes the
jobs it receives (``escpos_decode``), lays them out on paper (``printer_paper``) and, at each
cut, saves ``receipt-0001.txt`` (the transcript) and ``receipt-0001.png`` (the picture) in its
output folder. While it cannot print, it prints nothing, as a real printer would.

Threads: one reads the pty, decodes and answers status at once (a real printer answers
real-time requests while it prints); another draws and saves finished receipts, so that a
slow PNG never delays a status reply. Control: in-process setters, or the control socket
(``kiosk emulate ctl <socket> paper-out``).
"""

from __future__ import annotations

import logging
import queue
import re
import threading
import time
from pathlib import Path
from typing import Any

from drivers.emulators.control import CommandTable, ControlServer, parse_bool
from drivers.emulators.device_emulator import DeviceEmulator
from drivers.emulators.errors import CommandError, PtyClosedError
from drivers.emulators.escpos_decode import (
    Cut,
    EscposDecoder,
    Feed,
    LineFeed,
    Op,
    QrPrint,
    StatusRequest,
    Tab,
    Text,
    TransmitRequest,
)
from drivers.emulators.printer_paper import Paper, PrintedReceipt, render_png
from drivers.emulators.pty_device import PtyDevice
from drivers.printer.status import PRINTABLE_STATES, PrinterState, StatusQuery, reply_for

log = logging.getLogger("drivers.emulators.printer")

_RECEIPT_FILE = re.compile(r"^receipt-(\d{4,})\.(txt|png)$")
_PRINTING_OPS = (Text, LineFeed, Tab, Feed, QrPrint, Cut)
# GS I n: printer information, answered "_" + text + NUL.
IDENTITY = {65: "EMU-1.0", 66: "Kiosk Emulator", 67: "ESC/POS-80 emulated"}
EMULATED_STATES = tuple(s for s in PrinterState if s is not PrinterState.NOT_ANSWERING)


class PrinterEmulator(DeviceEmulator):
    """A receipt printer on a pty; ``start()`` returns the path a host opens."""

    def __init__(
        self,
        out_dir: Path,
        *,
        state: PrinterState = PrinterState.READY,
        silent: bool = False,
        columns: int = 48,
        encoding: str = "gbk",
        has_cutter: bool = True,
        link: Path | None = None,
        control_path: Path | None = None,
        idle_end_s: float = 1.0,
    ) -> None:
        self.out_dir = Path(out_dir)
        self.columns = columns
        self.has_cutter = has_cutter
        self.idle_end_s = idle_end_s
        self._check_state(state)
        self._state = state
        self._silent = silent
        self._lines_until_paper_out: int | None = None
        self._decoder = EscposDecoder(encoding)
        self._paper = Paper(columns)
        self._pty = PtyDevice(link)
        self._commands = self._command_table()
        self._control = ControlServer(self._commands, control_path)
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._reader: threading.Thread | None = None
        self._saver: threading.Thread | None = None
        self._to_save: queue.Queue[PrintedReceipt | None] = queue.Queue()
        self._saved: queue.Queue[PrintedReceipt] = queue.Queue()
        self._receipts: list[PrintedReceipt] = []
        self._next_index = 1
        self._last_data = time.monotonic()
        self.dropped_ops = 0  # operations not printed because the printer could not print
        self.dropped_bytes = 0  # bytes ignored while silent
        self.status_requests = 0

    # --- life cycle ------------------------------------------------------------------------

    def start(self) -> str:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self._next_index = _next_free_index(self.out_dir)
        path = self._pty.open()
        self._control.start()
        self._stopping.clear()
        self._reader = threading.Thread(target=self._read_loop, name="printer-emu", daemon=True)
        self._saver = threading.Thread(target=self._save_loop, name="printer-save", daemon=True)
        self._reader.start()
        self._saver.start()
        log.info(
            "printer emulator on %s, control %s, out %s", path, self.control_path, self.out_dir
        )
        return path

    def stop(self) -> None:
        """Stop reading, save a receipt left half-printed (uncut), close pty and socket."""
        self._stopping.set()
        if self._reader is not None:
            self._reader.join(timeout=5)
            self._reader = None
        with self._lock:
            self._finish(cut=False, why="emulator stopped before a cut")
        if self._saver is not None:
            self._to_save.put(None)
            self._saver.join(timeout=30)
            self._saver = None
        self._control.stop()
        self._pty.close()

    # --- scripting -------------------------------------------------------------------------

    @property
    def state(self) -> PrinterState:
        return self._state

    @property
    def silent(self) -> bool:
        return self._silent

    @staticmethod
    def _check_state(state: PrinterState) -> None:
        if state not in EMULATED_STATES:
            raise CommandError(
                f"state {state!r} cannot be set: use silent for a printer that does not answer"
            )

    def set_state(self, state: PrinterState | str) -> None:
        state = PrinterState(state)
        self._check_state(state)
        with self._lock:
            self._state = state
            self._lines_until_paper_out = None
            if state not in PRINTABLE_STATES:
                self._finish(cut=False, why=f"printing stopped: {state}")
        log.info("printer emulator state: %s", state)

    def set_silent(self, silent: bool = True) -> None:
        """A silent printer answers nothing and prints nothing (off, or its cable cut)."""
        with self._lock:
            self._silent = silent

    def ready(self) -> None:
        self.set_state(PrinterState.READY)

    def paper_near_end(self) -> None:
        self.set_state(PrinterState.PAPER_NEAR_END)

    def paper_out(self) -> None:
        self.set_state(PrinterState.PAPER_OUT)

    def cover_open(self) -> None:
        self.set_state(PrinterState.COVER_OPEN)

    def offline(self) -> None:
        self.set_state(PrinterState.OFFLINE)

    def cutter_error(self) -> None:
        self.set_state(PrinterState.CUTTER_ERROR)

    def unrecoverable_error(self) -> None:
        self.set_state(PrinterState.UNRECOVERABLE_ERROR)

    def paper_out_after_lines(self, lines: int) -> None:
        """The roll ends after this many more printed lines (a job cut short)."""
        if lines < 0:
            raise CommandError("lines must be >= 0")
        with self._lock:
            self._lines_until_paper_out = lines

    @property
    def receipts(self) -> list[PrintedReceipt]:
        """Receipts saved so far (transcript and PNG written)."""
        with self._lock:
            return list(self._receipts)

    def wait_for_receipt(self, timeout_s: float = 5.0) -> PrintedReceipt:
        """The next saved receipt not yet taken by a wait; TimeoutError when none comes."""
        try:
            return self._saved.get(timeout=timeout_s)
        except queue.Empty:
            raise TimeoutError(f"no receipt finished within {timeout_s} s") from None

    def describe(self) -> dict[str, Any]:
        with self._lock:
            return {
                "state": self._state.value,
                "silent": self._silent,
                "receipts": len(self._receipts),
                "dropped_ops": self.dropped_ops,
                "dropped_bytes": self.dropped_bytes,
                "status_requests": self.status_requests,
                "lines_until_paper_out": self._lines_until_paper_out,
            }

    def _command_table(self) -> CommandTable:
        table = CommandTable()

        def setter(state: PrinterState) -> Any:
            def run() -> dict[str, Any]:
                self.set_state(state)
                return self.describe()

            return run

        for state in EMULATED_STATES:
            name = state.value.replace("_", "-")
            table.add(name, setter(state), help=f"the printer reports {name}")

        def silent(on: bool = True) -> dict[str, Any]:
            self.set_silent(on)
            return self.describe()

        def paper_out_after(lines: int) -> dict[str, Any]:
            self.paper_out_after_lines(lines)
            return self.describe()

        def receipts() -> dict[str, Any]:
            return {
                "receipts": [
                    {
                        "index": r.index,
                        "txt": str(r.txt_path),
                        "png": str(r.png_path),
                        "cut": r.cut,
                        "problems": r.problems,
                    }
                    for r in self.receipts
                ]
            }

        table.add("status", self.describe, help="the emulated state and counters")
        table.add(
            "silent", silent, ("on", parse_bool), optional=1, help="stop (or resume) answering"
        )
        table.add(
            "paper-out-after",
            paper_out_after,
            ("lines", int),
            help="the paper runs out after this many more lines",
        )
        table.add("receipts", receipts, help="the receipts saved so far")
        return table

    # --- the device ------------------------------------------------------------------------

    def _read_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                data = self._pty.read(4096, timeout_s=0.05)
            except PtyClosedError:
                return
            with self._lock:
                if data:
                    self._last_data = time.monotonic()
                    self._receive(data)
                elif (
                    not self.has_cutter
                    and self._paper.has_content
                    and time.monotonic() - self._last_data > self.idle_end_s
                ):
                    self._finish(cut=False, why="")  # no cutter: torn off after the job

    def _receive(self, data: bytes) -> None:
        if self._silent:
            self.dropped_bytes += len(data)
            return
        for op in self._decoder.feed(data):
            self._handle(op)

    def _handle(self, op: Op) -> None:
        if isinstance(op, StatusRequest):
            self._answer_status(op.query)
            return
        if isinstance(op, TransmitRequest):
            self._answer_transmit(op)
            return
        if isinstance(op, _PRINTING_OPS) and self._state not in PRINTABLE_STATES:
            self.dropped_ops += 1
            return
        finished = self._paper.apply(op, has_cutter=self.has_cutter)
        if finished is not None:
            self._queue_save(finished)
        if isinstance(op, LineFeed | Feed) and self._lines_until_paper_out is not None:
            self._lines_until_paper_out -= op.lines if isinstance(op, Feed) else 1
            if self._lines_until_paper_out <= 0:
                self._lines_until_paper_out = None
                self._state = PrinterState.PAPER_OUT
                self._finish(cut=False, why="the paper ran out")

    def _answer_status(self, query: int) -> None:
        self.status_requests += 1
        try:
            reply = reply_for(self._state, StatusQuery(query))
        except ValueError:
            return  # DLE EOT with an n the printer does not know: no answer
        self._write(bytes([reply]))

    def _answer_transmit(self, op: TransmitRequest) -> None:
        if op.command == "I" and op.n in IDENTITY:
            self._write(b"_" + IDENTITY[op.n].encode("ascii") + b"\x00")
        elif op.command == "r" and op.n in (1, 49):
            # GS r 1: bits 0-1 paper near end, bits 2-3 paper end
            near = self._state in (PrinterState.PAPER_NEAR_END, PrinterState.PAPER_OUT)
            out = self._state is PrinterState.PAPER_OUT
            self._write(bytes([(0x03 if near else 0) | (0x0C if out else 0)]))

    def _write(self, data: bytes) -> None:
        try:
            self._pty.write(data)
        except PtyClosedError:
            log.debug("reply lost: pty closed")

    def _finish(self, *, cut: bool, why: str) -> None:
        if not self._paper.has_content:
            return
        finished = self._paper.finish(cut=cut)
        if finished is not None:
            if why:
                finished.problems.append(why)
            self._queue_save(finished)

    def _queue_save(self, receipt: PrintedReceipt) -> None:
        receipt.index = self._next_index
        self._next_index += 1
        self._to_save.put(receipt)

    def _save_loop(self) -> None:
        while True:
            receipt = self._to_save.get()
            if receipt is None:
                return
            stem = self.out_dir / f"receipt-{receipt.index:04d}"
            try:
                receipt.txt_path = stem.with_suffix(".txt")
                receipt.txt_path.write_text(receipt.transcript, encoding="utf-8")
                receipt.png_path = render_png(receipt, stem.with_suffix(".png"))
            except OSError as exc:
                log.error("cannot save %s: %s", stem, exc)
                receipt.problems.append(f"not saved: {exc}")
            except Exception as exc:  # a drawing bug must not stop the printer
                log.exception("cannot draw %s", stem)
                receipt.problems.append(f"picture failed: {exc}")
            for problem in receipt.problems:
                log.warning("receipt %04d: %s", receipt.index, problem)
            log.info("receipt %04d saved (%s)", receipt.index, "cut" if receipt.cut else "not cut")
            with self._lock:
                self._receipts.append(receipt)
            self._saved.put(receipt)


def _next_free_index(folder: Path) -> int:
    """Number receipts after those already in the folder (a restart does not overwrite)."""
    highest = 0
    for path in folder.iterdir():
        match = _RECEIPT_FILE.match(path.name)
        if match:
            highest = max(highest, int(match.group(1)))
    return highest + 1
