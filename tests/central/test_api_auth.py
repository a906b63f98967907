"""Request signing: every refusal is 401 {"error": "unauthorized", "reason": ...}.

An unsigned or wrongly signed caller learns only ``bad_signature`` (or ``clock_skew`` with
the server's time, which every Date header tells anyway); ``kiosk_disabled`` and
``reused_nonce`` only once the signature verifies.
"""

from __future__ import annotations

import logging
import secrets
import time
from datetime import datetime

import pytest
from sqlalchemy import insert, select

from central import seed
from central.schema import kiosks, nonces
from kiosk.central_client import CentralUnauthorized
from tests.central.conftest import Live
from tests.central.wire_helpers import send

UNAUTHORIZED = {"error": "unauthorized", "reason": "bad_signature"}


def _refused(response, reason: str = "bad_signature") -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 401, response.text
    assert response.json() == {**UNAUTHORIZED, "reason": reason}


def test_a_signed_request_passes(live: Live) -> None:
    assert send(live.url, "GET", "/v1/ping").status_code == 200


def test_missing_headers(live: Live) -> None:
    _refused(send(live.url, "GET", "/v1/ping", sign=False))
    for dropped in ("X-Kiosk-Id", "X-Timestamp", "X-Nonce", "X-Signature"):
        from kiosk.signing import signed_headers

        headers = signed_headers(seed.DEMO_KIOSK_ID, seed.DEMO_KIOSK_SECRET, "GET", "/v1/ping", b"")
        headers.pop(dropped)
        _refused(send(live.url, "GET", "/v1/ping", sign=False, headers=headers))


def test_wrong_secret(live: Live) -> None:
    _refused(send(live.url, "GET", "/v1/ping", secret="not-the-secret-at-all"))
    with pytest.raises(CentralUnauthorized):
        live.client(secret="not-the-secret-at-all").ping()


def test_tampered_body_path_and_query(live: Live) -> None:
    from kiosk.signing import signed_headers

    body = live.cash(live.txn(), "3100000001", {100: 1})
    import json

    signed_for = json.dumps(body).encode()
    headers = signed_headers(
        seed.DEMO_KIOSK_ID, seed.DEMO_KIOSK_SECRET, "POST", "/v1/payments", signed_for
    )
    headers["Idempotency-Key"] = body["txn_id"]
    tampered = signed_for.replace(b'"amount_fen": 100', b'"amount_fen": 900')
    _refused(send(live.url, "POST", "/v1/payments", tampered, sign=False, headers=headers))
    headers = signed_headers(
        seed.DEMO_KIOSK_ID, seed.DEMO_KIOSK_SECRET, "GET", "/v1/accounts/3100000001", b""
    )
    _refused(send(live.url, "GET", "/v1/accounts/3100000002", sign=False, headers=headers))
    _refused(send(live.url, "GET", "/v1/accounts/3100000001?x=1", sign=False, headers=headers))
    headers = signed_headers(seed.DEMO_KIOSK_ID, seed.DEMO_KIOSK_SECRET, "POST", "/v1/ping", b"")
    _refused(send(live.url, "GET", "/v1/ping", sign=False, headers=headers))  # method is signed


def test_query_string_is_part_of_the_signature(live: Live) -> None:
    assert send(live.url, "GET", "/v1/ping?probe=1").status_code == 200


# 30 s either side of the 300 s limit: a request that waits for a loaded server ages by the
# wait (one second was not enough margin: +301 s arrived as +299 s once).
@pytest.mark.parametrize(
    ("offset", "accepted"), [(-330, False), (-270, True), (270, True), (330, False)]
)
def test_clock_skew_over_300_s_is_refused(live: Live, offset: int, accepted: bool) -> None:
    response = send(live.url, "GET", "/v1/ping", now=time.time() + offset)
    if accepted:
        assert response.status_code == 200, response.text
        return
    assert response.status_code == 401
    answer = response.json()
    assert answer["error"] == "unauthorized"
    assert answer["reason"] == "clock_skew"
    assert answer["max_skew_s"] == live.central.config.payments.clock_skew_s
    server_time = datetime.fromisoformat(answer["server_time"]).timestamp()
    assert abs(server_time - time.time()) < 60
    assert "Date" in response.headers


@pytest.mark.parametrize("offset", [-3600, 3600])
def test_the_kiosk_client_signs_again_with_the_servers_time(live: Live, offset: int) -> None:
    client = live.client(clock=lambda: time.time() + offset)
    assert client.ping() > 0  # refused for clock skew once, then signed with the server's time
    assert client.clock.offset_s is not None
    assert abs(client.clock.offset_s + offset) < 5


