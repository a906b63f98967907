"""The outbox against the real server: in order, batched, parked on a permanent refusal."""

import threading
from datetime import UTC, datetime

import pytest

from kiosk import config as kiosk_config
from kiosk.central_client import CentralClient
from kiosk.journal import Journal
from kiosk.outbox import Outbox, OutboxResult
from kiosk.projection import Kind
from tests.support.central_server import shared_central_server  # noqa: F401
from tests.support.kiosk_stack import new_kiosk


@pytest.fixture
def kiosk(shared_central_server):  # noqa: F811
    kiosk_id, secret = new_kiosk(shared_central_server)
    client = CentralClient(
        shared_central_server.url, kiosk_id, secret, connect_timeout_s=2, read_timeout_s=5
    )
    yield kiosk_id, client
    client.close()


def queue_payment(journal: Journal, txn: str, account: str, notes: dict[str, int]) -> None:
    total = sum(int(d) * n for d, n in notes.items())
    body = {
        "txn_id": txn,
        "account_no": account,
        "amount_fen": total,
        "method": "cash",
        "cash": notes,
        "created_at": datetime.now(UTC).isoformat(),
        "offline": False,
    }
    journal.append(
        Kind.OPENED, {"seq": int(txn[-8:]), "account_no": account, "method": "cash"}, txn_id=txn
    )
    journal.append(Kind.CLOSED, {"total_fen": total}, txn_id=txn)
    journal.append(
        Kind.QUEUED,
        {"item_id": txn, "endpoint": "payments", "amount_fen": total, "body": body},
        txn_id=txn,
    )


def settings():
    return kiosk_config.load(kiosk_config.DEFAULT_CONFIG, env={}).outbox


def test_backlog_is_drained_in_batches_and_a_refusal_is_parked(
    tmp_path,
    kiosk,
    shared_central_server,  # noqa: F811
) -> None:
    kiosk_id, client = kiosk
    journal = Journal(tmp_path / "journal.db")
    account = shared_central_server.accounts["residential_paid_up"]
    for n in range(1, 8):
        queue_payment(journal, f"{kiosk_id}-{n:08d}", account, {"1000": n})
    queue_payment(
        journal, f"{kiosk_id}-00000008", shared_central_server.accounts["unknown"], {"1000": 1}
    )
    results: list[OutboxResult] = []
    outbox = Outbox(journal, client, settings(), on_result=results.append)
    assert outbox.backlog().count == 8
    outbox.drain_once()
    assert outbox.backlog().count == 0
    for n in range(1, 8):
        assert shared_central_server.payment_count(f"{kiosk_id}-{n:08d}") == 1
    parked = journal.events(kinds=("needs_attention",))
    assert [e.txn_id for e in parked] == [f"{kiosk_id}-00000008"]
    assert parked[0].payload["code"] == "account_not_found"
    assert sum(1 for r in results if r.answer is not None) == 7
    # posting again changes nothing: every item is settled
    outbox.drain_once()
    assert shared_central_server.payment_count(f"{kiosk_id}-00000001") == 1
    journal.close()


def test_an_unreachable_server_keeps_items_pending_with_backoff(tmp_path, kiosk) -> None:
    kiosk_id, _ = kiosk
    client = CentralClient(
        "http://127.0.0.1:9", kiosk_id, "x" * 32, connect_timeout_s=0.5, read_timeout_s=0.5
    )
    journal = Journal(tmp_path / "journal.db")
    queue_payment(journal, f"{kiosk_id}-00000001", "3100000001", {"1000": 1})
    results: list[OutboxResult] = []
    outbox = Outbox(journal, client, settings(), on_result=results.append)
    delays = [outbox.drain_once() for _ in range(6)]
    assert outbox.backlog().count == 1
    assert results and not results[-1].reachable
    assert delays[-1] > delays[0]  # backs off
    assert all(d <= settings().backoff_max_s for d in delays)
    journal.close()
    client.close()


def test_wake_during_a_round_is_not_lost(tmp_path, kiosk, shared_central_server) -> None:  # noqa: F811
    kiosk_id, client = kiosk
    journal = Journal(tmp_path / "journal.db")
    posted = threading.Event()
    outbox = Outbox(
        journal, client, settings(), on_result=lambda r: r.answer is not None and posted.set()
    )
    outbox.start()
    try:
        queue_payment(
            journal,
            f"{kiosk_id}-00000001",
            shared_central_server.accounts["residential_paid_up"],
            {"1000": 1},
        )
        outbox.wake()
        assert posted.wait(15), "a woken outbox posts at once, not after its idle wait"
    finally:
        outbox.stop()
        journal.close()
