"""The outbox when the kiosk's clock is wrong or its credentials are refused, against the real
server: a skewed clock corrects itself, a fast clock's stamps are restamped once, and a wrong
secret or a disabled kiosk parks the outbox (items kept, no more posts) with a reason."""

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kiosk.central_client import CentralClient
from kiosk.journal import Journal
from kiosk.outbox import PARKED_WAIT_S, Outbox, OutboxResult
from kiosk.settings import load_restamps
from tests.kiosk.test_outbox import queue_payment, settings
from tests.support.central_server import shared_central_server  # noqa: F401
from tests.support.kiosk_stack import new_kiosk


class CountingClient(CentralClient):
    """The real client, counting the requests it sends (what the server sees)."""

    requests = 0

    def _call_once(self, *args: Any, **kwargs: Any) -> tuple[int, object]:
        self.requests += 1
        return super()._call_once(*args, **kwargs)


def _client(server, kiosk_id: str, secret: str, skew_s: float = 0.0) -> CountingClient:
    return CountingClient(
        server.url,
        kiosk_id,
        secret,
        connect_timeout_s=2,
        read_timeout_s=5,
        clock=lambda: time.time() + skew_s,
    )


def _queue_stamped(journal: Journal, txn: str, account: str, skew_s: float) -> None:
    """A payment taken while the kiosk's clock was ``skew_s`` off, before it heard the server."""
    queue_payment(journal, txn, account, {"1000": 1})
    stamp = (datetime.now(UTC) + timedelta(seconds=skew_s)).isoformat()
    journal.write_state(
        lambda c: c.exec_driver_sql(
            "UPDATE outbox SET body = json_set(body, '$.created_at', ?) WHERE item_id = ?",
            (stamp, txn),
        )
    )


@pytest.mark.parametrize("skew_s", [-3600.0, 3600.0])
def test_a_skewed_clock_posts_and_a_fast_clocks_stamps_are_restamped_once(
    tmp_path,
    shared_central_server,  # noqa: F811
    skew_s: float,
) -> None:
    kiosk_id, secret = new_kiosk(shared_central_server)
    client = _client(shared_central_server, kiosk_id, secret, skew_s)
    journal = Journal(tmp_path / "journal.db")
    account = shared_central_server.accounts["residential_paid_up"]
    txns = [f"{kiosk_id}-{n:08d}" for n in range(1, 4)]
    for txn in txns:
        _queue_stamped(journal, txn, account, skew_s)
    results: list[OutboxResult] = []
    outbox = Outbox(journal, client, settings(), on_result=results.append)
    assert outbox.drain_once() == 30.0  # all posted in this one round: idle
    assert outbox.backlog().count == 0
    for txn in txns:
        assert shared_central_server.payment_count(txn) == 1
    assert client.clock.offset_s is not None
    assert abs(client.clock.offset_s + skew_s) < 5
    restamps = load_restamps(journal)
    if skew_s > 0:  # stamped an hour ahead: the server refused them once, restamped
        assert sorted(restamps) == txns
        for stamp in restamps.values():
            assert abs(datetime.fromisoformat(stamp).timestamp() - time.time()) < 60
        audits = [e for e in journal.events(kinds=("audit",)) if e.txn_id in txns]
        assert {e.payload["action"] for e in audits} == {"outbox_restamp"}
        # refused once (batch), posted once: a handful of requests, not one per retry
        assert client.requests <= 4
    else:  # an hour behind is in the past: accepted as stamped
        assert restamps == {}
        assert client.requests <= 3
    assert not journal.events(kinds=("needs_attention",))
    journal.close()
    client.close()


def test_a_wrong_secret_parks_the_outbox_with_a_reason_and_keeps_the_items(
    tmp_path,
    shared_central_server,  # noqa: F811
) -> None:
    kiosk_id, secret = new_kiosk(shared_central_server)
    wrong = _client(shared_central_server, kiosk_id, "not-the-secret-" * 2)
    journal = Journal(tmp_path / "journal.db")
    account = shared_central_server.accounts["residential_paid_up"]
    txn = f"{kiosk_id}-00000001"
    queue_payment(journal, txn, account, {"1000": 1})
    results: list[OutboxResult] = []
    outbox = Outbox(journal, wrong, settings(), on_result=results.append)
    assert outbox.drain_once() == PARKED_WAIT_S
    assert outbox.auth_block is not None
    assert outbox.auth_block.reason == "bad_signature"
    assert "central.secret" in (outbox.last_error or "")
    assert results[-1].auth_refused == "bad_signature"
    assert results[-1].reachable
    sent = wrong.requests
    assert sent == 1  # the server gave a reason that is not the clock: not signed again
    for _ in range(5):  # new work, more rounds: no more requests while parked
        outbox.wake()
        assert outbox.drain_once() == PARKED_WAIT_S
    assert wrong.requests == sent
    assert outbox.backlog().count == 1  # kept, not parked as needs_attention
    assert not journal.events(kinds=("needs_attention",))
    outbox.retry_now()  # a technician's retry: exactly one more try, parked again
    assert outbox.drain_once() == PARKED_WAIT_S
    assert wrong.requests == sent + 1
    journal.close()
    wrong.close()
    # The secret fixed and the kiosk restarted: the same journal posts.
    journal = Journal(tmp_path / "journal.db")
    right = _client(shared_central_server, kiosk_id, secret)
    outbox = Outbox(journal, right, settings())
    outbox.drain_once()
    assert outbox.backlog().count == 0
    assert shared_central_server.payment_count(txn) == 1
    journal.close()
    right.close()


def test_a_disabled_kiosk_parks_until_a_signed_call_gets_through(
    tmp_path,
    shared_central_server,  # noqa: F811
) -> None:
    kiosk_id, secret = new_kiosk(shared_central_server)
    client = _client(shared_central_server, kiosk_id, secret)
    journal = Journal(tmp_path / "journal.db")
    txn = f"{kiosk_id}-00000001"
    queue_payment(journal, txn, shared_central_server.accounts["residential_paid_up"], {"1000": 1})
    outbox = Outbox(journal, client, settings())
    shared_central_server.admin("disable-kiosk", kiosk_id)
    try:
        assert outbox.drain_once() == PARKED_WAIT_S
        assert outbox.auth_block is not None
        assert outbox.auth_block.reason == "kiosk_disabled"
    finally:
        shared_central_server.admin("enable-kiosk", kiosk_id)
    assert client.ping() > 0  # e.g. the engine's heartbeat
    outbox.credentials_accepted()
    assert outbox.auth_block is None
    outbox.drain_once()
    assert shared_central_server.payment_count(txn) == 1
    journal.close()
    client.close()