def test_a_reused_nonce_is_refused(live: Live) -> None:
    nonce = secrets.token_hex(16)
    assert send(live.url, "GET", "/v1/ping", nonce=nonce).status_code == 200
    _refused(send(live.url, "GET", "/v1/ping", nonce=nonce), "reused_nonce")
    # Also when the second request is otherwise different and correctly signed.
    _refused(send(live.url, "GET", "/v1/ping?other=1", nonce=nonce), "reused_nonce")


@pytest.mark.parametrize("nonce", ["short", "z" * 32, "a" * 65])
def test_malformed_nonces_are_refused(live: Live, nonce: str) -> None:
    _refused(send(live.url, "GET", "/v1/ping", nonce=nonce))


def test_unknown_and_disabled_kiosks_are_refused(live: Live) -> None:
    _refused(send(live.url, "GET", "/v1/ping", kiosk_id="K9999"))
    client = live.kiosk("K-DISABLED")
    assert client.ping() > 0
    from central import kiosks as registry

    registry.set_enabled(live.engine, "K-DISABLED", False)
    with pytest.raises(CentralUnauthorized) as caught:
        client.ping()
    assert caught.value.reason == "kiosk_disabled"
    # Without the secret, a disabled kiosk looks like any wrong signature.
    _refused(
        send(live.url, "GET", "/v1/ping", kiosk_id="K-DISABLED", secret="wrong-secret-wrong-secret")
    )
    registry.set_enabled(live.engine, "K-DISABLED", True)
    assert client.ping() > 0


def test_secrets_are_sealed_at_rest_and_never_logged(
    live: Live, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = live.kiosk("K-SEALED")
    secret = live.kiosk_secrets["K-SEALED"]
    client.ping()
    send(live.url, "GET", "/v1/ping", kiosk_id="K-SEALED", secret="wrong-secret-wrong-secret")
    with live.engine.connect() as conn:
        stored = conn.execute(
            select(kiosks.c.secret_sealed).where(kiosks.c.kiosk_id == "K-SEALED")
        ).scalar_one()
    assert secret not in stored
    assert secret.encode().hex() not in stored
    assert all(secret not in record.getMessage() for record in caplog.records)
    assert any("bad signature" in record.getMessage() for record in caplog.records)


def test_old_nonces_expire(live: Live) -> None:
    old = int(time.time()) - 3 * live.central.config.payments.clock_skew_s
    with live.engine.begin() as conn:
        conn.execute(insert(nonces).values(kiosk_id="K0001", nonce="0" * 32, seen_at=old))
    live.central.next_housekeeping_s = 0
    assert send(live.url, "GET", "/v1/ping").status_code == 200
    with live.engine.connect() as conn:
        assert conn.execute(select(nonces).where(nonces.c.nonce == "0" * 32)).first() is None
        assert conn.execute(select(nonces)).first() is not None  # fresh ones stay


def test_unknown_routes_and_methods_answer_json(live: Live) -> None:
    missing = send(live.url, "GET", "/v1/nothing-here")
    assert (missing.status_code, missing.json()) == (404, {"error": "not_found"})
    wrong = send(live.url, "DELETE", "/v1/payments")
    assert (wrong.status_code, wrong.json()) == (405, {"error": "method_not_allowed"})


def test_an_unsigned_malformed_payment_is_401_not_400(live: Live) -> None:
    _refused(
        send(
            live.url,
            "POST",
            "/v1/payments",
            b"{",
            sign=False,
            headers={"Idempotency-Key": "K0001-1"},
        )
    )
    _refused(send(live.url, "POST", "/v1/payments", b"{", secret="wrong-secret-wrong-secret"))


def test_a_refused_payment_still_uses_up_its_nonce(live: Live) -> None:
    body = live.cash(live.txn(), "3199999999", {100: 1})  # unknown account: 404
    nonce = secrets.token_hex(16)
    headers = {"Idempotency-Key": body["txn_id"]}
    first = send(live.url, "POST", "/v1/payments", body, headers=headers, nonce=nonce)
    assert first.status_code == 404
    _refused(
        send(live.url, "POST", "/v1/payments", body, headers=headers, nonce=nonce), "reused_nonce"
    )


def test_a_replayed_wrong_pin_is_refused_and_not_counted(live: Live) -> None:
    from tests.central.test_api_payments import _card, _card_body, _fresh_card_no

    card_no = _card(live, _fresh_card_no(), 10000)
    body = _card_body(live, live.account(), card_no, "000000", 10000)
    nonce = secrets.token_hex(16)
    headers = {"Idempotency-Key": body["txn_id"]}
    first = send(live.url, "POST", "/v1/payments", body, headers=headers, nonce=nonce)
    assert (first.status_code, first.json()["attempts_left"]) == (403, 4)
    _refused(
        send(live.url, "POST", "/v1/payments", body, headers=headers, nonce=nonce), "reused_nonce"
    )
    again = send(live.url, "POST", "/v1/payments", body, headers=headers)
    assert again.json()["attempts_left"] == 3
