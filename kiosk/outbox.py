"""The outbox: posts every queued item to the central server, in order, until it is confirmed.

Items are rows the journal's ``queued`` events created, each with the exact body to post
and its idempotency key (the txn id), so a retry is byte-for-byte the same request and the
server answers it from its idempotency record instead of crediting twice.

Retries back off exponentially with jitter up to ``backoff_max_s``. They go on for as long
as the server is unreachable: that is the outbox's job; the bound on how much may pile up
is the offline limits (count, total, age), past which the kiosk stops taking cash. A
permanent refusal (a 4xx other than 401/408/409/425/429) parks the item as
``needs_attention`` for a technician; nothing is ever deleted.

Clocks and credentials (docs/wire-format.md, docs/deployment.md):

* A 401 for clock skew has already been signed again by the client with the server's time
  (kiosk/central_client.py); if it still fails it is retried like an unreachable server.
* Any other 401 (a wrong secret, a disabled or unknown kiosk) *parks the outbox*: it stops
  posting, says why (``auth_block``, the maintenance status, ``OutboxResult.auth_refused``) and
  keeps every item pending, untouched. Posting again would only be refused again, so it does
  not, until one of: the process restarts (the usual fix is a corrected ``central.secret`` and
  a restart), a technician's "retry now" (``retry_now``), or another signed call is accepted
  again (``credentials_accepted``: the engine calls it when a heartbeat gets through, e.g. the
  kiosk was enabled again on the server). The heartbeat goes on at its own interval, so a
  parked kiosk makes one request per heartbeat interval, not a retry storm.
* A payment stamped by a clock that was fast before the kiosk first heard from the server
  has a ``created_at`` the server refuses as "in the future" (400, no record kept). Such an
  item is restamped once with the server's time (its own ``created_at`` moved by today's clock
  offset, and never later than now), durably (kiosk/settings.py, plus an audit event) so every
  later attempt sends the same bytes, and posted again; refused again, it parks as usual.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from drivers.backoff import Backoff, Jitter
from kiosk.central_answers import PaymentAnswer
from kiosk.central_client import (
    CentralClient,
    CentralError,
    CentralRejected,
    CentralUnauthorized,
)
from kiosk.config import OutboxSection
from kiosk.events import Audit, NeedsAttention, Posted
from kiosk.journal import Journal, JournalError
from kiosk.projection import OutboxState, outbox
from kiosk.settings import load_restamps, save_restamp

log = logging.getLogger("kiosk.outbox")

TRANSIENT_STATUSES = frozenset({401, 408, 409, 425, 429})
PARKED_WAIT_S = 3600.0  # parked for credentials: only a wake-up from outside ends the wait


@dataclass(frozen=True)
class AuthBlock:
    """Why the outbox stopped posting: the server refuses this kiosk's credentials."""

    reason: str  # the server's 401 reason: bad_signature, kiosk_disabled, or "unauthorized"
    message: str
    since: str  # ISO 8601, by the server's clock

    def as_json(self) -> dict[str, str]:
        return {"reason": self.reason, "message": self.message, "since": self.since}


@dataclass(frozen=True)
class OutboxResult:
    """Told to the engine after each attempt."""

    reachable: bool
    txn_id: str | None = None
    answer: PaymentAnswer | None = None
    parked: bool = False
    auth_refused: str | None = None  # the outbox parked: the server refuses our credentials


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
    return Posted(item.endpoint, server_ref, as_json, item_id=item.item_id).entry(item.txn_id)


