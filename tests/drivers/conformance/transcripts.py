"""Conformance transcripts: byte exchanges written by hand from the protocol specifications.

Sources: the CashCode CCNET description of POLL states, IDENTIFICATION and GET BILL TABLE,
JCM's ID-003 command and status tables, and the ICT protocol for RS232 v0.3. Nothing here was
recorded from this project's emulator.

A transcript is a list of steps in the order they happen on the wire:

- ``H(hex)``: the host sends this message (for CCNET and ID-003 the data of one frame, the
  command byte first; for ICT the byte itself);
- ``D(hex)``: the device sends this (the data of one frame; for ICT the bytes). ``D(any=True)``
  stands for an answer whose text differs by unit (identification, version);
- ``A(command)``: what a person does at the device (insert a note, open the cassette); only
  the emulator side acts on it.

Polling is as the specifications want it: the transcripts show the polls that matter, and a
player answers any further poll with the device's current state, as a device would. The CCNET
host ACKs every answer that carries data (``H("00")`` after each).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from drivers.cash import (
    AcceptorEvent,
    Escrow,
    Fault,
    FaultCleared,
    FaultKind,
    PowerUp,
    Ready,
    Rejected,
    Returned,
    Stacked,
    StackedUnidentified,
)


@dataclass(frozen=True)
class Step:
    who: str  # "host", "device" or "act"
    data: bytes = b""
    any: bool = False  # device: the content differs by unit
    act: tuple[str, ...] = ()


def H(text: str) -> Step:
    return Step("host", bytes.fromhex(text))


def D(text: str = "", *, any: bool = False) -> Step:
    return Step("device", bytes.fromhex(text), any=any)


def A(*act: str) -> Step:
    return Step("act", act=act)


@dataclass(frozen=True)
class Transcript:
    name: str
    protocol: str
    steps: list[Step]
    events: list[tuple[type[AcceptorEvent], dict[str, Any]]]  # what the host reports
    decision: str = "stack"  # the engine's answer to an escrow
    settings: dict[str, Any] = field(default_factory=dict)  # host settings (table codes)
    emulator: dict[str, Any] | None = field(default_factory=dict)  # None: host side only
    enable_after_ready: bool = True  # the core enables every note once Ready
    host: bool = True  # False: the emulator's side only


# ---- CCNET ------------------------------------------------------------------------------

CC_ACK = "00"


def cc_poll(*answer: str) -> list[Step]:
    """POLL, the answer, and the host's ACK of it."""
    return [H("33"), D(" ".join(answer)), H(CC_ACK)]


def cc_table(code: str) -> str:
    """GET BILL TABLE's answer: 1, 5, 10, 20, 50, 100 units in ``code``, 18 empty entries."""
    letters = code.encode("ascii").hex()
    notes = [(1, 0), (5, 0), (1, 1), (2, 1), (5, 1), (1, 2)]
    entries = "".join(f"{d:02x}{letters}{e:02x}" for d, e in notes)
    return entries + "00" * 5 * 18


CC_IDENT = (
    "433130302d43484e2d3030312020"  # part number "C100-CHN-001  " ...
    "20"  # ... 15 bytes
    "313241423334353637383930"  # serial number "12AB34567890" (12 bytes)
    "00000000000102"  # asset number (7 bytes)
)
CC_DISABLE = "34 000000 000000"  # ENABLE BILL TYPES: nothing (start-up, nothing asked yet)
CC_ENABLE_ALL = "34 00003f 00003f"  # types 0..5, escrow on for each


def cc_start(code: str = "CHN", power_up: str = "10", enable: str = CC_ENABLE_ALL) -> list[Step]:
    return [
        *cc_poll(power_up),  # 10 power up / 11 with a bill in the validator / 12 in the stacker
        H("30"),  # RESET
        D(CC_ACK),
        *cc_poll("13"),  # initialize
        *cc_poll("19"),  # disabled: started
        H("37"),  # IDENTIFICATION
        D(CC_IDENT, any=True),
        H(CC_ACK),
        H("41"),  # GET BILL TABLE
        D(cc_table(code)),
        H(CC_ACK),
        H(CC_DISABLE),
        D(CC_ACK),
        H(enable),  # what the core asked for once Ready
        D(CC_ACK),
    ]


