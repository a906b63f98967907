"""CCNET codec and status parsing from byte fixtures (the specification's check vectors too)."""

from __future__ import annotations

import pytest

from drivers.cash.ccnet import codec
from drivers.cash.ccnet.codes import (
    WITH_DETAIL,
    Command,
    FailureCode,
    PollState,
    RejectReason,
    StatusParseError,
    encode_status,
    parse_status,
)
from drivers.cash.status import StatusKind

POLL = bytes.fromhex("02 03 06 33 DA 81")
ACK = bytes.fromhex("02 03 06 00 C2 82")


def test_reference_frames() -> None:
    assert codec.encode_command(Command.POLL) == POLL
    assert codec.ACK_FRAME == ACK
    assert codec.encode(bytes([0xFF])) == codec.NAK_FRAME
    assert codec.NAK_FRAME[:4] == bytes.fromhex("02 03 06 FF")


def test_decode_splits_frames_and_keeps_a_partial_one() -> None:
    frames, leftover = codec.decode(POLL + ACK + POLL[:4])
    assert [f.data for f in frames] == [b"\x33", b"\x00"]
    assert all(f.address == 0x03 for f in frames)
    assert leftover == POLL[:4]
    frames, leftover = codec.decode(leftover + POLL[4:])
    assert [f.first for f in frames] == [0x33]
    assert leftover == b""


def test_decode_skips_garbage_and_bad_crc_and_counts_them() -> None:
    damaged = POLL[:-1] + bytes([POLL[-1] ^ 0x01])
    result = codec.decode_stream(b"\x00\xff\x55" + damaged + ACK + b"\x02\x03\x01" + POLL)
    assert [f.data for f in result.frames] == [b"\x00", b"\x33"]
    assert result.bad_crc == 1
    assert result.garbage >= 3
    assert result.leftover == b""


def test_a_frame_found_inside_a_damaged_one() -> None:
    damaged = b"\x02\x03\x09\x81" + POLL[:5]  # 9 bytes claimed, CRC wrong, POLL starts inside
    result = codec.decode_stream(damaged + POLL[5:])
    assert [f.data for f in result.frames] == [b"\x33"]
    assert result.bad_crc == 1


def test_a_false_start_claiming_a_long_frame_waits_for_more_bytes() -> None:
    result = codec.decode_stream(b"\x02\x03\x40" + POLL)  # claims 64 bytes
    assert result.frames == []
    assert result.leftover.endswith(POLL)  # the host drops it when the answer times out


def test_bill_table_answer_round_trips() -> None:
    table = bytes.fromhex("01434e590005434e590001434e590102434e5901") + bytes(100)
    frame = codec.encode(table)
    assert frame[2] == len(frame) == 125
    frames, _ = codec.decode(frame)
    assert frames[0].data == table


def test_encode_refuses_empty_or_oversized_data() -> None:
    with pytest.raises(ValueError, match=r"1\.\.245"):
        codec.encode(b"")
    with pytest.raises(ValueError, match=r"1\.\.245"):
        codec.encode(bytes(246))


SIMPLE_STATES = [s for s in PollState if s not in WITH_DETAIL]


@pytest.mark.parametrize("state", SIMPLE_STATES, ids=lambda s: s.name)
def test_every_simple_poll_state_parses_from_its_frame(state: PollState) -> None:
    frame = codec.encode(bytes([state]))
    (decoded,), _ = codec.decode(frame)
    status = parse_status(decoded.data)
    assert status.code == state
    assert status.detail is None
    assert encode_status(state) == bytes([state])


@pytest.mark.parametrize(
    ("data", "kind", "detail"),
    [
        ("10", StatusKind.POWER_UP, None),
        ("11", StatusKind.POWER_UP_BILL_IN_VALIDATOR, None),
        ("12", StatusKind.POWER_UP_BILL_IN_STACKER, None),
        ("13", StatusKind.INITIALIZING, None),
        ("14", StatusKind.IDLE, None),
        ("15", StatusKind.ACCEPTING, None),
        ("17", StatusKind.STACKING, None),
        ("18", StatusKind.RETURNING, None),
        ("19", StatusKind.DISABLED, None),
        ("1A", StatusKind.HOLDING, None),
        ("1B", StatusKind.BUSY, None),
        ("41", StatusKind.CASSETTE_FULL, None),
        ("42", StatusKind.CASSETTE_OUT, None),
        ("43", StatusKind.VALIDATOR_JAM, None),
        ("44", StatusKind.CASSETTE_JAM, None),
        ("45", StatusKind.CHEATED, None),
        ("46", StatusKind.PAUSED, None),
        ("47 50", StatusKind.FAILURE, 0x50),
        ("47 5F", StatusKind.FAILURE, 0x5F),
        ("80 02", StatusKind.ESCROW, 2),
        ("81 05", StatusKind.STACKED, 5),
        ("82 00", StatusKind.RETURNED, 0),
    ],
)
def test_poll_states_mean_what_the_reference_says(
    data: str, kind: StatusKind, detail: int | None
) -> None:
    status = parse_status(bytes.fromhex(data))
    assert status.kind is kind
    assert status.detail == detail


@pytest.mark.parametrize("reason", list(RejectReason), ids=lambda r: r.name)
def test_every_reject_reason_is_named(reason: RejectReason) -> None:
    status = parse_status(bytes([PollState.REJECTING, reason]))
    assert status.kind is StatusKind.REJECTING
    assert status.detail == reason
    assert status.reason == reason.name.lower()


@pytest.mark.parametrize("code", list(FailureCode), ids=lambda c: c.name)
def test_failure_codes_are_named(code: FailureCode) -> None:
    assert parse_status(bytes([PollState.FAILURE, code])).reason == code.name.lower()


def test_unknown_reject_reason_keeps_its_code() -> None:
    assert parse_status(bytes.fromhex("1C 7F")).reason == "code_0x7f"


@pytest.mark.parametrize("data", ["", "99", "80", "1C", "47"])
def test_malformed_poll_answers_are_refused(data: str) -> None:
    with pytest.raises(StatusParseError):
        parse_status(bytes.fromhex(data))


def test_encode_status_needs_the_second_byte_where_the_protocol_has_one() -> None:
    assert encode_status(PollState.STACKED, 3) == b"\x81\x03"
    with pytest.raises(ValueError, match="STACKED"):
        encode_status(PollState.STACKED)
