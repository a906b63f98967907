"""Concurrency: the database, not the process, decides (run on PostgreSQL and SQLite)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import func, select

from central.schema import LedgerKind, ledger_entries, payments
from kiosk.central_answers import PaymentAnswer
from kiosk.central_client import CentralClient, CentralRejected
from tests.central.conftest import Live

CALLERS = 50


def _concurrently(count: int, call) -> list[object]:  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(count)

    def run(index: int) -> object:
        barrier.wait(timeout=60)
        try:
            return call(index)
        except CentralRejected as exc:
            return exc

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def test_50_concurrent_posts_of_one_txn_make_one_payment_and_one_credit(live: Live, today) -> None:
    number = live.account(bills_=[("2026-01", 12345, today - timedelta(days=7))])
    body = live.cash(live.txn(), number, {10000: 2})
    clients = [live.client() for _ in range(CALLERS)]

    results = _concurrently(CALLERS, lambda i: clients[i].post_payment(body))

    answers = [r for r in results if isinstance(r, PaymentAnswer)]
    refused = [r for r in results if isinstance(r, CentralRejected)]
    assert len(answers) + len(refused) == CALLERS
    assert all((r.status, r.code) == (409, "in_progress") for r in refused)
    assert sum(not a.replayed for a in answers) <= 1
    first = {**answers[0].__dict__, "replayed": None}
    assert all({**a.__dict__, "replayed": None} == first for a in answers)
    with live.engine.connect() as conn:
        rows = conn.execute(select(payments.c.id).where(payments.c.txn_id == body["txn_id"])).all()
        credits = conn.execute(
            select(func.count(), func.sum(ledger_entries.c.amount_fen)).where(
                ledger_entries.c.payment_id == rows[0].id,
                ledger_entries.c.kind == LedgerKind.CREDIT.value,
            )
        ).one()
    assert len(rows) == 1
    assert tuple(credits) == (1, 20000)
    # A late retry still gets the same answer.
    late = clients[0].post_payment(body)
    assert {**late.__dict__, "replayed": None} == first


def test_concurrent_payments_to_one_account_lose_no_update(live: Live, today) -> None:
    number = live.account(bills_=[("2026-01", 1500, today + timedelta(days=3))])
    callers = 20
    clients: list[CentralClient] = [live.client() for _ in range(callers)]
    bodies = [live.cash(live.txn(), number, {100: 1}) for _ in range(callers)]

    results = _concurrently(callers, lambda i: clients[i].post_payment(bodies[i]))

    assert all(isinstance(r, PaymentAnswer) and not r.replayed for r in results), results
    account = clients[0].get_account(number)
    assert account.bills == ()  # 15 payments paid the bill ...
    assert account.balance_fen == 500  # ... and 5 went to the balance: nothing lost or doubled
