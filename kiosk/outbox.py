"""The outbox: posts every queued item to the central server, in order, until it is confirmed.

Items are rows the journal's ``queued`` events created, each with the exact body to post
and its idempotency key (the txn id), so a retry is byte-for-byte the same request and the
server answers it from its idempotency record instead of crediting twice.

Retries back off exponentially with jitter up to ``backoff_max_s``. They go on for as long
as the server is unreachable: that is the outbox's job; the bound on how much may pile up
is the offline limits (count, total, age), past which the kiosk stops taking cash. A
permanent refusal (a 4xx other than 401/408/409/425/429) parks the item as
``needs_attention`` for a technician; nothing is ever deleted.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from kiosk.central_client import (
    CentralClient,
    CentralError,
    CentralRejected,
    PaymentAnswer,
)
from kiosk.config import OutboxSection
from kiosk.journal import Journal
from kiosk.projection import Kind, OutboxState, outbox

log = logging.getLogger("kiosk.outbox")

TRANSIENT_STATUSES = frozenset({401, 408, 409, 425, 429})


@dataclass(frozen=True)
class OutboxResult:
    """Told to the engine after each attempt."""

    reachable: bool
    txn_id: str | None = None
    answer: PaymentAnswer | None = None
    parked: bool = False


@dataclass(frozen=True)
class Backlog:
    count: int
    total_fen: int
    oldest_at: str | None
    oldest_age_s: float


@dataclass(frozen=True)
class _Item:
    item_id: str
    endpoint: str
    txn_id: str | None
    body: dict[str, Any]


def answer_json(answer: PaymentAnswer) -> dict[str, Any]:
    """The server's payment answer as stored in the journal (and read back for receipts)."""
    data = dataclasses.asdict(answer)
    data["amount_fen"] = paid_fen(answer)
    return data


def paid_fen(answer: PaymentAnswer) -> int:
    return sum(a.principal_fen + a.late_fee_fen for a in answer.allocations) + (
        answer.credited_to_balance_fen
    )


def _posted_event(item: _Item, answer: Any) -> tuple[str, dict[str, Any], str | None]:
    as_json = answer_json(answer) if isinstance(answer, PaymentAnswer) else answer
    server_ref = as_json.get("server_ref") if isinstance(as_json, dict) else None
    payload = {
        "item_id": item.item_id,
        "endpoint": item.endpoint,
        "server_ref": server_ref,
        "answer": as_json,
    }
    return Kind.POSTED.value, payload, item.txn_id


def _parked_event(item: _Item, error: CentralError) -> tuple[str, dict[str, Any], str | None]:
    rejected = error if isinstance(error, CentralRejected) else None
    payload = {
        "item_id": item.item_id,
        "endpoint": item.endpoint,
        "status": rejected.status if rejected else 0,
        "code": rejected.code if rejected else "error",
        "detail": dict(rejected.detail) if rejected else {},
    }
    return Kind.NEEDS_ATTENTION.value, payload, item.txn_id


def is_permanent(error: CentralError) -> bool:
    return (
        isinstance(error, CentralRejected)
        and error.status not in TRANSIENT_STATUSES
        and (400 <= error.status < 500)
    )


