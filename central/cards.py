"""Recharge cards (电费充值卡): generated once, PINs written to a file once, hashes kept here."""

from __future__ import annotations

import csv
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, insert, select

from central import db
from central.crypto import hash_pin
from central.errors import AdminError
from central.progress import Progress
from central.schema import cards, utcnow

CARD_PREFIX = "88"
CARD_DIGITS = 16
PIN_DIGITS = 12
MAX_GENERATE = 100_000


@dataclass(frozen=True)
class NewCard:
    card_no: str
    pin: str
    face_fen: int


def _digits(count: int) -> str:
    return "".join(str(secrets.randbelow(10)) for _ in range(count))


def generate(engine: Engine, secret_key: str, *, face_fen: int, count: int, out: Path) -> int:
    """Create ``count`` cards worth ``face_fen``; write card numbers and PINs to ``out`` (new)."""
    if not 0 < face_fen <= 100_000_000:
        raise AdminError("--face-fen must be a positive number of fen (20000 = ¥200)")
    if not 0 < count <= MAX_GENERATE:
        raise AdminError(f"--count must be from 1 to {MAX_GENERATE}")
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise AdminError(f"{out} exists; PINs are written once: choose a new file") from exc
    try:
        with db.read(engine) as conn:
            taken = set(conn.execute(select(cards.c.card_no)).scalars())
        batch = list(_new_cards(count, face_fen, taken))
        progress = Progress("hashing PINs", count)
        now = utcnow()
        rows = []
        for card in batch:
            rows.append(
                {
                    "card_no": card.card_no,
                    "face_fen": face_fen,
                    "pin_hash": hash_pin(secret_key, card.pin),
                    "failed_attempts": 0,
                    "locked": False,
                    "created_at": now,
                }
            )
            progress.advance()
        progress.finish()
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            fd = -1
            writer = csv.writer(handle)
            writer.writerow(["card_no", "pin", "face_fen"])
            writer.writerows([c.card_no, c.pin, c.face_fen] for c in batch)
            handle.flush()
            os.fsync(handle.fileno())
        with db.write(engine) as conn:
            conn.execute(insert(cards), rows)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        out.unlink(missing_ok=True)
        raise
    return count


def _new_cards(count: int, face_fen: int, taken: set[str]) -> Iterator[NewCard]:
    made = 0
    while made < count:
        card_no = CARD_PREFIX + _digits(CARD_DIGITS - len(CARD_PREFIX))
        if card_no in taken:
            continue
        taken.add(card_no)
        made += 1
        yield NewCard(card_no, _digits(PIN_DIGITS), face_fen)


def add_fixed(engine: Engine, secret_key: str, fixed: list[NewCard]) -> None:
    """Cards with known numbers and PINs (demo only); existing ones are left as they are."""
    now = utcnow()
    with db.write(engine) as conn:
        for card in fixed:
            conn.execute(
                db.insert_ignoring_conflict(
                    conn,
                    cards,
                    {
                        "card_no": card.card_no,
                        "face_fen": card.face_fen,
                        "pin_hash": hash_pin(secret_key, card.pin),
                        "failed_attempts": 0,
                        "locked": False,
                        "created_at": now,
                    },
                    ["card_no"],
                )
            )


def listing(engine: Engine) -> list[dict[str, object]]:
    with db.read(engine) as conn:
        rows = conn.execute(select(cards).order_by(cards.c.created_at, cards.c.card_no)).all()
    return [
        {
            "card_no": r.card_no,
            "face_fen": r.face_fen,
            "status": "locked" if r.locked else "used" if r.used_at else "unused",
            "failed_attempts": r.failed_attempts,
        }
        for r in rows
    ]
