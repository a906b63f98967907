"""ID-003 codec and status parsing from byte fixtures (the specification's example included)."""

from __future__ import annotations

import pytest

from drivers.cash.id003 import codec
from drivers.cash.id003.codes import (
    WITH_DETAIL,
    Command,
    RejectReason,
    Status,
    StatusParseError,
    encode_status,
    parse_status,
)
from drivers.cash.status import StatusKind

STATUS_REQUEST = bytes.fromhex("FC 05 11 27 56")


def test_reference_status_request() -> None:
    assert codec.encode_command(Command.STATUS_REQUEST) == STATUS_REQUEST
    (frame,), leftover = codec.decode(STATUS_REQUEST)
    assert frame.data == b"\x11"
    assert leftover == b""


def test_ack_and_setting_frames() -> None:
    ack = codec.encode_command(Command.ACK)
    assert ack[:3] == bytes.fromhex("FC 05 50")
    setting = codec.encode_command(Command.SET_DENOMINATIONS, b"\xfb\x00")
    assert setting[1] == len(setting) == 7
    assert codec.decode(setting)[0][0].data == b"\xc0\xfb\x00"


def test_decode_skips_garbage_and_bad_crc_and_counts_them() -> None:
    damaged = STATUS_REQUEST[:-2] + bytes([STATUS_REQUEST[-2] ^ 0x80]) + STATUS_REQUEST[-1:]
    vend_valid = codec.encode(b"\x15")
    result = codec.decode_stream(b"\x01\x02" + damaged + b"\xfc\x02" + vend_valid + b"\xfc")
    assert [f.data for f in result.frames] == [b"\x15"]
    assert result.bad_crc == 1
    assert result.garbage >= 2
    assert result.leftover == b"\xfc"


def test_a_frame_split_over_reads_is_joined() -> None:
    escrow = codec.encode(b"\x13\x63")
    frames, leftover = codec.decode(escrow[:3])
    assert frames == []
    frames, leftover = codec.decode(leftover + escrow[3:])
    assert frames[0].data == b"\x13\x63"


SIMPLE = [s for s in Status if s not in WITH_DETAIL]


@pytest.mark.parametrize("status", SIMPLE, ids=lambda s: s.name)
def test_every_simple_status_parses_from_its_frame(status: Status) -> None:
    (frame,), _ = codec.decode(codec.encode(bytes([status])))
    parsed = parse_status(frame.data)
    assert parsed.code == status
    assert parsed.detail is None


@pytest.mark.parametrize(
    ("data", "kind", "detail"),
    [
        ("11", StatusKind.IDLE, None),
        ("12", StatusKind.ACCEPTING, None),
        ("13 61", StatusKind.ESCROW, 0x61),
        ("13 68", StatusKind.ESCROW, 0x68),
        ("14", StatusKind.STACKING, None),
        ("15", StatusKind.STACKED, None),  # VEND VALID: the credit, acknowledged by the host
        ("16", StatusKind.STACKED_INFO, None),
        ("18", StatusKind.RETURNING, None),
        ("19", StatusKind.HOLDING, None),
        ("1A", StatusKind.DISABLED, None),
        ("1B", StatusKind.INITIALIZING, None),
        ("40", StatusKind.POWER_UP, None),
        ("41", StatusKind.POWER_UP_BILL_IN_VALIDATOR, None),
        ("42", StatusKind.POWER_UP_BILL_IN_STACKER, None),
        ("43", StatusKind.CASSETTE_FULL, None),
        ("44", StatusKind.CASSETTE_OUT, None),
        ("45", StatusKind.VALIDATOR_JAM, None),
        ("46", StatusKind.CASSETTE_JAM, None),
        ("47", StatusKind.PAUSED, None),
        ("48", StatusKind.CHEATED, None),
        ("49 A2", StatusKind.FAILURE, 0xA2),
        ("4A", StatusKind.COMMUNICATION_ERROR, None),
        ("4B", StatusKind.INVALID_COMMAND, None),
    ],
)
def test_statuses_mean_what_the_reference_says(
    data: str, kind: StatusKind, detail: int | None
) -> None:
    parsed = parse_status(bytes.fromhex(data))
    assert parsed.kind is kind
    assert parsed.detail == detail


@pytest.mark.parametrize("reason", list(RejectReason), ids=lambda r: r.name)
def test_every_reject_reason_is_named(reason: RejectReason) -> None:
    parsed = parse_status(bytes([Status.REJECTING, reason]))
    assert parsed.kind is StatusKind.REJECTING
    assert parsed.reason == reason.name.lower()


@pytest.mark.parametrize("data", ["", "20", "13", "17", "49"])
def test_malformed_statuses_are_refused(data: str) -> None:
    with pytest.raises(StatusParseError):
        parse_status(bytes.fromhex(data))


def test_encode_status() -> None:
    assert encode_status(Status.ESCROW, 0x62) == b"\x13\x62"
    with pytest.raises(ValueError, match="ESCROW"):
        encode_status(Status.ESCROW)
