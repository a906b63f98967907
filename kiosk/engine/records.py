"""The session's transaction in the journal: ``opened`` with its txn id allocated in the same
commit, single events against it, and the server's ``posted`` answer. Engine thread only;
each call is one fsynced commit (kiosk/journal.py) and raises ``JournalError`` if it is not.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kiosk import projection
from kiosk.central_answers import PaymentAnswer
from kiosk.events import EventType, Opened, Posted
from kiosk.outbox import answer_json

if TYPE_CHECKING:
    from kiosk.engine.core import Engine


class TxnRecords:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def open_txn(self, method: str, **extra: Any) -> str:
        """``opened`` for the session's account; the txn id becomes the session's."""
        session = self.engine.session
        account = session.account
        assert account is not None
        txn_id = self.open_txn_record(
            method,
            account_no=account.account_no,
            holder=account.holder,
            amount_due_fen=account.due_fen,
            target_fen=session.amount_fen or 0,
            **extra,
        )
        session.txn_id = txn_id
        return txn_id

    def open_txn_record(self, method: str, **fields: Any) -> str:
        """``opened`` with the next txn id, allocated in the same commit."""
        kiosk_id = self.engine.config.kiosk.id
        allocated: list[str] = []

        def build(conn: Any) -> list[tuple[str, Mapping[str, Any], str | None]]:
            seq = projection.counter(conn, "txn_seq") + 1
            txn_id = f"{kiosk_id}-{seq:08d}"
            allocated.append(txn_id)
            return [Opened(seq, method, **fields).entry(txn_id)]

        self.engine.journal.append_many(build)
        return allocated[0]

    def event(self, event: EventType, *, txn_id: str | None = None) -> None:
        """One event, against the session's transaction unless another is named."""
        entry = event.entry(txn_id or self.engine.session.txn_id)
        self.engine.journal.append_many(lambda _c: [entry])

    def posted(self, answer: PaymentAnswer, *, endpoint: str) -> None:
        """The server's answer to a payment posted while the customer waited."""
        posted = Posted("payments", answer.server_ref, answer_json(answer), via=endpoint)
        entry = posted.entry(self.engine.session.txn_id)
        self.engine.journal.append_many(lambda _c: [entry])
