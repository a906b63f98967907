"""DLE EOT replies, from the bytes the ESC/POS specification gives, to typed states."""

import pytest

from drivers.printer.status import (
    PrinterState,
    StatusQuery,
    interpret,
    is_status_byte,
    reply_for,
    status_request,
)

Q = StatusQuery


def replies(printer: int = 0x12, offline: int = 0x12, error: int = 0x12, paper: int = 0x12):
    return {
        Q.PRINTER: printer,
        Q.OFFLINE_CAUSE: offline,
        Q.ERROR_CAUSE: error,
        Q.PAPER_SENSOR: paper,
    }


def test_requests_are_dle_eot_n() -> None:
    assert [status_request(q) for q in Q] == [
        b"\x10\x04\x01",
        b"\x10\x04\x02",
        b"\x10\x04\x03",
        b"\x10\x04\x04",
    ]


@pytest.mark.parametrize(
    ("given", "state"),
    [
        (replies(), PrinterState.READY),
        (replies(paper=0x1E), PrinterState.PAPER_NEAR_END),
        (replies(paper=0x16), PrinterState.PAPER_NEAR_END),  # one near-end bit is enough
        (replies(printer=0x1A, offline=0x32, paper=0x7E), PrinterState.PAPER_OUT),
        (replies(paper=0x72), PrinterState.PAPER_OUT),  # paper end even without offline
        (replies(printer=0x1A, offline=0x16), PrinterState.COVER_OPEN),
        (replies(printer=0x1A, offline=0x36, paper=0x7E), PrinterState.COVER_OPEN),
        (replies(printer=0x1A), PrinterState.OFFLINE),
        (replies(printer=0x1A, offline=0x52, error=0x1A), PrinterState.CUTTER_ERROR),
        (replies(printer=0x1A, offline=0x52, error=0x32), PrinterState.UNRECOVERABLE_ERROR),
        (replies(printer=0x1A, offline=0x52, error=0x3A), PrinterState.UNRECOVERABLE_ERROR),
        (replies(printer=0x1A, offline=0x52, error=0x52), PrinterState.OFFLINE),  # head hot
        (replies(offline=0x52), PrinterState.OFFLINE),
    ],
)
def test_replies_map_to_the_worst_state(given: dict, state: PrinterState) -> None:
    status = interpret(given)
    assert status.state is state
    assert status.can_print is (state in (PrinterState.READY, PrinterState.PAPER_NEAR_END))
    assert status.raw == bytes(given[q] for q in Q)


@pytest.mark.parametrize("missing", list(Q))
def test_a_missing_reply_is_not_answering_never_ready(missing: StatusQuery) -> None:
    given = replies()
    del given[missing]
    status = interpret(given)
    assert status.state is PrinterState.NOT_ANSWERING
    assert not status.can_print
    assert f"DLE EOT {missing.value}" in status.detail


@pytest.mark.parametrize("byte", [0x00, 0xFF, 0x10, 0x13, 0x92, 0x02])
def test_a_malformed_reply_is_not_answering(byte: int) -> None:
    assert not is_status_byte(byte)
    status = interpret(replies(paper=byte))
    assert status.state is PrinterState.NOT_ANSWERING
    assert f"0x{byte:02X}" in status.detail


def test_no_replies_at_all() -> None:
    status = interpret({})
    assert status.state is PrinterState.NOT_ANSWERING
    assert status.raw == b""


@pytest.mark.parametrize("state", [s for s in PrinterState if s is not PrinterState.NOT_ANSWERING])
def test_emulated_replies_read_back_as_the_same_state(state: PrinterState) -> None:
    bytes_ = {q: reply_for(state, q) for q in Q}
    assert all(is_status_byte(b) for b in bytes_.values())
    assert interpret(bytes_).state is state


def test_reference_bytes_for_the_paper_sensor() -> None:
    # The printer's manual: 0x12 OK, 0x1E near end, 0x7E end
    assert reply_for(PrinterState.READY, Q.PAPER_SENSOR) == 0x12
    assert reply_for(PrinterState.PAPER_NEAR_END, Q.PAPER_SENSOR) == 0x1E
    assert reply_for(PrinterState.PAPER_OUT, Q.PAPER_SENSOR) == 0x7E


def test_status_json() -> None:
    status = interpret(replies(paper=0x1E))
    assert status.as_json() == {
        "state": "paper_near_end",
        "can_print": True,
        "detail": "paper near end: replace the roll soon",
        "raw": "12 12 12 1e",
    }
