"""The driver against the emulator over a real pty: status in every state, jobs, faults."""

import threading

import pytest

from drivers.emulators.printer_emulator import EMULATED_STATES, PrinterEmulator
from drivers.emulators.pty_device import PtyDevice
from drivers.printer import (
    EscposJob,
    JobTooLargeError,
    PrinterNotReadyError,
    PrinterState,
    PrinterUnavailableError,
    PrintIncompleteError,
    ReceiptPrinter,
)
from drivers.printer.printer import MAX_JOB_BYTES


def small_job(text: str = "电费 ¥1.00") -> bytes:
    job = EscposJob("gbk").initialize()
    for n in range(6):
        job.line(f"{text} {n}")
    return job.finish(has_cutter=True)


@pytest.mark.parametrize("state", EMULATED_STATES)
def test_status_reports_every_emulated_state(
    emulator: PrinterEmulator, printer: ReceiptPrinter, state: PrinterState
) -> None:
    emulator.set_state(state)
    status = printer.status()
    assert status.state is state
    assert status.can_print is (state in (PrinterState.READY, PrinterState.PAPER_NEAR_END))
    assert len(status.raw) == 4


def test_a_silent_printer_is_not_answering_after_one_query(
    emulator: PrinterEmulator, printer: ReceiptPrinter
) -> None:
    emulator.set_silent(True)
    status = printer.status()
    assert status.state is PrinterState.NOT_ANSWERING
    assert not status.can_print
    assert "DLE EOT 1" in status.detail
    # the first unanswered query ends the reading: 3 bytes sent, not 12
    assert emulator.dropped_bytes == 3
    emulator.set_silent(False)
    assert printer.status().state is PrinterState.READY


def test_a_port_that_echoes_its_own_queries_is_not_a_printer() -> None:
    # loop:// reads back what was written: DLE (0x10) is not a status byte
    with ReceiptPrinter("loop://", status_timeout_s=0.05) as printer:
        status = printer.status()
    assert status.state is PrinterState.NOT_ANSWERING
    assert "malformed reply 0x10" in status.detail


def test_a_device_answering_garbage_is_not_answering() -> None:
    device = PtyDevice()
    path = device.open()
    stop = threading.Event()

    def answer_garbage() -> None:
        while not stop.is_set():
            if device.read(16, timeout_s=0.02):
                device.write(b"\xff")

    thread = threading.Thread(target=answer_garbage)
    thread.start()
    try:
        with ReceiptPrinter(path, status_timeout_s=0.2) as printer:
            status = printer.status()
    finally:
        stop.set()
        thread.join()
        device.close()
    assert status.state is PrinterState.NOT_ANSWERING
    assert "0xFF" in status.detail


def test_status_of_a_closed_printer_is_not_answering() -> None:
    printer = ReceiptPrinter("/dev/null-printer-absent")
    assert printer.status().state is PrinterState.NOT_ANSWERING
    with pytest.raises(PrinterUnavailableError, match="null-printer-absent"):
        printer.open()


def test_a_job_is_printed_and_cut(emulator: PrinterEmulator, printer: ReceiptPrinter) -> None:
    status = printer.print_job(small_job())
    assert status.state is PrinterState.READY
    receipt = emulator.wait_for_receipt(timeout_s=10)
    assert receipt.cut
    assert receipt.problems == []
    assert receipt.transcript.splitlines()[0] == "电费 ¥1.00 0"
    assert receipt.txt_path is not None
    assert receipt.txt_path.read_text(encoding="utf-8") == receipt.transcript


def test_a_job_goes_out_in_one_write(
    emulator: PrinterEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    # pyserial's spy:// logs each write() as its own block (to stderr: with ?file= it leaks
    # the file handle)
    job = small_job() * 4  # 4 receipts in one job, well over one 16-byte spy line
    with ReceiptPrinter(f"spy://{emulator.path}", status_timeout_s=1.0) as printer:
        printer.print_job(job)
    log = capsys.readouterr().err.splitlines()
    writes = [line for line in log if " TX   0000 " in line]
    # 4 status queries, one write of the whole job, 4 status queries
    assert len(writes) == 9
    assert writes[4].split()[3:5] == ["1B", "40"]  # the job starts with ESC @
    assert sum(1 for line in log if " TX " in line) == 8 + -(-len(job) // 16)
    assert [emulator.wait_for_receipt(10).cut for _ in range(4)] == [True] * 4


def test_near_end_still_prints(emulator: PrinterEmulator, printer: ReceiptPrinter) -> None:
    emulator.paper_near_end()
    assert printer.print_job(small_job()).state is PrinterState.PAPER_NEAR_END
    assert emulator.wait_for_receipt(10).cut


@pytest.mark.parametrize(
    "state",
    [
        PrinterState.PAPER_OUT,
        PrinterState.COVER_OPEN,
        PrinterState.OFFLINE,
        PrinterState.CUTTER_ERROR,
        PrinterState.UNRECOVERABLE_ERROR,
    ],
)
def test_nothing_is_sent_to_a_printer_that_cannot_print(
    emulator: PrinterEmulator, printer: ReceiptPrinter, state: PrinterState
) -> None:
    emulator.set_state(state)
    with pytest.raises(PrinterNotReadyError) as raised:
        printer.print_job(small_job())
    assert raised.value.status.state is state
    assert emulator.dropped_ops == 0  # not a byte of the job reached it
    assert emulator.status_requests == 4


def test_a_silent_printer_gets_no_job(emulator: PrinterEmulator, printer: ReceiptPrinter) -> None:
    emulator.set_silent(True)
    with pytest.raises(PrinterNotReadyError) as raised:
        printer.print_job(small_job())
    assert raised.value.status.state is PrinterState.NOT_ANSWERING
    assert emulator.dropped_bytes == 3


def test_paper_running_out_during_the_job_is_reported(
    emulator: PrinterEmulator, printer: ReceiptPrinter
) -> None:
    emulator.paper_out_after_lines(2)
    with pytest.raises(PrintIncompleteError) as raised:
        printer.print_job(small_job())
    assert raised.value.status.state is PrinterState.PAPER_OUT
    partial = emulator.wait_for_receipt(10)
    assert not partial.cut
    assert partial.transcript == "电费 ¥1.00 0\n电费 ¥1.00 1\n"
    assert "the paper ran out" in partial.problems


def test_an_unplugged_printer(emulator: PrinterEmulator, printer: ReceiptPrinter) -> None:
    emulator.stop()
    assert printer.status().state is PrinterState.NOT_ANSWERING
    with pytest.raises((PrinterUnavailableError, PrinterNotReadyError)):
        printer.print_job(small_job())


def test_an_oversized_job_is_refused_before_anything_is_sent(
    emulator: PrinterEmulator, printer: ReceiptPrinter
) -> None:
    with pytest.raises(JobTooLargeError, match=str(MAX_JOB_BYTES)):
        printer.print_job(b"x" * (MAX_JOB_BYTES + 1))
    assert emulator.status_requests == 0


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="status_timeout_s"):
        ReceiptPrinter("loop://", status_timeout_s=0)
    with pytest.raises(ValueError, match="big5"):
        ReceiptPrinter("loop://", encoding="big5")
