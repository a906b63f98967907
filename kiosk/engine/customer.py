"""The customer's steps up to a payment method: start, account lookup, amount, method, the
ways out (cancel, back, home, the idle timeout), and the scanner's events. The engine maps
each customer intent to the method of the same name here (``engine.intent("choose_amount",
amount_fen=5000)`` -> ``choose_amount``). Runs on the engine thread.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from kiosk.background import Done
from kiosk.central_answers import Account
from kiosk.events import Cancelled
from kiosk.session import IDLE_STATES, State, TransitionRefused, Trigger

if TYPE_CHECKING:
    from kiosk.engine.core import Engine

log = logging.getLogger("kiosk.engine")


class CustomerFlow:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def touch(self) -> None:
        """Any tap on the screen: keeps the session alive."""

    def still_here(self) -> None:
        """The customer answered "need more time?"."""

    def set_language(self, language: str) -> None:
        engine = self.engine
        if language == "zh":
            engine.language = "zh"
        elif language == "en":
            engine.language = "en"
        else:
            raise TransitionRefused(engine.machine.state, Trigger.START, f"language {language!r}")

    def set_large_text(self, on: bool) -> None:
        self.engine.large_text = bool(on)

    def start(self, mode: str = "pay") -> None:
        engine = self.engine
        if mode not in ("pay", "card", "check"):
            raise TransitionRefused(engine.machine.state, Trigger.START, f"mode {mode!r}")
        engine.fire(Trigger.START)
        engine.session = engine.new_session(mode=mode)

    def enter_account(self, account_no: str) -> None:
        engine = self.engine
        account_no = str(account_no).strip()
        if not account_no.isdigit() or not 6 <= len(account_no) <= 20:
            engine.session.error = {"code": "account_format", "detail": {}}
            return
        engine.fire(Trigger.ENTER_ACCOUNT)
        engine.session.error = None
        engine.session.looking_up = account_no  # shown while the lookup runs
        # a late answer to an earlier lookup must not show
        engine.session.lookup_token = token = engine.next_token()
        engine.run_net("lookup", token, lambda: engine.central.get_account(account_no))

    def done_lookup(self, done: Done[Account]) -> None:
        engine = self.engine
        if (
            done.token != engine.session.lookup_token
            or engine.machine.state is not State.LOOKING_UP
        ):
            return
        if done.ok and done.value is not None:
            engine.checks.server_ok()
            engine.session.account = done.value
            engine.fire(Trigger.LOOKUP_OK)
            engine.touch()
            return
        engine.session.error = engine.checks.explain(done.error)
        engine.fire(Trigger.LOOKUP_FAILED)

    def cancel(self) -> None:
        engine = self.engine
        state = engine.machine.state
        if state is State.CASH_INSERT:
            engine.fire(Trigger.CANCEL)  # the guard refuses once a note is taken
            engine.cash.cancel("customer_cancelled")
        elif state is State.QR_WAIT:
            engine.fire(Trigger.CANCEL)
            engine.qr.cancel()
        elif state is State.PAYCODE_WAIT:
            engine.paycode.cancel()
        elif state is State.METHOD_CHOSEN:
            raise TransitionRefused(state, Trigger.CANCEL, "the payment is being prepared")
        elif state is State.CARD_ENTRY and engine.session.txn_id is None:
            engine.fire(Trigger.CANCEL)
            engine.set_timer("done", 3)
        else:
            engine.fire(Trigger.CANCEL)
            if engine.machine.state is State.HOME:
                engine.go_home()

    def back(self) -> None:
        engine = self.engine
        engine.fire(Trigger.BACK)
        if engine.machine.state is State.HOME:
            engine.go_home()

    def home(self) -> None:
        """The done/cancelled screens' "finish" button."""
        engine = self.engine
        if engine.machine.state in (State.DONE, State.CANCELLED):
            engine.fire(Trigger.CANCEL)
            engine.go_home()
        else:
            self.cancel()

    def choose_amount(self, amount_fen: int | None = None) -> None:
        engine = self.engine
        account = engine.session.account
        if account is None:
            raise TransitionRefused(engine.machine.state, Trigger.CHOOSE_AMOUNT, "no account")
        limits = engine.config.limits
        amount = account.due_fen if amount_fen is None else amount_fen
        if isinstance(amount, bool) or not isinstance(amount, int):
            engine.session.error = {"code": "amount_invalid", "detail": {}}
            return
        if amount < limits.min_payment_fen or amount > limits.max_payment_fen:
            engine.session.error = {
                "code": "amount_out_of_range",
                "detail": {"min_fen": limits.min_payment_fen, "max_fen": limits.max_payment_fen},
            }
            return
        engine.fire(Trigger.CHOOSE_AMOUNT)
        engine.session.amount_fen = amount
        engine.session.error = None

    def choose_method(self, method: str) -> None:
        engine = self.engine
        methods = engine.checks.methods()
        if method not in methods:
            raise TransitionRefused(
                engine.machine.state, Trigger.CHOOSE_METHOD, f"method {method!r}"
            )
        if not methods[method].ok:
            engine.session.error = {
                "code": "method_unavailable",
                "detail": {"method": method, "reason": methods[method].reason},
            }
            return
        if method != "card" and engine.session.amount_fen is None:
            raise TransitionRefused(
                engine.machine.state, Trigger.CHOOSE_METHOD, "choose an amount first"
            )
        engine.fire(Trigger.CHOOSE_METHOD)
        engine.session.method = method
        # Preparing waits on the printer check or the QR order: never for ever.
        engine.set_timer("prepare", engine.config.timeouts.lookup_s + 5)
        engine.session.error = None
        if method == "cash":
            engine.checks.check_printer(purpose="cash")
        elif method == "qr":
            engine.qr.open()
        elif method == "paycode":
            engine.paycode.prepare()
        else:
            engine.fire(Trigger.METHOD_READY_CARD)

    # ------------------------------------------------------------ timeouts
    def prepare_failed(self) -> None:
        """The ``prepare`` timer: the chosen method did not get ready in time."""
        engine = self.engine
        if engine.machine.state is not State.METHOD_CHOSEN:
            return
        log.error("preparing %s took too long; back to the method choice", engine.session.method)
        if engine.session.txn_id is not None:
            engine.records.event(Cancelled("prepare_timeout"))
            engine.session.txn_id = None
        engine.session.error = {
            "code": "method_unavailable",
            "detail": {"method": engine.session.method, "reason": "timeout"},
        }
        engine.fire(Trigger.METHOD_FAILED)

    def idle_prompt(self) -> None:
        """The ``idle_prompt`` timer: ask whether the customer is still there."""
        engine = self.engine
        if engine.machine.state in IDLE_STATES:
            engine.session.idle_prompt = True
            engine.set_timer("idle_finish", engine.idle_s(engine.config.timeouts.idle_finish_s))

    def idle_timeout(self) -> None:
        """The ``idle_finish`` timer: nobody answered the prompt."""
        engine = self.engine
        state = engine.machine.state
        if state not in IDLE_STATES:
            return
        engine.session.idle_prompt = False
        if state is State.CASH_INSERT:
            cash = engine.session.cash
            if cash.inserted_fen or cash.in_escrow_fen:
                engine.cash.finish_cash("idle_timeout")
            else:
                engine.fire(Trigger.CANCEL)
                engine.cash.cancel("idle_timeout")
        else:
            engine.fire(Trigger.IDLE_TIMEOUT)
            if engine.machine.state is State.HOME:
                engine.go_home()
            else:
                engine.set_timer("done", 3)

    def done_timeout(self) -> None:
        """The ``done`` timer: the result or cancelled screen goes home by itself."""
        engine = self.engine
        if engine.machine.state in (State.DONE, State.CANCELLED):
            engine.fire(Trigger.DONE_TIMEOUT)
            engine.go_home()

    # ------------------------------------------------------------ the scanner
    def on_scanner_event(self, event: Any) -> None:
        """A scanned code goes to the payment-code flow; anything else is the scanner's health."""
        engine = self.engine
        code = getattr(event, "code", None)
        if isinstance(code, str):
            engine.touch()
            engine.paycode.scanned(code)
            return
        name = type(event).__name__
        if name == "ScanRefused" and engine.machine.state is State.PAYCODE_SCAN:
            engine.session.paycode = {"status": "scan", "error": "empty"}  # not read: try again
            return
        if name in ("Connected", "Reconnected", "Ready"):
            engine.checks.set_health(scanner_ready=True)
        elif name in ("Disconnected", "Lost"):
            engine.checks.set_health(scanner_ready=False)