CNY_TABLE = {0: 100, 1: 500, 2: 1000, 3: 2000, 4: 5000, 5: 10000}
READY: tuple[type[AcceptorEvent], dict[str, Any]] = (Ready, {})


def cc_escrow(bill_type: int = 2) -> list[Step]:
    return [
        *cc_poll("14"),  # idling
        A("insert", str(CNY_TABLE[bill_type])),
        *cc_poll("15"),  # accepting
        *cc_poll(f"80 {bill_type:02x}"),  # escrow position, bill type
    ]


CCNET_REJECTS = {
    "60": "insertion",
    "61": "magnetic",
    "62": "remaining_bill_in_head",
    "63": "multiplying",
    "64": "conveying",
    "65": "identification",
    "66": "verification",
    "67": "optic",
    "68": "inhibit",
    "69": "capacitance",
    "6a": "operation",
    "6c": "length",
    "6d": "uv",
}
# What makes the emulator reject with this reason (the others need a real note's physics).
EMULATOR_REJECT_ACTS = {
    "insertion": (A("insert", "1000"), A("pull_back")),
    "identification": (A("insert", "300"),),
    "verification": (A("insert_fake", "1000"),),
    "denomination": (A("insert", "300"),),
    "photo_pattern_1": (A("insert_fake", "1000"),),
    "bill_reject": (A("insert", "300"),),
}


def ccnet_transcripts() -> list[Transcript]:
    found = [
        Transcript(
            "start-up, power up with a bill in the stacker, table in CHN",
            "ccnet",
            [*cc_start(power_up="12"), *cc_poll("14")],
            [(PowerUp, {"bill_in": "stacker"}), READY],
            emulator={"bill_in_stacker": 1000, "table_code": "CHN"},
        ),
        Transcript(
            "start-up, power up with a bill in the validator, table in CNY",
            "ccnet",
            [*cc_start("CNY", power_up="11"), *cc_poll("14")],
            [(PowerUp, {"bill_in": "validator"}), READY],
            emulator=None,
        ),
        Transcript(
            "escrow, stack",
            "ccnet",
            [
                *cc_start(),
                *cc_escrow(2),
                H("35"),  # STACK
                D(CC_ACK),
                *cc_poll("17"),  # stacking
                *cc_poll("81 02"),  # bill stacked (ACKed: the credit is the host's)
                *cc_poll("14"),
            ],
            [
                (PowerUp, {"bill_in": None}),
                READY,
                (Escrow, {"denomination_fen": 1000, "bill_type": 2}),
                (Stacked, {"denomination_fen": 1000, "bill_type": 2}),
            ],
            emulator={"table_code": "CHN"},
        ),
        Transcript(
            "escrow, return",
            "ccnet",
            [
                *cc_start(),
                *cc_escrow(4),
                H("36"),  # RETURN
                D(CC_ACK),
                *cc_poll("18"),  # returning
                *cc_poll("82 04"),  # bill returned
                *cc_poll("14"),
            ],
            [
                (PowerUp, {"bill_in": None}),
                READY,
                (Escrow, {"denomination_fen": 5000, "bill_type": 4}),
                (Returned, {"denomination_fen": 5000, "bill_type": 4}),
            ],
            decision="return",
            emulator={"table_code": "CHN"},
        ),
        Transcript(
            "a table in RUS is refused, naming what the device reported",
            "ccnet",
            [
                *cc_poll("10"),
                H("30"),
                D(CC_ACK),
                *cc_poll("19"),
                H("37"),
                D(CC_IDENT, any=True),
                H(CC_ACK),
                H("41"),
                D(cc_table("RUS")),
                H(CC_ACK),
                H(CC_DISABLE),  # nothing may be accepted
                D(CC_ACK),
                *cc_poll("19"),
            ],
            [
                (PowerUp, {"bill_in": None}),
                (
                    Fault,
                    {
                        "kind": FaultKind.BILL_TABLE,
                        "reason": "bill table has no notes in CNY/CHN: the device reports "
                        "RUS 1, RUS 5, RUS 10, RUS 20, RUS 50, RUS 100",
                    },
                ),
            ],
            emulator={"table_code": "RUS"},
            enable_after_ready=False,
        ),
        Transcript(
            "a restarted host collects the stacked report before its RESET",
            "ccnet",
            [
                H("33"),
                D("81 03"),  # the last host never ACKed this bill's report
                H("37"),  # the host reads the table to name the bill ...
                D(CC_IDENT, any=True),
                H(CC_ACK),
                H("41"),
                D(cc_table("CHN")),
                H(CC_ACK),
                *cc_poll("81 03"),  # ... asks again, reports it, and ACKs the repeat at once
                *cc_poll("19"),
                H("30"),
                D(CC_ACK),
                *cc_poll("19"),
                H("37"),
                D(CC_IDENT, any=True),
                H(CC_ACK),
                H("41"),
                D(cc_table("CHN")),
                H(CC_ACK),
                H(CC_DISABLE),
                D(CC_ACK),
                H(CC_ENABLE_ALL),
                D(CC_ACK),
                *cc_poll("14"),
            ],
            [(Stacked, {"denomination_fen": 2000, "bill_type": 3}), READY],
            emulator=None,
        ),
    ]
    for code, reason in CCNET_REJECTS.items():
        acts = EMULATOR_REJECT_ACTS.get(reason)
        found.append(
            Transcript(
                f"reject: {reason}",
                "ccnet",
                [
                    *cc_start(),
                    *cc_poll("14"),
                    *(acts or (A("insert", "1000"),)),
                    *cc_poll("15"),
                    *cc_poll(f"1c {code}"),  # rejecting, reason
                    *cc_poll("14"),
                ],
                [
                    (PowerUp, {"bill_in": None}),
                    READY,
                    (Rejected, {"reason": reason, "code": int(code, 16)}),
                ],
                emulator={"table_code": "CHN"} if acts and reason != "insertion" else None,
            )
        )
    for state, kind, act, clear in (
        ("43", FaultKind.VALIDATOR_JAM, ("jam", "validator"), ("clear_jam",)),
        ("44", FaultKind.CASSETTE_JAM, ("jam", "cassette"), ("clear_jam",)),
        ("42", FaultKind.CASSETTE_REMOVED, ("remove_cassette",), ("replace_cassette",)),
    ):
        found.append(
            Transcript(
                f"fault: {kind.value}, then cleared",
                "ccnet",
                [
                    *cc_start(),
                    *cc_poll("14"),
                    A(*act),
                    *cc_poll(state),
                    A(*clear),
                    *cc_poll("14"),
                ],
                [
                    (PowerUp, {"bill_in": None}),
                    READY,
                    (Fault, {"kind": kind}),
                    (FaultCleared, {"kind": kind}),
                ],
                emulator={"table_code": "CHN"},
            )
        )
    return found


