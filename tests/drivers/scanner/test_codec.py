"""The scanner codec from byte fixtures: framing, CR LF, affixes, overlong and binary garbage."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.scanner import ScannerSettingError
from drivers.scanner.codec import (
    Code,
    CodecSettings,
    Refusal,
    RefusalReason,
    ScanDecoder,
    Terminator,
)

WECHAT = "134567890123456789"


def decode(*chunks: bytes, **settings: object) -> list[object]:
    decoder = ScanDecoder(CodecSettings(**settings))  # type: ignore[arg-type]
    frames: list[object] = []
    for chunk in chunks:
        frames.extend(decoder.feed(chunk))
    return frames


@pytest.mark.parametrize(
    "wire",
    [
        b"134567890123456789\r",
        b"134567890123456789\n",
        b"134567890123456789\r\n",
    ],
    ids=["cr", "lf", "crlf"],
)
def test_each_terminator_ends_one_code(wire: bytes) -> None:
    assert decode(wire) == [Code(WECHAT)]


def test_crlf_counts_once_also_split_between_reads() -> None:
    decoder = ScanDecoder()
    assert decoder.feed(WECHAT.encode() + b"\r") == [Code(WECHAT)]
    assert decoder.feed(b"\n") == []
    assert decoder.feed(b"\n") == []  # a second LF is a blank line: ignored
    assert decoder.feed(b"2512345678901234\r\n") == [Code("2512345678901234")]
    assert decoder.pending == 0
    assert dict(decoder.endings) == {"cr": 0, "crlf": 2}


def test_a_code_split_over_many_reads() -> None:
    chunks = [bytes([b]) for b in b"6212345678901234567\r\n"]
    assert decode(*chunks) == [Code("6212345678901234567")]


def test_several_codes_in_one_read_and_lf_only_and_cr_only() -> None:
    assert decode(b"111\n222\n333\n") == [Code("111"), Code("222"), Code("333")]
    assert decode(b"111\r222\r333\r") == [Code("111"), Code("222"), Code("333")]
    assert decode(b"111\r\n222\n333\r") == [Code("111"), Code("222"), Code("333")]


def test_lf_cr_is_two_endings_with_a_blank_line_between() -> None:
    assert decode(b"111\n\r222\r") == [Code("111"), Code("222")]


def test_blank_lines_are_ignored() -> None:
    assert decode(b"\r\n\r\n\n\r") == []


def test_no_terminator_no_code_until_it_comes() -> None:
    decoder = ScanDecoder()
    assert decoder.feed(WECHAT.encode()) == []
    assert decoder.pending == 18
    assert decoder.feed(b"\r") == [Code(WECHAT)]


def test_prefix_and_suffix_are_stripped() -> None:
    frames = decode(b"<<" + WECHAT.encode() + b">\r\n", prefix="<<", suffix=">")
    assert frames == [Code(WECHAT)]
    assert decode(b"]Q1" + WECHAT.encode() + b"\r", prefix="]Q1") == [Code(WECHAT)]


def test_a_frame_without_its_prefix_or_suffix_is_refused() -> None:
    wire = WECHAT.encode()
    assert decode(wire + b">\r", prefix="<", suffix=">") == [Refusal(RefusalReason.NO_PREFIX, 19)]
    assert decode(b"<" + wire + b"\r", prefix="<", suffix=">") == [
        Refusal(RefusalReason.NO_SUFFIX, 19)
    ]
    # an affix that is both prefix and suffix needs two copies
    assert decode(b"#\r", prefix="#", suffix="#") == [Refusal(RefusalReason.NO_SUFFIX, 1)]


def test_only_prefix_and_suffix_is_an_empty_code() -> None:
    assert decode(b"<>\r", prefix="<", suffix=">") == [Code("")]


def test_max_length_is_the_code_without_affixes() -> None:
    assert decode(b"<1234>\n", prefix="<", suffix=">", max_length=4) == [Code("1234")]
    assert decode(b"<12345>\n", prefix="<", suffix=">", max_length=4) == [
        Refusal(RefusalReason.TOO_LONG, 7)
    ]


def test_overlong_garbage_is_discarded_up_to_the_next_terminator() -> None:
    decoder = ScanDecoder(CodecSettings(max_length=24))
    assert decoder.feed(b"9" * 10_000) == []
    assert decoder.pending == 10_000  # counted, not kept
    assert len(decoder._buffer) == 0
    assert decoder.feed(b"99\r\n" + WECHAT.encode() + b"\r\n") == [
        Refusal(RefusalReason.TOO_LONG, 10_002),
        Code(WECHAT),
    ]


def test_max_length_boundary() -> None:
    assert decode(b"1" * 24 + b"\r", max_length=24) == [Code("1" * 24)]
    assert decode(b"1" * 25 + b"\r", max_length=24) == [Refusal(RefusalReason.TOO_LONG, 25)]


@pytest.mark.parametrize(
    "garbage",
    [b"\x00", b"\x1b", b"\t", b"\x7f", b"\x80", b"\xff", "码".encode(), b"\x02\x03"],
)
def test_a_frame_with_a_non_printable_byte_is_refused_whole(garbage: bytes) -> None:
    wire = b"1345678" + garbage + b"90123456789\r\n" + WECHAT.encode() + b"\n"
    assert decode(wire) == [
        Refusal(RefusalReason.NOT_PRINTABLE, 18 + len(garbage)),
        Code(WECHAT),
    ]


def test_binary_garbage_without_terminator_then_a_scan() -> None:
    noise = bytes(range(256)).replace(b"\r", b"").replace(b"\n", b"") * 40
    assert decode(noise, b"\r", WECHAT.encode(), b"\r") == [
        Refusal(RefusalReason.NOT_PRINTABLE, len(noise)),
        Code(WECHAT),
    ]


def test_flush_drops_an_unfinished_frame() -> None:
    decoder = ScanDecoder()
    assert decoder.flush() is None
    decoder.feed(b"1345")
    assert decoder.flush() == Refusal(RefusalReason.INCOMPLETE, 4)
    assert decoder.feed(WECHAT.encode() + b"\r") == [Code(WECHAT)]
    decoder.feed(b"12\x00")
    assert decoder.flush() == Refusal(RefusalReason.NOT_PRINTABLE, 3)
    assert decoder.pending == 0


def test_the_code_is_not_in_the_repr() -> None:
    assert WECHAT not in repr(Code(WECHAT))
    assert repr(Code(WECHAT)) == "Code(<18 characters>)"


@pytest.mark.parametrize(
    "settings",
    [
        {"max_length": 0},
        {"max_length": 5000},
        {"prefix": "\r"},
        {"suffix": "\t"},
        {"prefix": "码"},
    ],
)
def test_impossible_settings_are_refused(settings: dict[str, object]) -> None:
    with pytest.raises(ScannerSettingError):
        CodecSettings(**settings)  # type: ignore[arg-type]


def test_terminator_wire_bytes() -> None:
    assert Terminator.CR.wire == b"\r"
    assert Terminator.LF.wire == b"\n"
    assert Terminator.CRLF.wire == b"\r\n"


codes = st.lists(st.text(alphabet="0123456789", min_size=1, max_size=24), max_size=8)


@given(codes, st.sampled_from([b"\r", b"\n", b"\r\n"]), st.data())
def test_any_split_of_the_stream_gives_the_same_codes(
    values: list[str], ending: bytes, data: st.DataObject
) -> None:
    wire = b"".join(v.encode() + ending for v in values)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(wire)), max_size=6)))
    chunks = [wire[a:b] for a, b in zip([0, *cuts], [*cuts, len(wire)], strict=True)]
    assert decode(*chunks) == [Code(v) for v in values]


@given(st.binary(max_size=300))
def test_any_bytes_give_only_printable_codes_within_the_limit(wire: bytes) -> None:
    for frame in decode(wire, max_length=16):
        if isinstance(frame, Code):
            assert 1 <= len(frame.text) <= 16
            assert frame.text.isascii()
            assert frame.text.isprintable()
