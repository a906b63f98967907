"""Recovery on start: finish what a crash or power cut interrupted, losing nothing.

Read from the journal's derived state, before the first customer:
- cash with stacked notes and nothing in flight: closed with what was stacked, and queued;
- cash with nothing taken: cancelled;
- cash with a STACK decision and no outcome: *unsettled*. The device's first reports settle
  it: a pending "stacked" or "returned" event, a power-up with the bill in the stacker
  (stacked) or in the validator (returned to the customer), or the note still held in
  escrow (stacked now, as decided). What no report settles within the window becomes a
  ``suspect`` for a technician: never dropped, never guessed;
- QR with an order: the server says whether it was paid;
- card: the server may have applied it and the PIN is gone by design, so it is parked as
  needs-attention for a technician to check.

Recovery writes its own journal events (suspects, cancellations, what the server says was
paid) and never calls the engine: each method returns the steps it decided (close a cash
payment, start a timer, ask the server), and the engine carries them out in order
(kiosk/engine/recovery_steps.py). A server's answer comes back to the method named in the
step, which again returns steps.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from drivers.cash.api import Escrow
from kiosk.background import Done
from kiosk.central_client import CentralClient, CentralRejected
from kiosk.events import Cancelled, Closed, NeedsAttention, Posted, QrClosed, Started
from kiosk.journal import EventSpec, Journal
from kiosk.outbox import answer_json, paid_fen
from kiosk.projection import Kind, TxnState, suspect_event, transactions

log = logging.getLogger("kiosk.recovery")

WINDOW_AFTER_READY_S = 5.0  # pending device events arrive within the first polls
WINDOW_WITHOUT_DEVICE_S = 60.0  # an acceptor that never answers: settle by suspect
QR_RECHECK_S = 30.0


@dataclass(frozen=True)
class CloseCash:
    """Close a cash payment with what was stacked (and queue it), or cancel it if nothing was."""

    txn_id: str


@dataclass(frozen=True)
class WaitForDevice:
    """(Re)start the window in which the device's reports may still settle unsettled notes;
    ``Recovery.window_closed`` when it ends."""

    seconds: float


@dataclass(frozen=True)
class AskAgain:
    """Ask the server about QR and payment-code payments again later (``recheck_qr``)."""

    seconds: float


@dataclass(frozen=True)
class AskServer:
    """Call the server off the engine thread; hand the outcome to ``then`` on it."""

    call: Callable[[CentralClient], Any]
    then: Callable[[Done[Any]], list[Step]]


Step = CloseCash | WaitForDevice | AskAgain | AskServer


def _window(ready: bool) -> WaitForDevice:
    return WaitForDevice(WINDOW_AFTER_READY_S if ready else WINDOW_WITHOUT_DEVICE_S)


class Recovery:
    def __init__(self, journal: Journal, kiosk_id: str) -> None:
        self._journal = journal
        self._kiosk_id = kiosk_id
        self._unsettled: dict[str, int] = {}  # txn id -> denomination under STACK
        self._qr: dict[str, str] = {}  # txn id -> QR order id still to check
        self._paycode: set[str] = set()  # payment-code txns whose outcome the server has
        self._unacknowledged: tuple[str, int] | None = None
        self.summary: dict[str, list[str]] = {}

    @property
    def unsettled(self) -> bool:
        return bool(self._unsettled)

    @property
    def active(self) -> bool:
        return bool(self._unsettled or self._qr or self._paycode)

    def started(self, summary: dict[str, list[str]]) -> None:
        """Journal what recovery on start found and did (after its steps were carried out)."""
        self._unacknowledged = self._last_note_event()
        self.summary = summary
        self._journal.append_many(lambda _c: [Started(summary).entry(None)])
        if any(summary.values()):
            log.warning("recovery: %s", {k: v for k, v in summary.items() if v})

    def adopt_open(
        self, *, ready: bool, live_txn: str | None = None
    ) -> tuple[dict[str, list[str]], list[Step]]:
        """Settle every transaction the journal still holds open, except the live one.

        Run on start, and again when the journal can be written after a failure: a payment
        whose `closed` could not be written is finished exactly as a crash would leave it.
        ``ready``: the acceptor has said it is ready (its reports come within its first polls).
        """
        rows = self._journal.read(
            lambda c: c.execute(
                select(transactions).where(transactions.c.state == TxnState.OPEN.value)
            ).all()
        )
        summary: dict[str, list[str]] = {
            "closed": [],
            "cancelled": [],
            "unsettled": [],
            "qr_check": [],
            "card_attention": [],
        }
        steps: list[Step] = []
        for row in rows:
            if row.txn_id == live_txn:
                continue
            if row.method == "cash":
                if row.pending_escrow_fen:
                    self._unsettled[row.txn_id] = row.pending_escrow_fen
                    summary["unsettled"].append(row.txn_id)
                else:
                    steps.append(CloseCash(row.txn_id))
                    summary["closed" if row.cash_fen else "cancelled"].append(row.txn_id)
            elif row.method == "qr" and row.qr_order_id:
                self._qr[row.txn_id] = row.qr_order_id
                summary["qr_check"].append(row.txn_id)
            elif row.method == "paycode":
                self._paycode.add(row.txn_id)
                summary["qr_check"].append(row.txn_id)
            elif row.method == "qr":
                kind, payload, txn_id = Cancelled("recovered_no_order").entry(row.txn_id)
                self._journal.append(kind, payload, txn_id=txn_id)
                summary["cancelled"].append(row.txn_id)
            else:
                self._park_card(row.txn_id)
                summary["card_attention"].append(row.txn_id)
        if self._unsettled:
            # On start the device has not said Ready yet (device_ready shortens the window
            # when it does). After a journal failure it has long been ready and says no more:
            # its repeated report (held by the ICT host) comes within the first polls.
            steps.append(_window(ready))
        for txn_id in summary["qr_check"]:
            steps.append(
                self._check_paycode(txn_id) if txn_id in self._paycode else self._check_qr(txn_id)
            )
        return summary, steps

    def adopt_unsettled(self, txn_id: str, denomination: int, *, ready: bool) -> list[Step]:
        """A running payment's note the device did not report in time.

        Its evidence may still come (a late stacked report, a power-up with the bill in the
        stacker). Until it does or the window closes, the note is unsettled exactly as after
        a restart, and no new cash is taken.
        """
        self._unsettled[txn_id] = denomination
        return [_window(ready)]

    def _record_suspect(self, txn_id: str, denomination: int) -> None:
        why = "stack decided before a restart; the device reported no outcome"

        def build(conn: Connection) -> list[EventSpec]:
            return [suspect_event(conn, self._kiosk_id, txn_id, denomination, why)]

        self._journal.append_many(build)

    def _park_card(self, txn_id: str) -> None:
        """The server may have applied it; the PIN is gone by design: a technician checks."""
        self._journal.append_many(
            lambda _c: [
                NeedsAttention("payments", reason="card_interrupted").entry(txn_id),
                Closed(0, "card_interrupted").entry(txn_id),
            ]
        )

    # ---------------------------------------------------------- device evidence
    def _match(self, denomination: int) -> str | None:
        exact = [t for t, d in self._unsettled.items() if d == denomination]
        return exact[-1] if exact else None

    def wants_stack(self, escrow: Escrow) -> bool:
        return self._match(escrow.denomination_fen) is not None

    def txn_for_escrow(self, escrow: Escrow) -> str | None:
        return self._match(escrow.denomination_fen)

    def txn_for_outcome(self, denomination: int) -> str | None:
        return self._match(denomination)

    def _last_note_event(self) -> tuple[str, int] | None:
        """(txn, denomination) when the journal's last note event is `stacked`.

        The device is acknowledged only after that write, so a crash right after it leaves
        the device repeating its stacked report to the next start: that report is this note
        again, not a new one (and for ID-003 it may come without a denomination).
        """
        last = self._journal.events(
            kinds=(Kind.ESCROW.value, Kind.STACKED.value, Kind.RETURNED.value),
            since_seq=max(0, self._journal.last_seq - 200),
        )
        if last and last[-1].kind == Kind.STACKED.value and last[-1].txn_id is not None:
            return last[-1].txn_id, int(last[-1].payload["denomination_fen"])
        return None

    def is_repeated_stack(self, denomination: int | None) -> bool:
        """True once for the repeated report of the note journaled just before the crash."""
        if self._unacknowledged is None:
            return False
        txn_id, journaled = self._unacknowledged
        if denomination is not None and denomination != journaled:
            return False
        log.warning(
            "recovery: the device repeats the stacked report of %s's %d fen note, "
            "journaled before the restart; not counted twice",
            txn_id,
            journaled,
        )
        self._unacknowledged = None
        return True

    def new_escrow_seen(self) -> None:
        """A new note is in the device: any repeat of the old report is over."""
        self._unacknowledged = None

    def only_pending_denomination(self) -> int:
        """The denomination under STACK when exactly one note is unsettled, else 0."""
        values = list(self._unsettled.values())
        return values[0] if len(values) == 1 else 0

    def pending(self, txn_id: str) -> bool:
        return txn_id in self._unsettled

    def settled(self, txn_id: str) -> None:
        self._unsettled.pop(txn_id, None)

    def device_ready(self) -> list[Step]:
        return [_window(True)] if self._unsettled else []

    def last_pending(self) -> int:
        """The denomination of the most recent unsettled note (0 when none): the one a
        power-up report with a bill in the mechanism speaks of."""
        values = list(self._unsettled.values())
        return values[-1] if values else 0

    def window_closed(self) -> list[Step]:
        """No report settled these: suspects for a technician, then close the rest."""
        steps: list[Step] = []
        for txn_id, denomination in list(self._unsettled.items()):
            log.error("recovery: %s has an unsettled %d fen note: suspect", txn_id, denomination)
            self._record_suspect(txn_id, denomination)
            self.settled(txn_id)
            steps.append(CloseCash(txn_id))
        return steps

    # ---------------------------------------------------------------- QR orders
    def recheck_qr(self) -> list[Step]:
        steps: list[Step] = [self._check_qr(txn_id) for txn_id in self._qr]
        return steps + [self._check_paycode(txn_id) for txn_id in self._paycode]

    # ------------------------------------------------------------ payment codes
    def adopt_paycode(self, txn_id: str) -> list[Step]:
        """A running payment-code payment whose cancel could not be confirmed."""
        self._paycode.add(txn_id)
        return [AskAgain(QR_RECHECK_S)]

    def _check_paycode(self, txn_id: str) -> AskServer:
        return AskServer(
            lambda central: central.get_paycode(txn_id),
            lambda done: self._paycode_checked(txn_id, done),
        )

    def _paycode_checked(self, txn_id: str, done: Done[Any]) -> list[Step]:
        """Complete what the server charged, cancel (reverse) what it has not finished, and
        close what never reached it: exactly once, never guessed."""
        if txn_id not in self._paycode:
            return []
        if not done.ok:
            error = done.error
            if isinstance(error, CentralRejected) and error.status == 404:
                self._journal.append_many(
                    lambda _c: [Cancelled("paycode_not_posted").entry(txn_id)]
                )
                self._paycode.discard(txn_id)
                return []
            return [AskAgain(QR_RECHECK_S)]
        status = done.get()
        if status.status == "paid" and status.payment is not None:
            answer = status.payment
            self._journal.append_many(
                lambda _c: [
                    Posted("payments", answer.server_ref, answer_json(answer), via="paycode").entry(
                        txn_id
                    ),
                    Closed(paid_fen(answer), "paycode_paid").entry(txn_id),
                ]
            )
            self._paycode.discard(txn_id)
        elif status.status in ("failed", "reversed", "cancelled"):
            reason = "paycode_failed" if status.status == "failed" else "paycode_reversed"
            self._journal.append_many(lambda _c: [Cancelled(reason).entry(txn_id)])
            self._paycode.discard(txn_id)
        else:  # still waiting for the customer, who has left: cancel and reverse
            return [
                AskServer(
                    lambda central: central.cancel_paycode(txn_id),
                    lambda again: self._paycode_checked(txn_id, again),
                )
            ]
        return []

    def _check_qr(self, txn_id: str) -> AskServer:
        order_id = self._qr[txn_id]
        return AskServer(
            lambda central: central.get_qr_order(order_id),
            lambda done: self._qr_checked(txn_id, done),
        )

    def _qr_checked(self, txn_id: str, done: Done[Any]) -> list[Step]:
        if txn_id not in self._qr:
            return []
        if not done.ok:
            return [AskAgain(QR_RECHECK_S)]
        status = done.get()
        if status.status == "paid" and status.payment is not None:
            answer = status.payment
            self._journal.append_many(
                lambda _c: [
                    Posted("payments", answer.server_ref, answer_json(answer), via="qr").entry(
                        txn_id
                    ),
                    Closed(paid_fen(answer), "qr_paid").entry(txn_id),
                ]
            )
            del self._qr[txn_id]
        elif status.status == "pending":
            order_id = self._qr[txn_id]
            return [
                AskServer(
                    lambda central: central.cancel_qr_order(order_id),
                    lambda _done: [self._check_qr(txn_id)],
                )
            ]
        else:
            self._journal.append_many(
                lambda _c: [
                    QrClosed(status.status).entry(txn_id),
                    Cancelled(f"qr_{status.status}").entry(txn_id),
                ]
            )
            del self._qr[txn_id]
        return []
