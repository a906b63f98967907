"""Hypothesis drives random sequences of customer intents and device events through a whole
kiosk (real engine, journal, CCNET/ID-003 and printer emulators on ptys, the real central
server) and checks the money invariant after every step, once the devices are at rest:

    cash in the emulator's cassette
      == cash journaled as stacked (+ notes a suspect says are in the box with no payment)
      == cash credited on the server + cash queued in the outbox (pending)
         + cash stacked in the payment still open on the screen

never more, never less. (The last term is the customer's session in progress: its notes are
journaled but not yet closed and queued.)

Each example starts a fresh kiosk (about two seconds), so the number of examples is small;
the steps of an example are where the variety is.
"""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path
from typing import ClassVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlalchemy import bindparam, create_engine, text

from drivers.emulators.errors import CommandError
from tests.support.central_server import CentralServer
from tests.support.journal_money import journal_money
from tests.support.kiosk_stack import KioskStack

DENOMINATIONS = (100, 1000, 2000, 5000, 10000)  # 100 fen is in the device table, not accepted
REST_TIMEOUT_S = 20.0
CONSISTENT_TIMEOUT_S = 10.0  # the outbox may post between two reads: look again until then


class EngineMoney(RuleBasedStateMachine):
    server: ClassVar[CentralServer]
    workdir: ClassVar[Path]
    examples: ClassVar[int] = 0

    def __init__(self) -> None:
        super().__init__()
        self.stack: KioskStack | None = None
        self.fault: str | None = None

    # ---------------------------------------------------------------- set-up
    @initialize(protocol=st.sampled_from(["ccnet", "id003"]))
    def start_kiosk(self, protocol: str) -> None:
        EngineMoney.examples += 1
        workdir = self.workdir / f"example-{EngineMoney.examples}"
        workdir.mkdir(parents=True)
        self.stack = KioskStack.start(workdir, self.server, protocol=protocol)
        self.db = create_engine(self.server.db_url)

    def teardown(self) -> None:
        if self.stack is not None:
            self.stack.stop()
            self.db.dispose()

    @property
    def s(self) -> KioskStack:
        assert self.stack is not None
        return self.stack

    def state(self) -> str:
        return str(self.s.snapshots.latest.get("state"))

    # ---------------------------------------------------------------- customers
    # Rules are enabled by the screen's state, so that random choices make payments happen.
    @precondition(lambda self: self.in_state("home") and self.cash_offered())
    @rule(
        amount=st.sampled_from([500, 3000, 20000]),
        account_role=st.sampled_from(["residential_paid_up", "residential_arrears"]),
        notes=st.lists(st.sampled_from(DENOMINATIONS), min_size=1, max_size=3),
    )
    def begin_cash_payment(self, amount: int, account_role: str, notes: list[int]) -> None:
        """A customer chooses cash and feeds some notes in (more may follow as other steps)."""
        self.s.intent("start")
        self.s.wait("account_entry")
        self.s.intent("enter_account", account_no=self.server.accounts[account_role])
        self.s.wait("account_shown")
        self.s.intent("choose_amount", amount_fen=amount)
        self.s.wait("amount_chosen")
        seen = len(self.s.snapshots.history)
        self.s.intent("choose_method", method="cash")
        deadline = time.monotonic() + REST_TIMEOUT_S
        while True:  # cash_insert, or back to amount_chosen when cash is refused
            later = self.s.snapshots.history[seen:]
            moved = any(snap["state"] != "amount_chosen" or snap["error"] for snap in later)
            if moved and not self.in_state("method_chosen"):
                break
            assert time.monotonic() < deadline, self.s.snapshots.latest
            time.sleep(0.02)
        for note in notes:
            if self.in_state("cash_insert"):
                self.insert_note(note, pull_back=False)
                self.at_rest()

    @precondition(lambda self: self.in_state("cash_insert"))
    @rule(denomination=st.sampled_from(DENOMINATIONS), pull_back=st.booleans())
    def insert_note(self, denomination: int, pull_back: bool) -> None:
        deadline = time.monotonic() + 2.0  # the engine enables the acceptor asynchronously
        while True:
            try:
                self.s.cash.insert(denomination)
                break
            except CommandError:
                if time.monotonic() > deadline:
                    return  # disabled, jammed, unplugged or busy: it does not draw it in
                time.sleep(0.05)
        if pull_back:
            with contextlib.suppress(CommandError):  # too late: it is past escrow
                self.s.cash.pull_back()

    @precondition(lambda self: self.in_state("cash_insert"))
    @rule()
    def insert_fake(self) -> None:
        with contextlib.suppress(CommandError):  # disabled or busy
            self.s.cash.insert_fake(5000)

    @precondition(lambda self: self.in_state("cash_insert"))
    @rule()
    def finish(self) -> None:
        self.s.intent("finish")  # refused unless a note was taken

    @precondition(lambda self: self.in_state("cash_insert"))
    @rule()
    def cancel(self) -> None:
        self.s.intent("cancel")  # refused once a note is taken

    @precondition(lambda self: self.in_state("cash_insert", "account_shown", "amount_chosen"))
    @rule()
    def customer_walks_away(self) -> None:
        """The idle prompt went unanswered: what was inserted is paid in."""
        engine = self.s.engine
        engine.call(lambda: engine.timer_fired("idle_finish"))

    @precondition(
        lambda self: self.in_state(
            "done", "cancelled", "account_entry", "account_shown", "amount_chosen"
        )
    )
    @rule()
    def home(self) -> None:
        self.s.intent("home" if self.in_state("done", "cancelled") else "cancel")

    @precondition(lambda self: self.stack is not None)
    @rule(seconds=st.sampled_from([0.1, 0.5]))
    def wait_a_moment(self, seconds: float) -> None:
        time.sleep(seconds)

    # ---------------------------------------------------------------- bad luck
    @precondition(lambda self: self.stack is not None and not self.fault)
    @rule(fault=st.sampled_from(["jam", "unplug", "paper_out"]))
    def devices_break(self, fault: str) -> None:
        if fault == "jam":
            self.s.cash.jam()
        elif fault == "unplug":
            self.s.cash.unplug()
        else:
            self.s.printer.paper_out()
        self.fault = fault

    @precondition(lambda self: self.stack is not None and self.fault)
    @rule()
    def repair(self) -> None:
        if self.fault == "jam":
            self.s.cash.clear_jam()
        elif self.fault == "unplug":
            self.s.cash.replug()
        else:
            self.s.printer.ready()
        self.fault = None

    def in_state(self, *states: str) -> bool:
        return self.stack is not None and self.state() in states

    def cash_offered(self) -> bool:
        return bool(self.s.snapshots.latest.get("methods", {}).get("cash", {}).get("ok"))

    # ---------------------------------------------------------------- the invariant
    def at_rest(self) -> None:
        """No note in the mechanism, none awaiting the engine, no payment being closed."""
        deadline = time.monotonic() + REST_TIMEOUT_S
        while True:
            status = self.s.cash.status()
            snap = self.s.engine.call(self.s.engine.snapshot)
            moving = status["bill_in_mechanism"] is not None and self.fault != "unplug"
            if not moving and not snap["cash"]["in_escrow_fen"] and snap["state"] != "processing":
                return
            assert time.monotonic() < deadline, f"never at rest: {status} {snap['state']}"
            time.sleep(0.05)

    def figures(self) -> dict[str, int]:
        money = journal_money(self.s.engine.journal)
        txn_ids = list(money.posted) or [""]
        query = text(
            "SELECT COALESCE(SUM(amount_fen), 0), COUNT(*), COUNT(DISTINCT txn_id) FROM payments "
            "WHERE kiosk_id = :kiosk AND method = 'cash'"
        )
        with self.db.connect() as conn:
            credited, count, distinct = conn.execute(query, {"kiosk": self.s.config.kiosk.id}).one()
            posted_on_server = conn.execute(
                text("SELECT COUNT(*) FROM payments WHERE txn_id IN :t").bindparams(
                    bindparam("t", expanding=True)
                ),
                {"t": txn_ids},
            ).scalar_one()
        return {
            "cassette": self.s.cash.status()["cassette_total_fen"],
            "stacked": money.stacked,
            "stray": money.stray,
            "credited": int(credited),
            "pending": money.pending,
            "open": money.open,
            "payments": int(count),
            "distinct": int(distinct),
            "journal_posted": len(money.posted),
            "posted_on_server": int(posted_on_server) if money.posted else 0,
        }

    @invariant()
    def money_balances(self) -> None:
        if self.stack is None:
            return
        self.at_rest()
        deadline = time.monotonic() + CONSISTENT_TIMEOUT_S
        while True:
            f = self.figures()
            ok = (
                f["cassette"] == f["stacked"] + f["stray"]
                and f["stacked"] == f["credited"] + f["pending"] + f["open"]
                and f["payments"] == f["distinct"]
                and f["posted_on_server"] == f["journal_posted"]
            )
            if ok:
                return
            assert time.monotonic() < deadline, f"money does not balance: {json.dumps(f)}"
            time.sleep(0.1)


def test_money_balances_after_every_step(
    shared_central_server: CentralServer, tmp_path: Path
) -> None:
    EngineMoney.server = shared_central_server
    EngineMoney.workdir = tmp_path
    run = EngineMoney.TestCase
    run.settings = settings(
        max_examples=8,
        stateful_step_count=12,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    run().runTest()
