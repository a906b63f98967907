"""Heartbeat, collections, resolutions and ping."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from central.schema import heartbeats, payments
from kiosk.central_client import CentralRejected
from tests.central.conftest import Live
from tests.central.wire_helpers import send


def test_ping_is_signed_and_returns_a_latency(live: Live) -> None:
    latency = live.client().ping()
    assert 0 < latency < 60
    assert send(live.url, "GET", "/v1/ping", sign=False).status_code == 401


def test_heartbeat_keeps_the_newest_report_per_kiosk(live: Live) -> None:
    client = live.kiosk("HB-1")
    body = {
        "version": "0.1.0",
        "devices": {"cash": "ok", "printer": "paper_near_end"},
        "cashbox": {"notes": 12, "total_fen": 56000},
        "outbox_pending": 3,
        "oldest_unposted_at": datetime.now(UTC).isoformat(),
    }
    answer = client.heartbeat(body)
    assert answer.commands == ()
    assert abs((answer.server_time - datetime.now(UTC)).total_seconds()) < 60
    client.heartbeat(dict(body, outbox_pending=0, oldest_unposted_at=None))
    with live.engine.connect() as conn:
        rows = conn.execute(select(heartbeats).where(heartbeats.c.kiosk_id == "HB-1")).all()
    assert len(rows) == 1
    assert rows[0].outbox_pending == 0
    assert json.loads(rows[0].body)["devices"]["printer"] == "paper_near_end"


def test_a_heartbeat_carries_the_kiosks_clock_and_data_disk(live: Live) -> None:
    """What the engine sends besides the required fields (docs/wire-format.md), all optional."""
    body = {"version": "1", "devices": {}, "cashbox": {}, "outbox_pending": 0}
    client = live.kiosk("HB-2")
    client.heartbeat(body | {"clock_offset_s": 3600, "journal_fault": None, "data_disk_free_mb": 9})
    client.heartbeat(body | {"journal_fault": "data disk full", "data_disk_free_mb": None})
    with live.engine.connect() as conn:
        row = conn.execute(select(heartbeats).where(heartbeats.c.kiosk_id == "HB-2")).one()
    assert json.loads(row.body)["journal_fault"] == "data disk full"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"outbox_pending": -1}, "outbox_pending"),
        ({"devices": []}, "devices"),
        ({"version": ""}, "version"),
        ({"extra": 1}, "extra"),
        ({"oldest_unposted_at": "soon"}, "oldest_unposted_at"),
        ({"data_disk_free_mb": -1}, "data_disk_free_mb"),
        ({"journal_fault": 3}, "journal_fault"),
    ],
)
def test_bad_heartbeats_are_400(live: Live, change: dict[str, Any], field: str) -> None:
    body = {"version": "1", "devices": {}, "cashbox": {}, "outbox_pending": 0} | change
    with pytest.raises(CentralRejected) as caught:
        live.client().heartbeat(body)
    assert (caught.value.status, caught.value.detail["field"]) == (400, field)


def _collection(collection_id: str, **change: Any) -> dict[str, Any]:
    return {
        "collection_id": collection_id,
        "counts": {"10000": 3, "5000": 1},
        "journal_total_fen": 35000,
        "device_total_fen": 35000,
        "physical_total_fen": 35000,
        "technician": "T07",
        "at": datetime.now(UTC).isoformat(),
        **change,
    }


def test_collections_are_recorded_once(live: Live) -> None:
    client = live.client()
    collection_id = f"C-{live.txn()}"
    body = _collection(collection_id, physical_total_fen=30000)
    first = client.post_collection(body)
    assert first["status"] == "recorded"
    assert first["difference_fen"] == -5000
    assert first["counted_total_fen"] == 35000
    assert client.post_collection(body) == first
    response = send(live.url, "POST", "/v1/collections", body)
    assert response.status_code == 200
    with pytest.raises(CentralRejected) as caught:
        client.post_collection(dict(body, technician="T08"))
    assert (caught.value.status, caught.value.code) == (422, "idempotency_key_reused")
    fresh = send(live.url, "POST", "/v1/collections", _collection(f"C-{live.txn()}"))
    assert fresh.status_code == 201


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"counts": {"300": 1}}, "counts.300"),
        ({"counts": {"10000": -1}}, "counts.10000"),
        ({"physical_total_fen": 1.5}, "physical_total_fen"),
        ({"technician": "x" * 65}, "technician"),
        ({"at": "2026-01-01T00:00:00"}, "at"),
        ({"technician": None}, "technician"),
    ],
)
def test_bad_collections_are_400(live: Live, change: dict[str, Any], field: str) -> None:
    response = send(live.url, "POST", "/v1/collections", _collection("C-bad", **change))
    assert (response.status_code, response.json()["field"]) == (400, field)


def test_collection_id_must_be_a_plain_token(live: Live) -> None:
    response = send(live.url, "POST", "/v1/collections", _collection("a b"))
    assert (response.status_code, response.json()["field"]) == (400, "collection_id")


def _resolution(txn: str, account: str, outcome: str, **change: Any) -> dict[str, Any]:
    return {
        "txn_id": txn,
        "account_no": account,
        "amount_fen": 5000,
        "cash": {"5000": 1},
        "outcome": outcome,
        "reason": "stack decision with no outcome; note found in the cassette",
        "technician": "T07",
        "at": datetime.now(UTC).isoformat(),
        **change,
    }


def test_credited_resolution_credits_once_even_when_the_outbox_posts_later(
    live: Live, today
) -> None:
    number = live.account(bills_=[("2026-01", 3000, today + timedelta(days=2))])
    client = live.client()
    txn = live.txn()
    body = _resolution(txn, number, "credited")
    resolved = client.post_resolution(body)
    assert resolved["already_posted"] is False
    assert resolved["status"] == "recorded"
    payment = resolved["payment"]
    assert isinstance(payment, dict)
    assert payment["credited_to_balance_fen"] == 2000
    assert client.post_resolution(body) == resolved  # a retry replays
    posted = client.post_payment(live.cash(txn, number, {5000: 1}))
    assert posted.replayed
    assert posted.server_ref == payment["server_ref"]
    with live.engine.connect() as conn:
        assert len(conn.execute(select(payments.c.id).where(payments.c.txn_id == txn)).all()) == 1
    assert client.get_account(number).balance_fen == 2000


def test_resolution_after_the_payment_was_posted_does_not_credit_again(live: Live) -> None:
    number = live.account()
    client = live.client()
    txn = live.txn()
    posted = client.post_payment(live.cash(txn, number, {5000: 1}))
    resolved = client.post_resolution(_resolution(txn, number, "credited"))
    assert resolved["already_posted"] is True
    assert isinstance(resolved["payment"], dict)
    assert resolved["payment"]["server_ref"] == posted.server_ref
    assert client.get_account(number).balance_fen == 5000


def test_not_received_is_only_recorded_and_replays(live: Live) -> None:
    number = live.account()
    client = live.client()
    txn = live.txn()
    body = _resolution(txn, number, "not_received")
    first = client.post_resolution(body)
    assert first["payment"] is None
    assert first["already_posted"] is False
    assert client.post_resolution(body) == first
    with pytest.raises(CentralRejected) as caught:
        client.post_resolution(dict(body, outcome="credited"))
    assert (caught.value.status, caught.value.code) == (422, "idempotency_key_reused")
    assert client.get_account(number).balance_fen == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"outcome": "maybe"}, "outcome"),
        ({"cash": {"5000": 2}}, "cash"),
        ({"reason": ""}, "reason"),
        ({"txn_id": "K0002-00000001"}, "txn_id"),
        ({"amount_fen": 5000.0}, "amount_fen"),
    ],
)
def test_bad_resolutions_are_400(live: Live, change: dict[str, Any], field: str) -> None:
    body = _resolution(live.txn(), "3100000001", "credited") | change
    response = send(
        live.url, "POST", "/v1/resolutions", body, headers={"Idempotency-Key": body["txn_id"]}
    )
    assert (response.status_code, response.json()["field"]) == (400, field)


def test_resolution_needs_its_txn_id_as_idempotency_key(live: Live) -> None:
    body = _resolution(live.txn(), "3100000001", "not_received")
    response = send(
        live.url, "POST", "/v1/resolutions", body, headers={"Idempotency-Key": "K0001-1"}
    )
    assert response.status_code == 400
    assert response.json()["field"] == "Idempotency-Key"
