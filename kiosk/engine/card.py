"""Paying with a prepaid electricity card: number and PIN, posted to the server with bounded
retries. An unknown outcome is never guessed: a technician checks. Runs on the engine thread;
the post runs in the background.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from drivers.backoff import Backoff
from kiosk.background import Done
from kiosk.central_answers import PaymentAnswer
from kiosk.central_client import CentralError, CentralOffline, CentralRejected, CentralTimeout
from kiosk.events import CardRejected, Closed, NeedsAttention
from kiosk.outbox import paid_fen
from kiosk.session import State, Trigger

if TYPE_CHECKING:
    from kiosk.engine.core import Engine

CARD_POST_ATTEMPTS = 3
CARD_POST_BACKOFF = Backoff(initial_s=2.0, max_s=6.0)  # waits 2, 4, 6 s
CARD_POST_DEADLINE_S = 25.0


class CardFlow:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # Between retries the background thread waits; a test's hand-moved clock moves instead.
        self.sleep: Callable[[float], None] = time.sleep

    def submit(self, card_no: str, pin: str) -> None:
        """The customer's "submit_card" intent."""
        engine = self.engine
        card_no, pin = str(card_no).strip(), str(pin).strip()
        if not card_no.isdigit() or not 8 <= len(card_no) <= 24 or not pin.isdigit():
            engine.session.card["error"] = "card_format"
            return
        engine.fire(Trigger.SUBMIT_CARD)
        account = engine.session.account
        assert account is not None
        txn_id = engine.records.open_txn("card", card_no=mask_card(card_no))
        # No amount_fen: the server applies the card's face value, which the kiosk cannot know.
        body = {
            "txn_id": txn_id,
            "account_no": account.account_no,
            "method": "card",
            "card": {"card_no": card_no, "pin": pin},
            "created_at": engine.now_iso(),  # the server's time
            "offline": False,
        }
        deadline = engine.monotonic() + CARD_POST_DEADLINE_S
        engine.run_net("card_post", engine.session.token, lambda: self.post(body, deadline))

    def post(self, body: Mapping[str, Any], deadline: float) -> PaymentAnswer:
        """Identical retries are safe (same txn id and body); only transport failures retry.

        Runs on a background thread: it reads nothing of the engine's state."""
        engine = self.engine
        last: CentralError | None = None
        for attempt in range(CARD_POST_ATTEMPTS):
            if engine.monotonic() > deadline:
                break
            try:
                return engine.central.post_payment(body)
            except (CentralOffline, CentralTimeout) as exc:
                last = exc
                self.sleep(
                    min(CARD_POST_BACKOFF.delay(attempt), max(0.0, deadline - engine.monotonic()))
                )
        raise last or CentralTimeout("card payment deadline passed")

    def done_post(self, done: Done[PaymentAnswer]) -> None:
        engine = self.engine
        if engine.stale(done) or engine.machine.state is not State.PROCESSING:
            return
        if done.ok and done.value is not None:
            engine.checks.server_ok()
            engine.records.posted(done.value, endpoint="card")
            engine.records.event(Closed(paid_fen(done.value), "card"))
            engine.fire(Trigger.SETTLED)
            engine.settle("posted")
            return
        error = done.error
        if isinstance(error, CentralRejected):
            engine.records.event(CardRejected(error.code, error.detail.get("attempts_left")))
            engine.session.txn_id = None
            engine.session.card = {
                "error": error.code,
                "attempts_left": error.detail.get("attempts_left"),
            }
            engine.fire(Trigger.CARD_RETRY)
            engine.touch()
            return
        # Unknown outcome: the server may have applied it. Never guess: a technician checks.
        engine.records.event(
            NeedsAttention("payments", reason="card_unconfirmed", error=str(error))
        )
        engine.records.event(Closed(0, "card_unconfirmed"))
        engine.fire(Trigger.SETTLED)
        engine.settle("unconfirmed")


def mask_card(card_no: str) -> str:
    return card_no[:4] + "*" * max(0, len(card_no) - 8) + card_no[-4:]
