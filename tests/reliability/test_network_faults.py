"""Network faults: every journaled payment is posted exactly once, whatever the network does.

The real Outbox, with a real Journal and a real CentralClient, posts through a loopback proxy
(tests/reliability/fault_proxy.py) to the real central server. Each of hundreds of seeded
schedules breaks its first requests at random: the request dropped before the server sees it,
the answer dropped after the server processed it, a delay (some past the client's read
timeout, so the retry races the original), a 500 instead of forwarding, a 500 after the server
processed it. Then every request passes, the outbox drains, and the server's payments must be
the journal's payments: each once, with its amount, credited once; nothing parked.

Reproduce one schedule: ``pytest tests/reliability/test_network_faults.py -k "chunk3"`` runs
seeds 3*SCHEDULES_PER_CHUNK onwards; the seed names every schedule in a failure message.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import bindparam, create_engine, text

from kiosk import projection
from kiosk.central_client import CentralClient
from kiosk.config import OutboxSection
from kiosk.journal import Journal
from kiosk.outbox import Outbox
from kiosk.projection import Kind, OutboxState
from tests.reliability.fault_proxy import Decision, Fault, FaultProxy, Request
from tests.support.central_server import CentralServer, start_central_server
from tests.support.kiosk_stack import new_kiosk

CHUNKS = 8
SCHEDULES_PER_CHUNK = 30  # 240 schedules in all
MAX_FAULTY_REQUESTS = 16  # a schedule breaks at most this many requests, then all pass
READ_TIMEOUT_S = 0.4  # the client's; long delays go past it
DRAIN_DEADLINE_S = 30.0
DRAIN_MAX_ROUNDS = 400
NOTES_FEN = (1000, 2000, 5000, 10000)
FAULTS = (
    Fault.DROP_REQUEST,
    Fault.DROP_RESPONSE,
    Fault.DELAY,
    Fault.ERROR_500,
    Fault.ERROR_500_AFTER,
)


@dataclass
class Site:
    server: CentralServer
    kiosk_id: str
    secret: str
    accounts: list[str]
    db: Any


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    server = start_central_server(tmp_path_factory.mktemp("central"))
    db = create_engine(server.db_url)
    try:
        kiosk_id, secret = new_kiosk(server)
        accounts = sorted(no for role, no in server.accounts.items() if role != "unknown")
        yield Site(server, kiosk_id, secret, accounts, db)
    finally:
        db.dispose()
        server.stop()


class FaultSchedule:
    """The first requests broken at random (seeded), then every request passes."""

    def __init__(self, seed: int) -> None:
        rng = random.Random(seed)
        self.faults: list[Decision] = []
        for _ in range(rng.randint(0, MAX_FAULTY_REQUESTS)):
            if rng.random() < 0.3:
                self.faults.append(Decision(Fault.PASS))
                continue
            fault = rng.choice(FAULTS)
            delay = 0.0
            if fault is Fault.DELAY:
                late = rng.random() < 0.2  # past the read timeout: the retry races it
                delay = (
                    rng.uniform(READ_TIMEOUT_S + 0.1, READ_TIMEOUT_S + 0.3)
                    if late
                    else (rng.uniform(0.0, 0.05))
                )
            self.faults.append(Decision(fault, delay))
        self.requests = 0

    def __call__(self, request: Request) -> Decision:
        self.requests += 1
        return self.faults.pop(0) if self.faults else Decision(Fault.PASS)


def journal_payment(
    journal: Journal, kiosk_id: str, seq: int, account_no: str, notes: list[int]
) -> str:
    """Events of a cash payment as the engine writes them (opened, escrow and stacked per
    note; here in one commit, to save fsyncs), then closed + queued in one commit built like
    kiosk/engine/cash.py CashFlow.close_and_queue."""
    txn_id = f"{kiosk_id}-{seq:08d}"
    events: list[tuple[str, Mapping[str, Any], str | None]] = [
        (
            Kind.OPENED.value,
            {
                "seq": seq,
                "method": "cash",
                "account_no": account_no,
                "holder": "",
                "amount_due_fen": 0,
                "target_fen": sum(notes),
            },
            txn_id,
        )
    ]
    for note in notes:
        events.append(
            (
                Kind.ESCROW.value,
                {"denomination_fen": note, "decision": "stack", "reason": "accepted"},
                txn_id,
            )
        )
        events.append((Kind.STACKED.value, {"denomination_fen": note}, txn_id))
    journal.append_many(lambda _conn: events)

    def build(conn: Any) -> list[tuple[str, Mapping[str, Any], str | None]]:
        row = conn.execute(
            projection.transactions.select().where(projection.transactions.c.txn_id == txn_id)
        ).one()
        cash = json.loads(row.notes)
        body = {
            "txn_id": txn_id,
            "account_no": row.account_no,
            "amount_fen": row.cash_fen,
            "method": "cash",
            "cash": cash,
            "created_at": row.created_at,
            "offline": True,
        }
        return [
            (
                Kind.CLOSED.value,
                {"total_fen": row.cash_fen, "notes": cash, "reason": "customer_finished"},
                txn_id,
            ),
            (
                Kind.QUEUED.value,
                {
                    "item_id": txn_id,
                    "endpoint": "payments",
                    "amount_fen": row.cash_fen,
                    "body": body,
                },
                txn_id,
            ),
        ]

    journal.append_many(build)
    return txn_id


def pending(journal: Journal) -> int:
    table = projection.outbox
    rows = journal.read(
        lambda c: c.execute(table.select().where(table.c.state == OutboxState.PENDING.value)).all()
    )
    return len(rows)


def drain(outbox: Outbox, journal: Journal, seed: int) -> int:
    """Run the outbox's rounds until nothing is pending; how many rounds it took."""
    deadline = time.monotonic() + DRAIN_DEADLINE_S
    for rounds in range(1, DRAIN_MAX_ROUNDS + 1):
        if not pending(journal):
            return rounds
        assert time.monotonic() < deadline, f"seed {seed}: not drained in {DRAIN_DEADLINE_S} s"
        if outbox.drain_once() > 0:
            time.sleep(0.01)  # a failed round; the real worker would back off longer
    raise AssertionError(f"seed {seed}: still pending after {DRAIN_MAX_ROUNDS} rounds")


