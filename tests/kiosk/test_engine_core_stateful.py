"""Hypothesis drives random sequences of customers, device reports, time and server outages
through the engine stepped in-process (tests/support/engine_harness.py) and checks the money
after every step:

    cash the acceptor put in its cassette
      == cash journaled as stacked (+ notes a suspect says are in the box with no payment)
      == cash the server credited + cash queued in the outbox (pending)
         + cash stacked in the payment still open

never more, never less, and each payment credited once. The same invariant runs end to end,
with emulators and the real server, in test_engine_stateful.py, where each example costs two
seconds; here an example costs milliseconds, so there are many, and time itself is a step:
idle timeouts, the stack timeout, recovery's window and the done screen all pass.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from drivers.cash.api import Disconnected, Ready
from kiosk.central_client import CentralOffline
from tests.support.engine_harness import EngineHarness
from tests.support.journal_money import journal_money

ACCOUNTS = {"paid_up": 0, "arrears": 22580}
DENOMINATIONS = (1000, 2000, 5000, 10000)


class EngineCoreMoney(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.workdir = tempfile.TemporaryDirectory()
        self.h = EngineHarness.start(Path(self.workdir.name))
        for account_no, due in zip(("3100000001", "3100000002"), ACCOUNTS.values(), strict=True):
            self.h.central.add_account(account_no, due_fen=due)
        self.unplugged = False

    def teardown(self) -> None:
        self.h.stop()
        self.workdir.cleanup()

    def state(self) -> str:
        return self.h.state

    # ---------------------------------------------------------------- customers
    @precondition(lambda self: self.state() == "home")
    @rule(
        account_no=st.sampled_from(["3100000001", "3100000002"]),
        amount=st.sampled_from([None, 500, 3000, 20000]),
        notes=st.lists(st.sampled_from(DENOMINATIONS), max_size=3),
    )
    def begin_cash_payment(self, account_no: str, amount: int | None, notes: list[int]) -> None:
        """A customer chooses cash and feeds some notes in (more may follow as other steps)."""
        self.h.intent("start")
        self.h.intent("enter_account", account_no=account_no)
        if self.state() != "account_shown":
            return  # the server is away: the customer is told so
        self.h.intent("choose_amount", amount_fen=amount)
        self.h.intent("choose_method", method="cash")  # or refused, and said why
        for note in notes:
            if self.state() == "cash_insert":
                self.insert_note(note, reported=True)

    @precondition(lambda self: self.state() == "cash_insert")
    @rule(denomination=st.sampled_from(DENOMINATIONS), reported=st.booleans())
    def insert_note(self, denomination: int, reported: bool) -> None:
        """A note; ``reported=False``: the device goes silent once STACK is sent."""
        acceptor = self.h.acceptor
        if self.unplugged or denomination not in acceptor.enabled or acceptor.under_stack:
            return  # it does not draw a note in now
        acceptor.insert(denomination, stacked=reported)

    @precondition(lambda self: self.h.acceptor.under_stack is not None and not self.unplugged)
    @rule()
    def device_reports_late(self) -> None:
        self.h.acceptor.report_stacked()
        self.h.loop.run_until_idle()

    @precondition(lambda self: self.state() == "cash_insert")
    @rule(then_post=st.booleans())
    def finish(self, then_post: bool) -> None:
        self.h.intent("finish")  # refused unless a note was taken
        if then_post:
            self.h.flush_outbox()

    @precondition(
        lambda self: (
            self.state() in ("cash_insert", "account_entry", "account_shown", "amount_chosen")
        )
    )
    @rule()
    def cancel(self) -> None:
        self.h.intent("cancel")  # refused once a note is taken

    @precondition(lambda self: self.state() in ("done", "cancelled"))
    @rule()
    def home(self) -> None:
        self.h.intent("home")

    @rule(seconds=st.sampled_from([0.5, 5.0, 16.0, 31.0, 61.0]))
    def time_passes(self, seconds: float) -> None:
        self.h.advance(seconds)

    @rule()
    def outbox_round(self) -> None:
        self.h.flush_outbox()

    # ---------------------------------------------------------------- bad luck
    @rule(down=st.booleans())
    def server(self, down: bool) -> None:
        self.h.central.down = CentralOffline("network down") if down else None

    @precondition(lambda self: not self.unplugged and self.h.acceptor.under_stack is None)
    @rule()
    def unplug(self) -> None:
        self.h.acceptor.event(Disconnected("cable pulled"))
        self.unplugged = True

    @precondition(lambda self: self.unplugged)
    @rule()
    def replug(self) -> None:
        self.h.acceptor.event(Ready(self.h.acceptor.identity, self.h.acceptor.table))
        self.unplugged = False

    # ---------------------------------------------------------------- the invariant
    def figures(self) -> dict[str, int]:
        money = journal_money(self.h.journal)
        cash_posts = [p for p in self.h.central.payments.values() if p.get("method") == "cash"]
        return {
            "cassette": sum(self.h.acceptor.cassette),
            "stacked": money.stacked,
            "stray": money.stray,
            "credited": sum(int(str(p["amount_fen"])) for p in cash_posts),
            "pending": money.pending,
            "open": money.open,
            "journal_posted": len(money.posted),
            "server_payments": len(cash_posts),
        }

    @invariant()
    def money_balances(self) -> None:
        f = self.figures()
        assert f["cassette"] == f["stacked"] + f["stray"], f
        assert f["stacked"] == f["credited"] + f["pending"] + f["open"], f
        assert f["journal_posted"] == f["server_payments"], f

    @invariant()
    def the_chain_holds(self) -> None:
        assert self.h.journal.verify().ok


def test_money_balances_after_every_step_in_process() -> None:
    run = EngineCoreMoney.TestCase
    run.settings = settings(
        max_examples=60,
        stateful_step_count=30,
        deadline=None,
        database=None,
        derandomize=True,  # the same examples every run: CI cannot be lucky or unlucky
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    run().runTest()