# ---- ID-003 -----------------------------------------------------------------------------

ID_ACK = "50"
CNY_COUNTRY = 156  # 0x9C: this project's default country code for yuan (ISO 4217 numeric)


def id_poll(answer: str) -> list[Step]:
    return [H("11"), D(answer)]


def id_assignment(country: int) -> str:
    """The currency assignment: escrow codes 61..66 = 1, 5, 10, 20, 50, 100 units."""
    notes = [(1, 0), (5, 0), (1, 1), (2, 1), (5, 1), (1, 2)]
    return "8a" + "".join(
        f"{0x61 + i:02x}{country:02x}{d:02x}{e:02x}" for i, (d, e) in enumerate(notes)
    )


ID_VERSION = "88" + "i(CHN)100-SS ID003-05V270-31".encode("ascii").hex()
ID_ESCROW_CODES = {0x61: 100, 0x62: 500, 0x63: 1000, 0x64: 2000, 0x65: 5000, 0x66: 10000}


def id_start(country: int = CNY_COUNTRY, power_up: str = "40", enable: bool = True) -> list[Step]:
    steps = [
        *id_poll(power_up),  # 40 power up / 41 bill in acceptor / 42 bill in stacker
        H("40"),  # RESET
        D(ID_ACK),
        *id_poll("1b"),  # initialize
        *id_poll("1a"),  # disable (inhibited)
        H("88"),  # version request
        D(ID_VERSION, any=True),
        H("8a"),  # currency assignment
        D(id_assignment(country)),
        H("c0 ff 00"),  # start-up: every denomination inhibited (a set bit inhibits) ...
        D("c0 ff 00"),  # ... echoed
        H("c3 01"),  # acceptor inhibited
        D("c3 01"),
    ]
    if enable:
        steps += [
            H("c0 c0 00"),  # 61..66 enabled, 67 and 68 inhibited
            D("c0 c0 00"),
            H("c3 00"),  # accept
            D("c3 00"),
        ]
    return steps


