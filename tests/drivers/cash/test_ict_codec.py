"""ICT's byte messages from fixtures: the codec finds them, the parser names them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.cash.ict import codec
from drivers.cash.ict.codes import StatusParseError, parse_status
from drivers.cash.status import StatusKind


@pytest.mark.parametrize(
    ("wire", "used", "message"),
    [
        ("808f", 2, "808f"),  # power up
        ("8142", 2, "8142"),  # escrow, bill type 42
        ("10", 1, "10"),  # stacked
        ("3e5e", 1, "3e"),  # one step at a time
        ("80", 0, None),  # the second byte has not come yet
        ("8150", 1, None),  # 50 is not a bill type: the 81 is dropped
        ("77", 1, None),  # not an ICT byte
    ],
)
def test_decode_takes_one_step(wire: str, used: int, message: str | None) -> None:
    found = codec.decode(bytes.fromhex(wire))
    assert found == (used, None if message is None else bytes.fromhex(message))


def test_decode_stream_skips_garbage_and_keeps_a_half_message() -> None:
    result = codec.decode_stream(bytes.fromhex("77 80 8f 3e 99 81 41 10 81"))
    assert result.messages == [bytes.fromhex(m) for m in ("808f", "3e", "8141", "10")]
    assert result.leftover == b"\x81"
    assert result.garbage == 2


@pytest.mark.parametrize(
    ("message", "kind", "detail", "reason"),
    [
        ("808f", StatusKind.POWER_UP, None, ""),
        ("8145", StatusKind.ESCROW, 0x45, ""),
        ("10", StatusKind.STACKED, None, ""),
        ("11", StatusKind.RETURNED, None, ""),
        ("3e", StatusKind.IDLE, None, ""),
        ("5e", StatusKind.DISABLED, None, ""),
        ("20", StatusKind.FAILURE, 0x20, "motor_failure"),
        ("22", StatusKind.VALIDATOR_JAM, None, ""),
        ("23", StatusKind.REJECTING, 0x23, "bill_removed"),
        ("24", StatusKind.CASSETTE_OUT, None, ""),
        ("27", StatusKind.CHEATED, None, ""),
        ("28", StatusKind.CASSETTE_JAM, None, ""),
        ("29", StatusKind.REJECTING, 0x29, "bill_reject"),
        ("2a", StatusKind.INVALID_COMMAND, None, ""),
        ("2f", StatusKind.FAULT_CLEARED, None, ""),
        ("26", StatusKind.POWER_UP, None, "power_up_unanswered"),
    ],
)
def test_every_device_message_has_a_meaning(
    message: str, kind: StatusKind, detail: int | None, reason: str
) -> None:
    status = parse_status(bytes.fromhex(message))
    assert (status.kind, status.detail, status.reason) == (kind, detail, reason)


def test_a_host_byte_is_not_a_device_message() -> None:
    with pytest.raises(StatusParseError):
        parse_status(b"\x0c")


def test_the_device_reads_only_host_commands() -> None:
    result = codec.decode_host(bytes.fromhex("0c 77 02 0f 3e"))
    assert result.messages == [b"\x0c", b"\x02", b"\x0f", b"\x3e"]
    assert result.garbage == 1


@given(st.binary(max_size=64))
def test_decode_stream_never_fails_and_accounts_for_every_byte(data: bytes) -> None:
    result = codec.decode_stream(data)
    used = sum(len(m) for m in result.messages) + result.garbage + len(result.leftover)
    assert used == len(data)
    for message in result.messages:
        parse_status(message)  # everything the codec finds means something
