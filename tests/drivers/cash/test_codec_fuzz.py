"""Hypothesis: decoders never crash on any bytes, and damage never invents a stacked report."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.cash.ccnet import codec as ccnet_codec
from drivers.cash.ccnet.codes import PollState
from drivers.cash.ccnet.codes import StatusParseError as CcnetParseError
from drivers.cash.ccnet.codes import parse_status as ccnet_parse
from drivers.cash.id003 import codec as id003_codec
from drivers.cash.id003.codes import Status
from drivers.cash.id003.codes import StatusParseError as Id003ParseError
from drivers.cash.id003.codes import parse_status as id003_parse
from drivers.cash.status import StatusKind

CCNET_ANSWERS = [
    bytes([PollState.IDLING]),
    bytes([PollState.ACCEPTING]),
    bytes([PollState.ESCROW, 2]),
    bytes([PollState.STACKING]),
    bytes([PollState.STACKED, 2]),
    bytes([PollState.STACKED, 5]),
    bytes([PollState.RETURNED, 1]),
    bytes([PollState.REJECTING, 0x68]),
    bytes([PollState.DISABLED]),
    bytes(range(0x41, 0x41 + 24 * 5 % 200)),  # a long answer, like the bill table
]
ID003_ANSWERS = [
    bytes([Status.ENABLE]),
    bytes([Status.ACCEPTING]),
    bytes([Status.ESCROW, 0x63]),
    bytes([Status.STACKING]),
    bytes([Status.VEND_VALID]),
    bytes([Status.STACKED]),
    bytes([Status.REJECTING, 0x79]),
    bytes([Status.DISABLE]),
    bytes([0x8A]) + bytes(range(24)),
]


def stacked_reports(datas: list[bytes], parse: Callable[[bytes], object]) -> Counter[bytes]:
    """The frames among ``datas`` that parse as the credit report."""
    found: Counter[bytes] = Counter()
    for data in datas:
        try:
            status = parse(data)
        except (CcnetParseError, Id003ParseError):
            continue
        if getattr(status, "kind", None) is StatusKind.STACKED:
            found[data] += 1
    return found


@st.composite
def damaged_stream(draw: st.DrawFn, answers: list[bytes], encode: Callable[[bytes], bytes]):
    """(what was sent, the bytes received after random damage)."""
    sent = draw(st.lists(st.sampled_from(answers), min_size=1, max_size=12))
    stream = bytearray(b"".join(encode(d) for d in sent))
    for _ in range(draw(st.integers(0, 6))):
        if not stream:
            break
        where = draw(st.integers(0, len(stream) - 1))
        action = draw(st.sampled_from(["flip", "drop", "insert", "duplicate"]))
        if action == "flip":
            stream[where] ^= 1 << draw(st.integers(0, 7))
        elif action == "drop":
            del stream[where]
        elif action == "insert":
            stream.insert(where, draw(st.integers(0, 255)))
        else:
            stream[where:where] = stream[where : where + draw(st.integers(1, 8))]
    return sent, bytes(stream)


@given(st.binary(max_size=600))
def test_random_bytes_never_crash_the_ccnet_decoder(data: bytes) -> None:
    result = ccnet_codec.decode_stream(data)
    consumed = len(data) - len(result.leftover)
    assert consumed >= result.garbage
    assert data.endswith(result.leftover)
    for frame in result.frames:
        assert ccnet_codec.encode(frame.data, frame.address) in data


@given(st.binary(max_size=600))
def test_random_bytes_never_crash_the_id003_decoder(data: bytes) -> None:
    result = id003_codec.decode_stream(data)
    assert data.endswith(result.leftover)
    for frame in result.frames:
        assert id003_codec.encode(frame.data) in data


@settings(max_examples=300)
@given(damaged_stream(CCNET_ANSWERS, ccnet_codec.encode))
def test_damaged_ccnet_streams_never_invent_a_stacked_report(
    case: tuple[list[bytes], bytes],
) -> None:
    sent, received = case
    frames, _ = ccnet_codec.decode(received)
    got = stacked_reports([f.data for f in frames], ccnet_parse)
    sent_reports = stacked_reports(sent, ccnet_parse)
    for data, count in got.items():
        # damage can duplicate bytes (the host's state tracking drops a repeat), but a report
        # is only ever one that was sent, and only as often as its whole frame is there
        assert data in sent_reports, f"{data.hex()} was never sent"
        assert count <= received.count(ccnet_codec.encode(data))


@settings(max_examples=300)
@given(damaged_stream(ID003_ANSWERS, id003_codec.encode))
def test_damaged_id003_streams_never_invent_a_stacked_report(
    case: tuple[list[bytes], bytes],
) -> None:
    sent, received = case
    frames, _ = id003_codec.decode(received)
    got = stacked_reports([f.data for f in frames], id003_parse)
    sent_reports = stacked_reports(sent, id003_parse)
    for data, count in got.items():
        assert data in sent_reports, f"{data.hex()} was never sent"
        assert count <= received.count(id003_codec.encode(data))


@given(damaged_stream(CCNET_ANSWERS, ccnet_codec.encode))
def test_damage_never_invents_any_ccnet_frame(case: tuple[list[bytes], bytes]) -> None:
    sent, received = case
    frames, _ = ccnet_codec.decode(received)
    assert {f.data for f in frames} <= set(sent)


@given(st.lists(st.sampled_from(ID003_ANSWERS), min_size=1, max_size=8), st.data())
def test_frames_untouched_by_damage_are_all_decoded(sent: list[bytes], data: st.DataObject) -> None:
    """Garbage between whole frames loses nothing: each frame is decoded, in order."""
    noise = data.draw(st.lists(st.binary(max_size=6), min_size=len(sent), max_size=len(sent)))
    pieces = zip(noise, sent, strict=True)
    stream = b"".join(n.replace(b"\xfc", b"") + id003_codec.encode(d) for n, d in pieces)
    frames, leftover = id003_codec.decode(stream)
    assert [f.data for f in frames] == sent
    assert leftover == b""