def run_schedule(site: Site, workdir: Path, seed: int) -> dict[str, Any]:
    rng = random.Random(f"payments-{seed}")
    schedule = FaultSchedule(seed)
    proxy = FaultProxy(site.server.url, schedule)
    proxy.start()
    journal = Journal(workdir / f"journal-{seed}.db")
    client = CentralClient(
        proxy.url, site.kiosk_id, site.secret, connect_timeout_s=1.0, read_timeout_s=READ_TIMEOUT_S
    )
    settings = OutboxSection(
        batch_size=rng.choice((1, 2, 100)),
        backoff_initial_s=0.05,
        backoff_max_s=0.2,
        heartbeat_interval_s=60.0,
    )
    outbox = Outbox(journal, client, settings, rng=random.Random(seed))
    try:
        count = rng.randint(1, 6)
        expected: dict[str, int] = {}
        for i in range(count):
            notes = [rng.choice(NOTES_FEN) for _ in range(rng.randint(1, 3))]
            txn_id = journal_payment(
                journal, site.kiosk_id, seed * 100 + i + 1, rng.choice(site.accounts), notes
            )
            expected[txn_id] = sum(notes)
            if i == count // 2:
                outbox.drain_once()  # some posted (or half-posted) before the rest is queued
        rounds = drain(outbox, journal, seed)
        proxy.wait_idle()  # a delayed original still on its way has landed
    finally:
        client.close()
        proxy.stop()
    check(site, journal, expected, seed)
    journal.close()
    return {
        "requests": schedule.requests,
        "rounds": rounds,
        "payments": len(expected),
        "faults": Counter({f.value: n for f, n in proxy.counts.items() if f is not Fault.PASS}),
    }


def check(site: Site, journal: Journal, expected: dict[str, int], seed: int) -> None:
    table = projection.outbox
    rows = journal.read(lambda c: c.execute(table.select()).all())
    states = {row.txn_id: row.state for row in rows}
    assert states == dict.fromkeys(expected, OutboxState.POSTED.value), f"seed {seed}: {states}"
    posted = Counter(e.txn_id for e in journal.events(kinds=(Kind.POSTED.value,)))
    assert posted == Counter(list(expected)), f"seed {seed}: posted events {posted}"
    query = text(
        "SELECT p.txn_id, p.amount_fen, "
        "(SELECT COUNT(*) FROM ledger_entries l WHERE l.payment_id = p.id AND l.kind = 'credit') "
        "FROM payments p WHERE p.kiosk_id = :kiosk AND p.txn_id IN :txns"
    ).bindparams(bindparam("txns", expanding=True))
    with site.db.connect() as conn:
        found = conn.execute(query, {"kiosk": site.kiosk_id, "txns": list(expected)}).all()
    on_server = Counter(row[0] for row in found)
    assert on_server == Counter(list(expected)), f"seed {seed}: server holds {on_server}"
    amounts = {row[0]: row[1] for row in found}
    assert amounts == expected, f"seed {seed}: amounts {amounts} != journal {expected}"
    credits = {row[0]: row[2] for row in found}
    assert set(credits.values()) == {1}, f"seed {seed}: ledger credits {credits}"


def report(line: Mapping[str, Any]) -> None:
    path = os.environ.get("RELIABILITY_REPORT")
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")


@pytest.mark.parametrize("chunk", range(CHUNKS), ids=[f"chunk{c}" for c in range(CHUNKS)])
def test_every_payment_is_posted_exactly_once_under_faults(
    site: Site, tmp_path: Path, chunk: int
) -> None:
    totals: Counter[str] = Counter()
    for seed in range(chunk * SCHEDULES_PER_CHUNK, (chunk + 1) * SCHEDULES_PER_CHUNK):
        outcome = run_schedule(site, tmp_path, seed)
        totals.update(outcome["faults"])
        totals["requests"] += outcome["requests"]
        totals["payments"] += outcome["payments"]
        totals["schedules"] += 1
    report({"suite": "network_faults", "chunk": chunk, **totals})
    assert totals["payments"] > 0
    # the schedules did break things: drops after processing and late duplicates among them
    assert totals[Fault.DROP_RESPONSE.value] and totals[Fault.ERROR_500_AFTER.value], totals