def _parked_event(item: _Item, error: CentralError) -> tuple[str, dict[str, Any], str | None]:
    rejected = error if isinstance(error, CentralRejected) else None
    return NeedsAttention(
        item.endpoint,
        item_id=item.item_id,
        status=rejected.status if rejected else 0,
        code=rejected.code if rejected else "error",
        detail=dict(rejected.detail) if rejected else {},
    ).entry(item.txn_id)


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
        on_journal_error: Callable[[JournalError], None] = lambda _e: None,
        rng: random.Random | None = None,
    ) -> None:
        self._journal = journal
        self._central = central
        self._settings = settings
        self._on_result = on_result
        self._on_journal_error = on_journal_error
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._failures = 0
        self.last_error: str | None = None
        self.posted_count = 0
        self.auth_block: AuthBlock | None = None
        self._restamps: dict[str, str] | None = None  # loaded on first use

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="outbox", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=15)

    def wake(self) -> None:
        """New work: try at once, forgetting the backoff (not while parked for credentials)."""
        self._failures = 0
        self._wake.set()

    def retry_now(self) -> None:
        """A technician's "retry now": also ends a park for credentials (one more try)."""
        self.auth_block = None
        self.wake()

    def credentials_accepted(self) -> None:
        """Another signed call got through: a park for credentials is over."""
        if self.auth_block is not None:
            log.info("outbox: the server accepts this kiosk again; posting resumes")
            self.auth_block = None
            self.wake()

    # ---------------------------------------------------------------- the worker
    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()  # before draining: a wake() during the round is not lost
            try:
                delay = self.drain_once()
            except JournalError as exc:
                # Posted, but the answer cannot be journaled: the item stays pending and is
                # posted again (idempotent) once the disk has room; the engine pauses payments.
                log.warning("outbox: answer not journaled: %s", exc)
                self._on_journal_error(exc)
                self._failures += 1
                delay = self._backoff()
            except Exception:
                log.exception("outbox round failed")
                delay = self._backoff()
            self._wake.wait(delay)

    def drain_once(self) -> float:
        """Post what is pending; return how long to wait before the next round."""
        while not self._stopping.is_set():
            if self.auth_block is not None:
                return PARKED_WAIT_S
            items = self._pending(self._settings.batch_size)
            if not items:
                self._failures = 0
                return 30.0  # idle; woken at once by new work
            try:
                if len(items) > 1 and items[0].endpoint == "payments":
                    self._post_batch([i for i in items if i.endpoint == "payments"])
                else:
                    self._post_one(items[0])
            except CentralUnauthorized as exc:
                if not exc.credentials_refused:  # clock skew (signed again), a nonce seen before
                    self.last_error = str(exc)
                    self._failures += 1
                    self._on_result(OutboxResult(reachable=True))
                    return self._backoff()
                self._park_for_credentials(exc)
                return PARKED_WAIT_S
            except CentralError as exc:
                self.last_error = str(exc)
                self._failures += 1
                # a 409/429 answer means the server is there, just not done with us yet
                self._on_result(OutboxResult(reachable=isinstance(exc, CentralRejected)))
                log.warning("outbox: server unreachable (%s); retrying later", exc)
                return self._backoff()
        return 0.0

    def _backoff(self) -> float:
        policy = Backoff(
            self._settings.backoff_initial_s, self._settings.backoff_max_s, jitter=Jitter.EQUAL
        )
        return policy.delay(self._failures, self._rng)

    def _park_for_credentials(self, exc: CentralUnauthorized) -> None:
        reason = exc.reason or exc.code
        self.auth_block = AuthBlock(
            reason=reason,
            message=(
                f"the central server refuses this kiosk's requests ({reason}); posting is "
                "parked with every item kept: check central.secret and that the kiosk is "
                "enabled on the server, then restart the kiosk or press retry"
            ),
            since=self._central.clock.now_utc().isoformat(timespec="seconds"),
        )
        self.last_error = self.auth_block.message
        log.error("outbox: %s", self.auth_block.message)
        self._on_result(OutboxResult(reachable=True, auth_refused=reason))

    def _post_one(self, item: _Item) -> None:
        try:
            if item.endpoint == "payments":
                answer: Any = self._central.post_payment(self._body(item))
            elif item.endpoint == "resolutions":
                answer = self._central.post_resolution(item.body)
            elif item.endpoint == "command_results":
                answer = self._post_command_result(item)
            else:
                answer = self._central.post_collection(item.body)
        except CentralError as exc:
            if not is_permanent(exc):
                raise
            if isinstance(exc, CentralRejected) and self._restamp(item, exc.detail):
                return  # still pending: the next round posts it with its new stamp
            self._record([(item, None, exc)])
            return
        self._record([(item, answer, None)])

    def _post_command_result(self, item: _Item) -> Any:
        try:
            return self._central.post_command_result(item.body)
        except CentralRejected as exc:
            if exc.status == 409:  # another result for this id is recorded: nothing to add
                return {"recorded": False, "conflict": exc.code}
            raise

    def _post_batch(self, items: list[_Item]) -> None:
        results = self._central.post_batch([self._body(item) for item in items])
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
                if self._restamp(item, result.detail):
                    continue  # still pending: the next round posts it with its new stamp
                error = CentralRejected(
                    result.status, result.error or "rejected", dict(result.detail or {})
                )
                settled.append((item, None, error))
            else:
                transient += 1
        self._record(settled)  # one commit (one fsync) for the whole batch
        if transient:
            raise CentralRejected(409, "batch_items_pending", {"pending": transient})

    # ---------------------------------------------------------------- restamping
    def _body(self, item: _Item) -> dict[str, Any]:
        """The body to post: the queued one, or with the ``created_at`` it was restamped to."""
        if self._restamps is None:
            self._restamps = load_restamps(self._journal)
        stamp = self._restamps.get(item.item_id)
        return item.body if stamp is None else {**item.body, "created_at": stamp}

    def _restamp(self, item: _Item, detail: dict[str, object]) -> bool:
        """True if ``item`` was refused for a ``created_at`` in the future and is restamped.

        The server refuses such a body before it records anything (400), so no earlier
        attempt can have been applied and a new body is safe; it is written down before the
        next attempt, so every later attempt sends the same bytes.
        """
        field = detail.get("field")
        if item.endpoint != "payments" or not (
            isinstance(field, str) and field.endswith("created_at")
        ):
            return False
        self._body(item)  # loads the restamps
        assert self._restamps is not None
        offset = self._central.clock.offset_s
        if item.item_id in self._restamps or offset is None:
            return False  # restamped already, or nothing known to restamp with: park
        try:
            stamped = datetime.fromisoformat(str(item.body.get("created_at")))
        except ValueError:
            return False
        if stamped.tzinfo is None:
            return False
        now = self._central.clock.now_utc()
        corrected = min(stamped + timedelta(seconds=offset), now).astimezone(stamped.tzinfo)
        text = corrected.isoformat(timespec="milliseconds")
        save_restamp(self._journal, item.item_id, text)
        self._restamps[item.item_id] = text
        audit = Audit(
            "outbox_restamp",
            "ok",
            {
                "item_id": item.item_id,
                "created_at_was": item.body.get("created_at"),
                "created_at": text,
                "clock_offset_s": -round(offset),  # kiosk minus server, as reported
            },
        )
        self._journal.append_many(lambda _c: [audit.entry(item.txn_id)])
        log.warning(
            "outbox: %s was stamped by a fast clock (%s); posting it as %s",
            item.item_id,
            item.body.get("created_at"),
            text,
        )
        return True

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
        now = now or self._central.clock.now_utc()  # queued_at is stamped by the same clock
        age = (now - datetime.fromisoformat(oldest)).total_seconds()
        return Backlog(len(rows), sum(r.amount_fen for r in rows), oldest, max(0.0, age))

    def oldest_pending_at(self) -> str | None:
        return self.backlog().oldest_at
