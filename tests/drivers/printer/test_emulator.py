"""The printer emulator as a device: control socket, files, PNG, no-cutter printers."""

from pathlib import Path

import pytest
from PIL import Image

from drivers.emulators.control import send_command
from drivers.emulators.errors import CommandError
from drivers.emulators.printer_emulator import PrinterEmulator
from drivers.printer import EscposJob, PrinterState, ReceiptPrinter
from drivers.printer.commands import Align


def receipt_job(lines: int = 3, *, has_cutter: bool = True) -> bytes:
    job = EscposJob("gbk").initialize()
    for n in range(lines):
        job.line(f"第{n}行 line {n}")
    job.style(align=Align.CENTER).qr("http://127.0.0.1/r/K0001-00000001?h=ab12")
    return job.finish(has_cutter=has_cutter)


def test_control_socket_scripts_the_state(
    emulator: PrinterEmulator, printer: ReceiptPrinter
) -> None:
    socket = emulator.control_path
    answer = send_command(socket, "paper-near-end")
    assert answer["ok"]
    assert answer["state"] == "paper_near_end"
    assert printer.status().state is PrinterState.PAPER_NEAR_END
    send_command(socket, "cover-open")
    assert printer.status().state is PrinterState.COVER_OPEN
    send_command(socket, "silent")
    assert printer.status().state is PrinterState.NOT_ANSWERING
    send_command(socket, "silent off")
    send_command(socket, "ready")
    assert printer.status().state is PrinterState.READY
    assert send_command(socket, "status")["status_requests"] >= 12


def test_control_socket_errors_name_the_problem(emulator: PrinterEmulator) -> None:
    socket = emulator.control_path
    assert "unknown command 'paper-jam'" in send_command(socket, "paper-jam")["error"]
    assert "bad lines" in send_command(socket, "paper-out-after many")["error"]
    commands = send_command(socket, "help")["commands"]
    for name in ("paper-out", "cover-open", "cutter-error", "silent", "paper-out-after", "offline"):
        assert name in commands


def test_not_answering_is_not_a_state_to_set(emulator: PrinterEmulator) -> None:
    with pytest.raises(CommandError, match="silent"):
        emulator.set_state(PrinterState.NOT_ANSWERING)


def test_each_receipt_is_saved_as_text_and_png(
    emulator: PrinterEmulator, printer: ReceiptPrinter
) -> None:
    printer.print_job(receipt_job() + receipt_job(1))
    first, second = emulator.wait_for_receipt(10), emulator.wait_for_receipt(10)
    out = emulator.out_dir
    assert sorted(p.name for p in out.iterdir()) == [
        "receipt-0001.png",
        "receipt-0001.txt",
        "receipt-0002.png",
        "receipt-0002.txt",
    ]
    assert (out / "receipt-0001.txt").read_text(encoding="utf-8") == (
        "第0行 line 0\n第1行 line 1\n第2行 line 2\n[QR: http://127.0.0.1/r/K0001-00000001?h=ab12]\n"
    )
    assert second.transcript.startswith("第0行 line 0\n[QR:")
    listed = send_command(emulator.control_path, "receipts")["receipts"]
    assert [r["index"] for r in listed] == [1, 2]
    with Image.open(first.png_path) as picture:
        assert picture.width == 48 * 12 + 64  # 80 mm: 576 dots and a margin each side
        dark = sum(picture.histogram()[:128])
        assert dark > 0.03 * picture.width * picture.height  # text and a QR code, not blank


def test_numbering_continues_after_a_restart(tmp_path: Path) -> None:
    (tmp_path / "receipt-0007.txt").write_text("old\n", encoding="utf-8")
    with (
        PrinterEmulator(tmp_path) as emulator,
        ReceiptPrinter(emulator.path, status_timeout_s=1.0) as printer,
    ):
        printer.print_job(receipt_job(1))
        assert emulator.wait_for_receipt(10).index == 8
    assert (tmp_path / "receipt-0008.png").exists()
    assert (tmp_path / "receipt-0007.txt").read_text(encoding="utf-8") == "old\n"


def test_without_a_cutter_a_receipt_ends_when_the_job_does(tmp_path: Path) -> None:
    with (
        PrinterEmulator(tmp_path, has_cutter=False, idle_end_s=0.2) as emulator,
        ReceiptPrinter(emulator.path, has_cutter=False, status_timeout_s=1.0) as printer,
    ):
        printer.print_job(receipt_job(2, has_cutter=False))
        receipt = emulator.wait_for_receipt(10)
    assert not receipt.cut
    assert receipt.problems == []
    assert receipt.transcript.startswith("第0行 line 0\n第1行 line 1\n[QR:")


def test_a_receipt_half_printed_when_stopped_is_kept(tmp_path: Path) -> None:
    with (
        PrinterEmulator(tmp_path) as emulator,
        ReceiptPrinter(emulator.path, status_timeout_s=1.0) as printer,
    ):
        printer.print_job(EscposJob().initialize().line("no cut yet").to_bytes())
        printer.status()  # the job has been read once the status is answered
    (receipt,) = emulator.receipts
    assert receipt.transcript == "no cut yet\n"
    assert "emulator stopped before a cut" in receipt.problems
