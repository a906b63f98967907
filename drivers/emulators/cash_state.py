"""The emulated acceptor's cassette on disk, so it survives restarts and crashes.

JSON, written atomically (temporary file, fsync, rename, fsync of the directory): a crash test
that kills the emulator finds either the old or the new contents, never half of them. A bill
in the mechanism is saved too, so an emulator killed mid-stack powers up with it.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drivers.emulators.cash_mechanics import BillIn, Cassette
from drivers.emulators.errors import EmulatorError

VERSION = 1


@dataclass
class SavedState:
    cassette: Cassette = field(default_factory=Cassette)
    bill_fen: int | None = None
    bill_in: BillIn | None = None


def _counts(raw: Any, key: str, path: Path) -> Counter[int]:
    if not isinstance(raw, dict):
        raise EmulatorError(f"{path}: {key} must be an object of denomination -> count")
    counts: Counter[int] = Counter()
    for denomination, count in raw.items():
        if not str(denomination).isdigit() or not isinstance(count, int) or count < 0:
            raise EmulatorError(f"{path}: {key}[{denomination!r}] = {count!r} is not a count")
        if count:
            counts[int(denomination)] = count
    return counts


def load(path: Path) -> SavedState:
    """The saved state, or a fresh one when the file does not exist yet."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return SavedState()
    except (OSError, ValueError) as exc:
        raise EmulatorError(f"{path}: cannot read the emulator state: {exc}") from exc
    if not isinstance(raw, dict) or raw.get("version") != VERSION:
        raise EmulatorError(f"{path}: not an emulator state file (version {VERSION})")
    state = SavedState()
    state.cassette.counts = _counts(raw.get("cassette", {}), "cassette", path)
    state.cassette.lifetime = _counts(raw.get("lifetime", {}), "lifetime", path)
    state.cassette.collected = _counts(raw.get("collected", {}), "collected", path)
    state.cassette.present = bool(raw.get("cassette_present", True))
    bill = raw.get("bill_in_mechanism")
    if isinstance(bill, dict):
        try:
            state.bill_fen = int(bill["denomination_fen"])
            state.bill_in = BillIn(bill["where"])
        except (KeyError, ValueError, TypeError) as exc:
            raise EmulatorError(f"{path}: bill_in_mechanism is malformed: {bill!r}") from exc
    return state


def encode(cassette: Cassette, bill_fen: int | None, bill_in: BillIn | None) -> str:
    bill = None
    if bill_fen is not None and bill_in is not None:
        bill = {"denomination_fen": bill_fen, "where": bill_in.value}
    document = {
        "version": VERSION,
        "cassette": {str(k): v for k, v in sorted(cassette.counts.items()) if v},
        "lifetime": {str(k): v for k, v in sorted(cassette.lifetime.items()) if v},
        "collected": {str(k): v for k, v in sorted(cassette.collected.items()) if v},
        "cassette_present": cassette.present,
        "bill_in_mechanism": bill,
    }
    return json.dumps(document, indent=1) + "\n"


def save(path: Path, text: str) -> None:
    """Replace the file with ``text`` atomically and durably."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    temporary.replace(path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