def id_escrow(code: int) -> list[Step]:
    return [
        *id_poll("11"),  # enable (idling)
        A("insert", str(ID_ESCROW_CODES[code])),
        *id_poll("12"),  # accepting
        *id_poll(f"13 {code:02x}"),  # escrow, escrow code
    ]


ID003_REJECTS = {
    "71": "insertion",
    "72": "magnetic",
    "73": "remaining_bill",
    "74": "compensation",
    "75": "conveying",
    "76": "denomination",
    "77": "photo_pattern_1",
    "78": "photo_level",
    "79": "inhibit",
    "7b": "operation",
    "7c": "stacker",
    "7d": "length",
    "7e": "photo_pattern_2",
}


def id003_transcripts() -> list[Transcript]:
    found = [
        Transcript(
            "start-up, power up with a bill in the stacker",
            "id003",
            [*id_start(power_up="42"), *id_poll("11")],
            [(PowerUp, {"bill_in": "stacker"}), READY],
            emulator={"bill_in_stacker": 1000},
        ),
        Transcript(
            "escrow, stack",
            "id003",
            [
                *id_start(),
                *id_escrow(0x63),
                H("41"),  # STACK-1
                D(ID_ACK),
                *id_poll("14"),  # stacking
                *id_poll("15"),  # vend valid ...
                H(ID_ACK),  # ... which the host must ACK
                *id_poll("16"),  # stacked
                *id_poll("11"),
            ],
            [
                (PowerUp, {"bill_in": None}),
                READY,
                (Escrow, {"denomination_fen": 1000, "bill_type": 0x63}),
                (Stacked, {"denomination_fen": 1000, "bill_type": 0x63}),
            ],
        ),
        Transcript(
            "escrow, return",
            "id003",
            [
                *id_start(),
                *id_escrow(0x66),
                H("43"),  # RETURN
                D(ID_ACK),
                *id_poll("18"),  # returning
                *id_poll("11"),  # back to idling: handed back
            ],
            [
                (PowerUp, {"bill_in": None}),
                READY,
                (Escrow, {"denomination_fen": 10000, "bill_type": 0x66}),
                (Returned, {"denomination_fen": 10000, "bill_type": 0x66}),
            ],
            decision="return",
        ),
        Transcript(
            "a country code other than the configured ones is refused, naming it",
            "id003",
            [
                *id_start(country=1, enable=False),
                *id_poll("1a"),
            ],
            [
                (PowerUp, {"bill_in": None}),
                (
                    Fault,
                    {
                        "kind": FaultKind.BILL_TABLE,
                        "reason": "bill table has no notes in 156: the device reports "
                        "country 1: 1, country 1: 5, country 1: 10, country 1: 20, "
                        "country 1: 50, country 1: 100",
                    },
                ),
            ],
            emulator={"table_code": 1},
            enable_after_ready=False,
        ),
        Transcript(
            "the same device with its country code configured",
            "id003",
            [*id_start(country=1), *id_poll("11")],
            [(PowerUp, {"bill_in": None}), READY],
            settings={"table_codes": (1,)},
            emulator={"table_code": 1},
        ),
        Transcript(
            "a restarted host collects an unacknowledged VEND VALID before its RESET",
            "id003",
            [
                *id_poll("15"),  # the last host never ACKed it
                H("88"),
                D(ID_VERSION, any=True),
                H("8a"),
                D(id_assignment(CNY_COUNTRY)),
                *id_poll("15"),  # asked again: reported (denomination unknown) ...
                H(ID_ACK),  # ... and ACKed at once
                *id_poll("16"),
                *id_poll("1a"),
                H("40"),
                D(ID_ACK),
                *id_poll("1a"),
                H("88"),
                D(ID_VERSION, any=True),
                H("8a"),
                D(id_assignment(CNY_COUNTRY)),
                H("c0 ff 00"),
                D("c0 ff 00"),
                H("c3 01"),
                D("c3 01"),
                H("c0 c0 00"),
                D("c0 c0 00"),
                H("c3 00"),
                D("c3 00"),
                *id_poll("11"),
            ],
            [(StackedUnidentified, {}), READY],
            emulator=None,
        ),
        Transcript(
            "C3 00 alone enables every denomination (nothing inhibited after RESET)",
            "id003",
            [
                *id_poll("40"),
                H("40"),
                D(ID_ACK),
                *id_poll("1b"),
                *id_poll("1a"),
                H("c3 00"),  # a host that never sends C0
                D("c3 00"),
                *id_poll("11"),  # enabled
                A("insert", "10000"),
                *id_poll("12"),
                *id_poll("13 66"),  # 100 yuan accepted into escrow
            ],
            [],
            host=False,  # our host always sends C0 first
        ),
        Transcript(
            "settings read back (80..85), interrupt mode refused",
            "id003",
            [
                *id_start(enable=False),
                H("80"),
                D("80 ff 00"),  # C0 as set
                H("82"),
                D("82 00"),  # polling mode
                H("83"),
                D("83 01"),  # inhibited
                H("c2 01"),  # interrupt mode: not implemented, so ...
                D("4b"),  # ... INVALID COMMAND
                H("82"),
                D("82 00"),  # still polling
            ],
            [],
            emulator={},
            enable_after_ready=False,
            host=False,  # a host of ours never asks these: the emulator's side only
        ),
    ]
    for code, reason in ID003_REJECTS.items():
        acts = EMULATOR_REJECT_ACTS.get(reason)
        found.append(
            Transcript(
                f"reject: {reason}",
                "id003",
                [
                    *id_start(),
                    *id_poll("11"),
                    *(acts or (A("insert", "1000"),)),
                    *id_poll("12"),
                    *id_poll(f"17 {code}"),  # rejecting, reason
                    *id_poll("11"),
                ],
                [
                    (PowerUp, {"bill_in": None}),
                    READY,
                    (Rejected, {"reason": reason, "code": int(code, 16)}),
                ],
                emulator={} if acts and reason != "insertion" else None,
            )
        )
    for status, kind, act, clear in (
        ("45", FaultKind.VALIDATOR_JAM, ("jam", "validator"), ("clear_jam",)),
        ("46", FaultKind.CASSETTE_JAM, ("jam", "cassette"), ("clear_jam",)),
        ("44", FaultKind.CASSETTE_REMOVED, ("remove_cassette",), ("replace_cassette",)),
    ):
        found.append(
            Transcript(
                f"fault: {kind.value}, then cleared",
                "id003",
                [*id_start(), *id_poll("11"), A(*act), *id_poll(status), A(*clear), *id_poll("11")],
                [
                    (PowerUp, {"bill_in": None}),
                    READY,
                    (Fault, {"kind": kind}),
                    (FaultCleared, {"kind": kind}),
                ],
            )
        )
    return found


