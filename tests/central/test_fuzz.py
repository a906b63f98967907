"""Hostile input: random JSON in every field of every body gets a 4xx naming it, never a 500."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.central.conftest import Live
from tests.central.wire_helpers import send

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)

FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _payment(live: Live) -> dict[str, Any]:
    return live.cash("K0001-00000077", "3100000001", {10000: 1})


BODIES = {
    "/v1/payments": _payment,
    "/v1/payments/batch": lambda live: {"payments": [_payment(live)]},
    "/v1/qr-orders": lambda _live: {
        "txn_id": "K0001-00000078",
        "account_no": "3100000001",
        "amount_fen": 100,
    },
    "/v1/heartbeat": lambda _live: {
        "version": "1",
        "devices": {},
        "cashbox": {},
        "outbox_pending": 0,
        "oldest_unposted_at": None,
    },
    "/v1/collections": lambda _live: {
        "collection_id": "C-fuzz",
        "counts": {"10000": 1},
        "journal_total_fen": 10000,
        "device_total_fen": 10000,
        "physical_total_fen": 10000,
        "technician": "T1",
        "at": "2026-01-01T00:00:00+08:00",
    },
    "/v1/resolutions": lambda _live: {
        "txn_id": "K0001-00000079",
        "account_no": "3100000001",
        "amount_fen": 100,
        "cash": {"100": 1},
        "outcome": "not_received",
        "reason": "fuzz",
        "technician": "T1",
        "at": "2026-01-01T00:00:00+08:00",
    },
}


def _check(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        answer = response.json()
        assert isinstance(answer.get("error"), str)
        if answer["error"] == "invalid_request":
            assert answer["field"]
            assert answer["message"]


@FUZZ
@given(path=st.sampled_from(sorted(BODIES)), key=st.text(max_size=10), value=json_values)
def test_a_random_value_in_any_field_is_a_4xx(
    live: Live, path: str, key: str, value: object
) -> None:
    body = BODIES[path](live)
    target = body["payments"][0] if path.endswith("batch") else body
    field = key if key and key[0] != "_" else sorted(target)[len(key) % len(target)]
    target[field] = value
    txn = target.get("txn_id")
    headers = {"Idempotency-Key": txn} if isinstance(txn, str) and txn.isascii() else {}
    _check(send(live.url, "POST", path, body, headers=headers))


@FUZZ
@given(path=st.sampled_from(sorted(BODIES)), body=json_values)
def test_any_json_body_is_a_4xx_or_accepted(live: Live, path: str, body: object) -> None:
    _check(send(live.url, "POST", path, json.dumps(body).encode()))


@FUZZ
@given(raw=st.binary(max_size=300))
def test_any_bytes_are_a_4xx(live: Live, raw: bytes) -> None:
    _check(send(live.url, "POST", "/v1/payments", raw, headers={"Idempotency-Key": "K0001-1"}))


@FUZZ
@given(
    account=st.text(max_size=40).filter(lambda s: "/" not in s and "?" not in s and "#" not in s)
)
def test_any_account_number_in_the_path_is_a_4xx_or_found(live: Live, account: str) -> None:
    from urllib.parse import quote

    path = f"/v1/accounts/{quote(account, safe='')}"
    if path == "/v1/accounts/":
        return
    _check(send(live.url, "GET", path))


def test_nul_characters_are_refused_not_stored(live: Live) -> None:
    # PostgreSQL text cannot hold NUL: such text must be a 400, not a database error.
    body = BODIES["/v1/collections"](live) | {"technician": "T\x001"}
    response = send(live.url, "POST", "/v1/collections", body)
    assert (response.status_code, response.json()["field"]) == (400, "technician")
    reason = BODIES["/v1/resolutions"](live) | {"reason": "a\x00b"}
    response = send(
        live.url, "POST", "/v1/resolutions", reason, headers={"Idempotency-Key": "K0001-00000079"}
    )
    assert (response.status_code, response.json()["field"]) == (400, "reason")
