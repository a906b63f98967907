"""The moving parts of an emulated bill acceptor, whatever protocol it speaks.

A bill goes accepting -> escrow -> stacking -> stacked (reported until the host acknowledges)
-> idle, or escrow -> returning -> idle. Each timed phase lasts its ``Timings`` duration and is
reported to at least one poll before it moves on, so a polling host sees every phase; with
nobody polling the mechanism still finishes after a grace period, as a real one does. A bill
left in escrow goes back by itself after ``escrow_timeout_s``.

The cassette counts a bill only when it is really stacked (CCNET: entering "bill stacked";
ID-003: entering VEND VALID); a bill still in the validator at a power cut is counted during
the next initialisation if it was left in the stacker, and handed back if not.

Not thread-safe: the emulator holds its lock around every call.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from drivers.emulators.errors import CommandError

NO_HOST_GRACE_S = 1.0  # a timed phase nobody polled still ends this long after its time


class Phase(enum.Enum):
    POWER_UP = "power_up"
    INITIALIZING = "initializing"
    SETTLED = "settled"  # idle when enabled, disabled otherwise
    ACCEPTING = "accepting"
    ESCROW = "escrow"
    STACKING = "stacking"
    STACKED = "stacked"  # the credit report, repeated until acknowledged
    STACKED_INFO = "stacked_info"  # ID-003: "stacked" after VEND VALID was acknowledged
    RETURNING = "returning"
    RETURNED = "returned"  # CCNET: "bill returned", repeated until acknowledged
    REJECTING = "rejecting"
    CHEATED = "cheated"


_IN_THE_MECHANISM = frozenset(
    {Phase.ACCEPTING, Phase.ESCROW, Phase.STACKING, Phase.RETURNING, Phase.REJECTING}
)


class Fault(enum.Enum):
    """Conditions that stop the mechanism until a person acts; reported instead of the phase."""

    VALIDATOR_JAM = "validator_jam"
    CASSETTE_JAM = "cassette_jam"
    CASSETTE_OUT = "cassette_out"
    CASSETTE_FULL = "cassette_full"
    FAILURE = "failure"


class RejectCause(enum.Enum):
    INSERTION = "insertion"  # pulled back while being drawn in
    INHIBIT = "inhibit"  # a known bill the host did not enable
    IDENTIFICATION = "identification"  # not a bill of the table
    VERIFICATION = "verification"  # failed the checks (counterfeit)


class BillIn(enum.Enum):
    VALIDATOR = "validator"
    STACKER = "stacker"


@dataclass(frozen=True)
class Timings:
    accepting_s: float = 0.3
    stacking_s: float = 0.5
    returning_s: float = 0.4
    rejecting_s: float = 0.3
    initializing_s: float = 0.2
    cheated_s: float = 0.5
    escrow_timeout_s: float = 10.0  # the device's own auto-return

    def faster(self, factor: float) -> Timings:
        """The mechanical durations divided by ``factor`` (the escrow timeout stays)."""
        if not 0.1 <= factor <= 100:
            raise ValueError(f"speed {factor} is not in 0.1..100")
        return Timings(
            accepting_s=self.accepting_s / factor,
            stacking_s=self.stacking_s / factor,
            returning_s=self.returning_s / factor,
            rejecting_s=self.rejecting_s / factor,
            initializing_s=self.initializing_s / factor,
            cheated_s=self.cheated_s / factor,
            escrow_timeout_s=self.escrow_timeout_s,
        )


@dataclass(frozen=True)
class Dialect:
    returned_report: bool  # CCNET reports "bill returned" and waits for the ACK
    stacked_info: bool  # ID-003 reports "stacked" once after VEND VALID is acknowledged


@dataclass(frozen=True)
class Snapshot:
    """What the device would answer a poll with, protocol-free."""

    phase: Phase
    fault: Fault | None
    enabled: bool
    bill_index: int | None  # position in the bill table of the bill in the validator
    reject: RejectCause | None
    power_up_bill: BillIn | None
    failure_code: int


class Cassette:
    """Notes by denomination; ``lifetime`` never goes down (what the device ever stacked)."""

    def __init__(self) -> None:
        self.counts: Counter[int] = Counter()
        self.lifetime: Counter[int] = Counter()
        self.collected: Counter[int] = Counter()
        self.present = True

    @property
    def notes(self) -> int:
        return sum(self.counts.values())

    def add(self, denomination_fen: int) -> None:
        self.counts[denomination_fen] += 1
        self.lifetime[denomination_fen] += 1


class Mechanics:
    def __init__(
        self,
        bill_table_fen: tuple[int, ...],
        dialect: Dialect,
        timings: Timings,
        cassette: Cassette,
        on_change: Callable[[], None],
        *,
        capacity: int | None = None,
    ) -> None:
        self.table = bill_table_fen
        self.dialect = dialect
        self.timings = timings
        self.cassette = cassette
        self._on_change = on_change
        self.capacity = capacity
        self.phase = Phase.POWER_UP
        self.entered_at = 0.0
        self.polls_in_phase = 0
        self.escrow_since = 0.0
        self.bill_index: int | None = None
        self.reject: RejectCause | None = None
        self.power_up_bill: BillIn | None = None
        self.enabled: frozenset[int] = frozenset()
        self.faults: set[Fault] = set()
        self.failure_code = 0
        self.last_outcome = ""  # what happened to the last bill, for status and tests

    # ---- reading ----------------------------------------------------------------------

    @property
    def bill_fen(self) -> int | None:
        return None if self.bill_index is None else self.table[self.bill_index]

    @property
    def in_flight(self) -> BillIn | None:
        """Where a bill would be at a power cut right now (None: no bill in the mechanism)."""
        if self.phase is Phase.POWER_UP:
            return self.power_up_bill
        if self.bill_index is None or self.phase not in _IN_THE_MECHANISM:
            return None  # stacked (counted) or handed back already
        return BillIn.STACKER if self.phase is Phase.STACKING else BillIn.VALIDATOR

    def snapshot(self) -> Snapshot:
        fault = None
        if self.phase not in (Phase.POWER_UP, Phase.INITIALIZING):
            fault = self._reported_fault()
        return Snapshot(
            self.phase,
            fault,
            bool(self.enabled),
            self.bill_index,
            self.reject,
            self.power_up_bill,
            self.failure_code,
        )

    def _reported_fault(self) -> Fault | None:
        for fault in (
            Fault.FAILURE,
            Fault.VALIDATOR_JAM,
            Fault.CASSETTE_JAM,
            Fault.CASSETTE_OUT,
            Fault.CASSETTE_FULL,
        ):
            if fault in self.faults:
                return fault
        return None

    # ---- time ---------------------------------------------------------------------------

    def poll(self, now: float) -> Snapshot:
        """A host polled: move on where due, count the poll, and say what to report."""
        self.tick(now)
        self.polls_in_phase += 1
        return self.snapshot()

    def tick(self, now: float) -> None:
        """Move timed phases along (called on every poll and periodically)."""
        for _ in range(8):  # a few steps at most per call; each needs its own poll anyway
            if not self._step(now):
                return

    def _due(self, now: float, duration: float) -> bool:
        elapsed = now - self.entered_at
        if elapsed < duration:
            return False
        return self.polls_in_phase > 0 or elapsed >= duration + NO_HOST_GRACE_S

    def _step(self, now: float) -> bool:
        phase, timings = self.phase, self.timings
        if self._reported_fault() is not None and phase not in (Phase.POWER_UP, Phase.INITIALIZING):
            return False  # the mechanism stands still until the fault is cleared
        if phase is Phase.ESCROW and now - self.escrow_since >= timings.escrow_timeout_s:
            self._enter(Phase.RETURNING, now)
            self.last_outcome = "escrow timed out: returning"
            return True
        durations = {
            Phase.INITIALIZING: timings.initializing_s,
            Phase.ACCEPTING: timings.accepting_s,
            Phase.STACKING: timings.stacking_s,
            Phase.STACKED_INFO: 0.0,
            Phase.RETURNING: timings.returning_s,
            Phase.REJECTING: timings.rejecting_s,
            Phase.CHEATED: timings.cheated_s,
        }
        duration = durations.get(phase)
        if duration is None or not self._due(now, duration):
            return False
        self._finish_phase(phase, now)
        return True

    def _finish_phase(self, phase: Phase, now: float) -> None:
        if phase is Phase.INITIALIZING:
            self._finish_initialising(now)
        elif phase is Phase.ACCEPTING:
            if self.reject is not None:
                self._enter(Phase.REJECTING, now)
            else:
                self.escrow_since = now
                self._enter(Phase.ESCROW, now)
        elif phase is Phase.STACKING:
            self._stack_into_cassette()
            self._enter(Phase.STACKED, now)
        elif phase is Phase.RETURNING and self.dialect.returned_report:
            self._enter(Phase.RETURNED, now)
        elif phase is Phase.RETURNING:
            self._give_back(now, "returned")
        elif phase is Phase.REJECTING:
            self._give_back(now, f"rejected ({self.reject.value if self.reject else '?'})")
        else:  # STACKED_INFO, CHEATED
            self._settle(now)

    def _enter(self, phase: Phase, now: float) -> None:
        self.phase = phase
        self.entered_at = now
        self.polls_in_phase = 0
        self._on_change()

    def _settle(self, now: float) -> None:
        self.bill_index = None
        self.reject = None
        self._enter(Phase.SETTLED, now)

    def _give_back(self, now: float, outcome: str) -> None:
        self.last_outcome = f"{self.bill_fen} fen {outcome}"
        self._settle(now)

    def _stack_into_cassette(self) -> None:
        fen = self.bill_fen
        assert fen is not None
        self.cassette.add(fen)
        self.last_outcome = f"{fen} fen stacked"
        if self.capacity is not None and self.cassette.notes >= self.capacity:
            self.faults.add(Fault.CASSETTE_FULL)

    def _finish_initialising(self, now: float) -> None:
        if self.power_up_bill is BillIn.STACKER and self.bill_index is not None:
            self._stack_into_cassette()
            self.last_outcome += " during initialisation"
        elif self.power_up_bill is BillIn.VALIDATOR and self.bill_index is not None:
            self.last_outcome = f"{self.bill_fen} fen handed back during initialisation"
        self.power_up_bill = None
        self._settle(now)

    # ---- the host's commands ------------------------------------------------------------

    def reset(self, now: float) -> None:
        # A RESET during power-up or initialisation keeps the power-up bill: initialisation
        # still stacks it (or hands it back) when it ends.
        if self.phase not in (Phase.POWER_UP, Phase.INITIALIZING):
            # a bill in the mechanism is handed back, or goes in if it was being stacked; a
            # report waiting for its ACK is lost (the bill was counted already)
            self.power_up_bill = self.in_flight
            if self.power_up_bill is None:
                self.bill_index = None
            self.power_up_bill = None
        self.enabled = frozenset()
        self.faults.discard(Fault.FAILURE)
        self._enter(Phase.INITIALIZING, now)

    def set_enabled(self, indexes: frozenset[int]) -> None:
        self.enabled = frozenset(i for i in indexes if 0 <= i < len(self.table))

    def stack(self, now: float) -> bool:
        """STACK: True when taken (also when already stacking: a repeated command)."""
        if self.phase is Phase.ESCROW:
            self._enter(Phase.STACKING, now)
            return True
        return self.phase in (Phase.STACKING, Phase.STACKED)

    def return_bill(self, now: float) -> bool:
        if self.phase is Phase.ESCROW:
            self._enter(Phase.RETURNING, now)
            return True
        return self.phase is Phase.RETURNING

    def hold(self, now: float) -> bool:
        if self.phase is Phase.ESCROW:
            self.escrow_since = now
            return True
        return False

    def acknowledge(self, now: float) -> bool:
        """The host acknowledged the report it was sent; True when that moved things on."""
        if self.phase is Phase.STACKED:
            if self.dialect.stacked_info:
                self._enter(Phase.STACKED_INFO, now)
            else:
                self._settle(now)
            return True
        if self.phase is Phase.RETURNED:
            self._give_back(now, "returned")
            return True
        return False

    # ---- scripted events ------------------------------------------------------------------

    def insert(self, denomination_fen: int, now: float, *, genuine: bool = True) -> str:
        if self.phase is not Phase.SETTLED or self._reported_fault() is not None:
            raise CommandError(f"the acceptor does not take a bill now ({self.describe()})")
        if not self.enabled:
            raise CommandError("the acceptor is disabled: it does not draw the bill in")
        self.reject = None
        if denomination_fen in self.table:
            self.bill_index = self.table.index(denomination_fen)
            if self.bill_index not in self.enabled:
                self.reject = RejectCause.INHIBIT
            elif not genuine:
                self.reject = RejectCause.VERIFICATION
        else:
            self.bill_index = None
            self.reject = RejectCause.IDENTIFICATION
        self._enter(Phase.ACCEPTING, now)
        return "rejecting" if self.reject else "accepting"

    def pull_back(self, now: float) -> str:
        if self.phase is Phase.ACCEPTING:
            self.reject = RejectCause.INSERTION
            self._enter(Phase.REJECTING, now)
            return "rejected while drawing in"
        if self.phase is Phase.ESCROW:
            if self.dialect.returned_report:
                self._enter(Phase.RETURNED, now)
            else:
                self._give_back(now, "taken back from escrow")
            return "taken back from escrow"
        raise CommandError(f"no bill to pull back ({self.describe()})")

    def jam(self, where: str) -> None:
        fault = {"validator": Fault.VALIDATOR_JAM, "cassette": Fault.CASSETTE_JAM}.get(where)
        if fault is None:
            raise CommandError(f"jam where? 'validator' or 'cassette', not {where!r}")
        self.faults.add(fault)
        self._on_change()

    def clear_jam(self, now: float) -> str:
        if not self.faults & {Fault.VALIDATOR_JAM, Fault.CASSETTE_JAM}:
            raise CommandError("nothing is jammed")
        self.faults -= {Fault.VALIDATOR_JAM, Fault.CASSETTE_JAM}
        return self._recover(now)

    def _recover(self, now: float) -> str:
        """After a person cleared a fault: a bill still in the validator is handed back."""
        if self.phase in (Phase.POWER_UP, Phase.INITIALIZING):
            self._on_change()
            return "cleared"
        if self.bill_index is not None and self.phase not in (Phase.STACKED, Phase.STACKED_INFO):
            self._give_back(now, "handed back after the fault")
            return self.last_outcome
        if self.phase not in (Phase.STACKED, Phase.STACKED_INFO, Phase.RETURNED):
            self._settle(now)
        return "cleared"

    def set_cassette_full(self) -> None:
        self.faults.add(Fault.CASSETTE_FULL)
        self._on_change()

    def remove_cassette(self) -> dict[int, int]:
        if not self.cassette.present:
            raise CommandError("the cassette is already out")
        self.cassette.present = False
        self.faults.add(Fault.CASSETTE_OUT)
        self._on_change()
        return dict(self.cassette.counts)

    def replace_cassette(self, now: float, *, emptied: bool) -> str:
        if self.cassette.present:
            raise CommandError("the cassette is in place; remove it first")
        if emptied:
            self.cassette.collected.update(self.cassette.counts)
            self.cassette.counts.clear()
            self.faults.discard(Fault.CASSETTE_FULL)
        self.cassette.present = True
        self.faults.discard(Fault.CASSETTE_OUT)
        return self._recover(now)

    def cheat(self, now: float) -> None:
        if self.bill_index is not None:
            self.last_outcome = f"{self.bill_fen} fen pulled out by a cheat"
        self.bill_index = None
        self.reject = None
        self._enter(Phase.CHEATED, now)

    def fail(self, code: int) -> None:
        self.faults.add(Fault.FAILURE)
        self.failure_code = code
        self._on_change()

    def repair(self, now: float) -> str:
        if Fault.FAILURE not in self.faults:
            raise CommandError("there is no failure to repair")
        self.faults.discard(Fault.FAILURE)
        return self._recover(now)

    def power_cycle(self, now: float, *, bill_in_stacker: bool) -> BillIn | None:
        """Power off and on; return where the bill in the mechanism was left, if any."""
        if self.phase in (Phase.POWER_UP, Phase.INITIALIZING):
            where = self.power_up_bill  # off and on, or reset, before initialisation ended
        elif self.in_flight is not None:
            where = BillIn.STACKER if bill_in_stacker else BillIn.VALIDATOR
        else:
            where = None
            self.bill_index = None  # a report waiting for its ACK is lost
        self.power_up_bill = where
        self.reject = None
        self.enabled = frozenset()
        self.faults.discard(Fault.FAILURE)
        self._enter(Phase.POWER_UP, now)
        return where

    def restore(self, bill_fen: int | None, where: BillIn | None) -> None:
        """Start as after a power cut with this bill (from the state file) in the mechanism."""
        if bill_fen is not None and where is not None and bill_fen in self.table:
            self.bill_index = self.table.index(bill_fen)
            self.power_up_bill = where

    def describe(self) -> str:
        fault = self._reported_fault()
        state = self.phase.value
        if self.phase is Phase.SETTLED:
            state = "idle" if self.enabled else "disabled"
        return f"{state}, {fault.value}" if fault else state
