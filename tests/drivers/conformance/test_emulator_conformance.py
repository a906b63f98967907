"""The emulators against the same hand-written transcripts, the test playing the host: every
byte an emulated device sends must be the transcript's (identification texts aside)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from drivers.emulators.cash import CashEmulator
from drivers.emulators.cash_mechanics import BillIn, Cassette
from drivers.emulators.cash_state import encode, save
from tests.drivers.cash.conftest import FAST
from tests.drivers.conformance.player import HostPlayer
from tests.drivers.conformance.transcripts import ALL, Transcript

EMULATOR_TRANSCRIPTS = [t for t in ALL if t.emulator is not None]
ACTS: dict[str, Callable[..., object]] = {
    "insert": lambda e, fen: e.insert(int(fen)),
    "insert_fake": lambda e, fen: e.insert_fake(int(fen)),
    "pull_back": lambda e: e.pull_back(),
    "jam": lambda e, where: e.jam(where),
    "clear_jam": lambda e: e.clear_jam(),
    "remove_cassette": lambda e: e.remove_cassette(),
    "replace_cassette": lambda e: e.replace_cassette(),
}


@pytest.mark.parametrize(
    "transcript",
    EMULATOR_TRANSCRIPTS,
    ids=[f"{t.protocol}: {t.name}" for t in EMULATOR_TRANSCRIPTS],
)
def test_the_emulator_speaks_the_transcript(transcript: Transcript, tmp_path: Path) -> None:
    options = dict(transcript.emulator or {})
    state = tmp_path / "cassette.json"
    bill = options.pop("bill_in_stacker", None)
    if bill is not None:  # switched off with a note on its way into the cassette
        save(state, encode(Cassette(), bill, BillIn.STACKER))
    with CashEmulator(transcript.protocol, timings=FAST, state_file=state, **options) as emulator:
        host = HostPlayer(
            transcript.protocol, emulator.path, lambda act: ACTS[act[0]](emulator, *act[1:])
        )
        try:
            host.play(transcript.steps)
        finally:
            host.close()
        if bill is not None:
            assert emulator.status()["cassette"] == {str(bill): 1}  # stacked while starting