# ---- ICT --------------------------------------------------------------------------------

ICT_TYPES = {0x40: 100, 0x41: 500, 0x42: 1000, 0x43: 2000, 0x44: 5000, 0x45: 10000}


def ict_poll(answer: str) -> list[Step]:
    return [H("0c"), D(answer)]


def ict_start() -> list[Step]:
    return [
        D("80 8f"),  # power up: the device speaks first
        H("02"),  # answered within 2 s
        H("30"),  # RESET: the device restarts ...
        D("80 8f"),  # ... and says so again
        H("02"),
        *ict_poll("3e"),  # it enabled itself after the 02
        H("5e"),  # start-up: disable until the core asks
        H("3e"),  # the core asked: enable
    ]


def ict_escrow(bill_type: int) -> list[Step]:
    return [
        *ict_poll("3e"),
        A("insert", str(ICT_TYPES[bill_type])),
        D(f"81 {bill_type:02x}"),  # escrow, bill type: unasked
    ]


def ict_transcripts() -> list[Transcript]:
    found = [
        Transcript(
            "start-up: power-up answered, reset, enabled",
            "ict",
            [*ict_start(), *ict_poll("3e")],
            [(PowerUp, {"bill_in": None}), READY],
        ),
        Transcript(
            "start-up: a power-up nobody answered in time",
            "ict",
            [
                *ict_poll("26"),  # communication error: its 80 8F went unanswered, so inhibited
                H("30"),  # RESET (no 02 for a 26: there is nothing to answer)
                D("80 8f"),
                H("02"),
                *ict_poll("3e"),
                H("5e"),
                H("3e"),
                *ict_poll("3e"),
            ],
            [(PowerUp, {"bill_in": None}), READY],
        ),
        Transcript(
            "escrow, stack",
            "ict",
            [
                *ict_start(),
                *ict_escrow(0x42),
                H("02"),  # stack
                D("10"),  # in the cassette: the credit (no acknowledgement in ICT)
                *ict_poll("3e"),
            ],
            [
                (PowerUp, {"bill_in": None}),
                READY,
                (Escrow, {"denomination_fen": 1000, "bill_type": 0x42}),
                (Stacked, {"denomination_fen": 1000, "bill_type": 0x42}),
            ],
        ),
        Transcript(
            "escrow, return",
            "ict",
            [
                *ict_start(),
                *ict_escrow(0x45),
                H("0f"),  # reject (hand back)
                D("11"),  # handed back
                *ict_poll("3e"),
            ],
            [
                (PowerUp, {"bill_in": None}),
                READY,
                (Escrow, {"denomination_fen": 10000, "bill_type": 0x45}),
                (Returned, {"denomination_fen": 10000, "bill_type": 0x45}),
            ],
            decision="return",
        ),
        Transcript(
            "escrow, pulled out while being handed back",
            "ict",
            [
                *ict_start(),
                *ict_escrow(0x44),
                H("0f"),
                *ict_poll("23"),  # bill removed: the customer took it
                *ict_poll("3e"),
            ],
            [
                (PowerUp, {"bill_in": None}),
                READY,
                (Escrow, {"denomination_fen": 5000, "bill_type": 0x44}),
                (Returned, {"denomination_fen": 5000, "bill_type": 0x44}),
                (Rejected, {"reason": "bill_removed", "code": 0x23}),
            ],
            decision="return",
            emulator=None,
        ),
        Transcript(
            "configured bill types",
            "ict",
            [
                *ict_start(),
                *ict_poll("3e"),
                D("81 41"),  # type 41 is 20 yuan on this unit
                H("02"),
                D("10"),
                *ict_poll("3e"),
            ],
            [
                (PowerUp, {"bill_in": None}),
                READY,
                (Escrow, {"denomination_fen": 2000, "bill_type": 0x41}),
                (Stacked, {"denomination_fen": 2000, "bill_type": 0x41}),
            ],
            settings={"bill_types": {0x40: 1000, 0x41: 2000}},
            emulator=None,
        ),
    ]
    rejects: tuple[tuple[str, str, tuple[Step, ...] | None], ...] = (
        ("29", "bill_reject", (A("insert", "300"),)),
        ("23", "bill_removed", None),
    )
    for code, reason, act in rejects:
        found.append(
            Transcript(
                f"reject: {reason}",
                "ict",
                [*ict_start(), *ict_poll("3e"), *(act or ()), *ict_poll(code), *ict_poll("3e")],
                [
                    (PowerUp, {"bill_in": None}),
                    READY,
                    (Rejected, {"reason": reason, "code": int(code, 16)}),
                ],
                emulator={} if act else None,
            )
        )
    for code, kind, fault_act, clear in (
        ("22", FaultKind.VALIDATOR_JAM, ("jam", "validator"), ("clear_jam",)),
        ("28", FaultKind.CASSETTE_JAM, ("jam", "cassette"), ("clear_jam",)),
        ("24", FaultKind.CASSETTE_REMOVED, ("remove_cassette",), ("replace_cassette",)),
    ):
        found.append(
            Transcript(
                f"fault: {kind.value}, then cleared",
                "ict",
                [
                    *ict_start(),
                    *ict_poll("3e"),
                    A(*fault_act),
                    *ict_poll(code),
                    A(*clear),
                    *ict_poll("2f"),  # error cleared
                    *ict_poll("3e"),
                ],
                [
                    (PowerUp, {"bill_in": None}),
                    READY,
                    (Fault, {"kind": kind}),
                    (FaultCleared, {"kind": kind}),
                ],
            )
        )
    return found


ALL = [*ccnet_transcripts(), *id003_transcripts(), *ict_transcripts()]