class Outbox:
    def __init__(
        self,
        journal: Journal,
        central: CentralClient,
        settings: OutboxSection,
        *,
        on_result: Callable[[OutboxResult], None] = lambda _r: None,
        rng: random.Random | None = None,
    ) -> None:
        self._journal = journal
        self._central = central
        self._settings = settings
        self._on_result = on_result
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._failures = 0
        self.last_error: str | None = None
        self.posted_count = 0

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="outbox", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=15)

    def wake(self) -> None:
        """New work, or a technician's "retry now": try at once, forgetting the backoff."""
        self._failures = 0
        self._wake.set()

    # ---------------------------------------------------------------- the worker
    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()  # before draining: a wake() during the round is not lost
            try:
                delay = self.drain_once()
            except Exception:
                log.exception("outbox round failed")
                delay = self._backoff()
            self._wake.wait(delay)

    def drain_once(self) -> float:
        """Post what is pending; return how long to wait before the next round."""
        while not self._stopping.is_set():
            items = self._pending(self._settings.batch_size)
            if not items:
                self._failures = 0
                return 30.0  # idle; woken at once by new work
            try:
                if len(items) > 1 and items[0].endpoint == "payments":
                    self._post_batch([i for i in items if i.endpoint == "payments"])
                else:
                    self._post_one(items[0])
            except CentralError as exc:
                self.last_error = str(exc)
                self._failures += 1
                # a 409/429 answer means the server is there, just not done with us yet
                self._on_result(OutboxResult(reachable=isinstance(exc, CentralRejected)))
                log.warning("outbox: server unreachable (%s); retrying later", exc)
                return self._backoff()
        return 0.0

    def _backoff(self) -> float:
        ceiling = min(
            self._settings.backoff_max_s,
            self._settings.backoff_initial_s * 2 ** min(self._failures, 30),
        )
        return float(ceiling / 2 + self._rng.uniform(0, ceiling / 2))  # equal jitter

    def _post_one(self, item: _Item) -> None:
        try:
            if item.endpoint == "payments":
                answer: Any = self._central.post_payment(item.body)
            elif item.endpoint == "resolutions":
                answer = self._central.post_resolution(item.body)
            else:
                answer = self._central.post_collection(item.body)
        except CentralError as exc:
            if not is_permanent(exc):
                raise
            self._record([(item, None, exc)])
            return
        self._record([(item, answer, None)])

    def _post_batch(self, items: list[_Item]) -> None:
        results = self._central.post_batch([item.body for item in items])
        by_id = {item.item_id: item for item in items}
        settled: list[tuple[_Item, Any, CentralError | None]] = []
        transient = 0
        for result in results:
            item = by_id.get(result.txn_id or "")
            if item is None:
                continue
            if result.answer is not None:
                settled.append((item, result.answer, None))
            elif result.status not in TRANSIENT_STATUSES and 400 <= result.status < 500:
                error = CentralRejected(
                    result.status, result.error or "rejected", dict(result.detail or {})
                )
                settled.append((item, None, error))
            else:
                transient += 1
        self._record(settled)  # one commit (one fsync) for the whole batch
        if transient:
            raise CentralRejected(409, "batch_items_pending", {"pending": transient})

    def _record(self, settled: list[tuple[_Item, Any, CentralError | None]]) -> None:
        """Journal what the server said, then tell the engine; posted items reset the backoff."""
        if not settled:
            return
        events = [
            _parked_event(item, error) if error is not None else _posted_event(item, answer)
            for item, answer, error in settled
        ]
        self._journal.append_many(lambda _conn: events)
        for item, answer, error in settled:
            if error is not None:
                log.error(
                    "outbox: %s refused for good (%s): needs a technician", item.item_id, error
                )
                self._on_result(OutboxResult(reachable=True, txn_id=item.txn_id, parked=True))
                continue
            self.posted_count += 1
            self._failures = 0
            self.last_error = None
            payment = answer if isinstance(answer, PaymentAnswer) else None
            self._on_result(OutboxResult(reachable=True, txn_id=item.txn_id, answer=payment))

    # ---------------------------------------------------------------- queries
    def _pending(self, limit: int) -> list[_Item]:
        stmt = (
            select(outbox.c.item_id, outbox.c.endpoint, outbox.c.txn_id, outbox.c.body)
            .where(outbox.c.state == OutboxState.PENDING.value)
            .order_by(outbox.c.queued_seq)
            .limit(limit)
        )
        rows = self._journal.read(lambda c: c.execute(stmt).all())
        return [_Item(r.item_id, r.endpoint, r.txn_id, json.loads(r.body)) for r in rows]

    def backlog(self, now: datetime | None = None) -> Backlog:
        """Unposted payments: what the offline limits are measured against."""
        stmt = select(outbox.c.amount_fen, outbox.c.queued_at).where(
            outbox.c.state == OutboxState.PENDING.value, outbox.c.endpoint == "payments"
        )
        rows = self._journal.read(lambda c: c.execute(stmt).all())
        if not rows:
            return Backlog(0, 0, None, 0.0)
        oldest = min(r.queued_at for r in rows)
        age = ((now or datetime.now(UTC)) - datetime.fromisoformat(oldest)).total_seconds()
        return Backlog(len(rows), sum(r.amount_fen for r in rows), oldest, max(0.0, age))

    def oldest_pending_at(self) -> str | None:
        return self.backlog().oldest_at
