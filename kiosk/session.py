"""The customer session as an explicit state machine, declared in one table.

Only customer-flow triggers go through this table. Money events from the bill acceptor
(escrow, stacked, returned) are never refused: they are journaled whatever the screen shows,
because a refused "stacked" would be lost cash. They may *cause* a trigger (e.g. a jam
finishes the cash session), which then goes through the table like any other.

An event with no transition from the current state is refused: ``fire`` raises
``TransitionRefused`` and the engine logs it and reports it in the next snapshot.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from kiosk import KioskError


class State(enum.StrEnum):
    HOME = "home"
    ACCOUNT_ENTRY = "account_entry"
    LOOKING_UP = "looking_up"
    ACCOUNT_SHOWN = "account_shown"
    AMOUNT_CHOSEN = "amount_chosen"
    METHOD_CHOSEN = "method_chosen"  # preparing: txn journaled, acceptor/QR/card being readied
    CASH_INSERT = "cash_insert"
    QR_WAIT = "qr_wait"
    PAYCODE_SCAN = "paycode_scan"  # show the payment code to the scanner
    PAYCODE_WAIT = "paycode_wait"  # posted; the provider answers or the customer confirms
    CARD_ENTRY = "card_entry"
    PROCESSING = "processing"
    DONE = "done"
    CANCELLED = "cancelled"
    OUT_OF_SERVICE = "out_of_service"
    MAINTENANCE = "maintenance"


class Trigger(enum.StrEnum):
    START = "start"  # customer picks pay / recharge card / check bill on the home screen
    ENTER_ACCOUNT = "enter_account"
    LOOKUP_OK = "lookup_ok"
    LOOKUP_FAILED = "lookup_failed"
    CHOOSE_AMOUNT = "choose_amount"
    CHOOSE_METHOD = "choose_method"
    METHOD_READY_CASH = "method_ready_cash"
    METHOD_READY_QR = "method_ready_qr"
    METHOD_READY_CARD = "method_ready_card"
    METHOD_READY_PAYCODE = "method_ready_paycode"
    PAYCODE_SCANNED = "paycode_scanned"
    PAYCODE_PAID = "paycode_paid"
    PAYCODE_FAILED = "paycode_failed"  # refused (e.g. no funds): scan again or cancel
    PAYCODE_ENDED = "paycode_ended"  # cancelled and reversed, nothing taken
    METHOD_FAILED = "method_failed"
    FINISH = "finish"  # customer (or idle timeout, or a fault) ends cash insertion
    SUBMIT_CARD = "submit_card"
    CARD_RETRY = "card_retry"  # wrong PIN: back to card entry with attempts left
    QR_PAID = "qr_paid"
    QR_ENDED = "qr_ended"  # expired or cancelled without payment
    SETTLED = "settled"  # posted online or recorded for the outbox
    BACK = "back"
    CANCEL = "cancel"
    IDLE_TIMEOUT = "idle_timeout"
    DONE_TIMEOUT = "done_timeout"
    SERVICE_LOST = "service_lost"  # no payment method works
    SERVICE_BACK = "service_back"
    MAINTENANCE_OPEN = "maintenance_open"
    MAINTENANCE_CLOSE = "maintenance_close"


class Guard(enum.StrEnum):
    NOTHING_TAKEN = "nothing_taken"  # no note stacked or in escrow in this session


@dataclass(frozen=True)
class Transition:
    source: State
    trigger: Trigger
    target: State
    guard: Guard | None = None


S, T = State, Trigger

TRANSITIONS: tuple[Transition, ...] = (
    Transition(S.HOME, T.START, S.ACCOUNT_ENTRY),
    Transition(S.HOME, T.SERVICE_LOST, S.OUT_OF_SERVICE),
    Transition(S.HOME, T.MAINTENANCE_OPEN, S.MAINTENANCE),
    Transition(S.OUT_OF_SERVICE, T.SERVICE_BACK, S.HOME),
    Transition(S.OUT_OF_SERVICE, T.MAINTENANCE_OPEN, S.MAINTENANCE),
    Transition(S.MAINTENANCE, T.MAINTENANCE_CLOSE, S.HOME),
    Transition(S.ACCOUNT_ENTRY, T.ENTER_ACCOUNT, S.LOOKING_UP),
    Transition(S.ACCOUNT_ENTRY, T.CANCEL, S.HOME),
    Transition(S.ACCOUNT_ENTRY, T.BACK, S.HOME),
    Transition(S.ACCOUNT_ENTRY, T.IDLE_TIMEOUT, S.HOME),
    Transition(S.ACCOUNT_ENTRY, T.MAINTENANCE_OPEN, S.MAINTENANCE),
    Transition(S.LOOKING_UP, T.LOOKUP_OK, S.ACCOUNT_SHOWN),
    Transition(S.LOOKING_UP, T.LOOKUP_FAILED, S.ACCOUNT_ENTRY),
    Transition(S.LOOKING_UP, T.CANCEL, S.ACCOUNT_ENTRY),
    Transition(S.ACCOUNT_SHOWN, T.CHOOSE_AMOUNT, S.AMOUNT_CHOSEN),
    Transition(S.ACCOUNT_SHOWN, T.CHOOSE_METHOD, S.METHOD_CHOSEN),  # recharge card: no amount
    Transition(S.ACCOUNT_SHOWN, T.BACK, S.ACCOUNT_ENTRY),
    Transition(S.ACCOUNT_SHOWN, T.CANCEL, S.HOME),
    Transition(S.ACCOUNT_SHOWN, T.IDLE_TIMEOUT, S.HOME),
    Transition(S.AMOUNT_CHOSEN, T.CHOOSE_AMOUNT, S.AMOUNT_CHOSEN),
    Transition(S.AMOUNT_CHOSEN, T.CHOOSE_METHOD, S.METHOD_CHOSEN),
    Transition(S.AMOUNT_CHOSEN, T.BACK, S.ACCOUNT_SHOWN),
    Transition(S.AMOUNT_CHOSEN, T.CANCEL, S.HOME),
    Transition(S.AMOUNT_CHOSEN, T.IDLE_TIMEOUT, S.HOME),
    Transition(S.METHOD_CHOSEN, T.METHOD_READY_CASH, S.CASH_INSERT),
    Transition(S.METHOD_CHOSEN, T.METHOD_READY_QR, S.QR_WAIT),
    Transition(S.METHOD_CHOSEN, T.METHOD_READY_CARD, S.CARD_ENTRY),
    Transition(S.METHOD_CHOSEN, T.METHOD_READY_PAYCODE, S.PAYCODE_SCAN),
    Transition(S.PAYCODE_SCAN, T.PAYCODE_SCANNED, S.PAYCODE_WAIT),
    Transition(S.PAYCODE_SCAN, T.CANCEL, S.CANCELLED),
    Transition(S.PAYCODE_SCAN, T.IDLE_TIMEOUT, S.CANCELLED),
    Transition(S.PAYCODE_WAIT, T.PAYCODE_PAID, S.PROCESSING),
    Transition(S.PAYCODE_WAIT, T.PAYCODE_FAILED, S.PAYCODE_SCAN),
    Transition(S.PAYCODE_WAIT, T.PAYCODE_ENDED, S.CANCELLED),
    Transition(S.PAYCODE_WAIT, T.CANCEL, S.PAYCODE_WAIT),  # reversal requested; ENDED follows
    Transition(S.METHOD_CHOSEN, T.METHOD_FAILED, S.AMOUNT_CHOSEN),
    Transition(S.CASH_INSERT, T.FINISH, S.PROCESSING),
    Transition(S.CASH_INSERT, T.CANCEL, S.CANCELLED, Guard.NOTHING_TAKEN),
    Transition(S.QR_WAIT, T.QR_PAID, S.PROCESSING),
    Transition(S.QR_WAIT, T.QR_ENDED, S.CANCELLED),
    Transition(S.QR_WAIT, T.CANCEL, S.QR_WAIT),  # cancel requested; QR_ENDED or QR_PAID follows
    Transition(S.CARD_ENTRY, T.SUBMIT_CARD, S.PROCESSING),
    Transition(S.CARD_ENTRY, T.CANCEL, S.CANCELLED),
    Transition(S.CARD_ENTRY, T.IDLE_TIMEOUT, S.CANCELLED),
    Transition(S.PROCESSING, T.SETTLED, S.DONE),
    Transition(S.PROCESSING, T.CARD_RETRY, S.CARD_ENTRY),
    Transition(S.DONE, T.DONE_TIMEOUT, S.HOME),
    Transition(S.DONE, T.CANCEL, S.HOME),
    Transition(S.CANCELLED, T.DONE_TIMEOUT, S.HOME),
    Transition(S.CANCELLED, T.CANCEL, S.HOME),
)

_TABLE: Mapping[tuple[State, Trigger], Transition] = {(t.source, t.trigger): t for t in TRANSITIONS}
if len(_TABLE) != len(TRANSITIONS):  # pragma: no cover - a typo in the table above
    raise RuntimeError("two transitions share a source state and trigger")

# States in which the customer is expected to act, so the idle prompt applies.
IDLE_STATES = frozenset(
    {S.ACCOUNT_ENTRY, S.ACCOUNT_SHOWN, S.AMOUNT_CHOSEN, S.CASH_INSERT, S.CARD_ENTRY, S.PAYCODE_SCAN}
)
# States in which a payment is under way: maintenance and service changes must wait.
BUSY_STATES = frozenset(
    {
        S.METHOD_CHOSEN,
        S.CASH_INSERT,
        S.QR_WAIT,
        S.CARD_ENTRY,
        S.PAYCODE_SCAN,
        S.PAYCODE_WAIT,
        S.PROCESSING,
    }
)


class TransitionRefused(KioskError):
    """The trigger has no transition from the current state (or its guard is false)."""

    def __init__(self, state: State, trigger: Trigger, why: str) -> None:
        super().__init__(f"{trigger.value} refused in {state.value}: {why}")
        self.state, self.trigger, self.why = state, trigger, why


class Machine:
    """Holds the current state and applies triggers through the table."""

    def __init__(self, guards: Mapping[Guard, Callable[[], bool]], state: State = S.HOME):
        self.state = state
        self._guards = guards

    def allowed(self, trigger: Trigger) -> bool:
        transition = _TABLE.get((self.state, trigger))
        return transition is not None and (
            transition.guard is None or self._guards[transition.guard]()
        )

    def fire(self, trigger: Trigger) -> State:
        transition = _TABLE.get((self.state, trigger))
        if transition is None:
            raise TransitionRefused(self.state, trigger, "no such transition")
        if transition.guard is not None and not self._guards[transition.guard]():
            raise TransitionRefused(self.state, trigger, f"guard {transition.guard.value} is false")
        self.state = transition.target
        return self.state
