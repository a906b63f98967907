"""tests/support/central_server.py: the real server as a subprocess, for the other suites."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

from kiosk.central_client import CentralClient
from kiosk.signing import signed_headers
from tests.support.central_server import (
    CentralServer,
    postgres_schema,
    run_admin,
    start_central_server,
)


def _exercise(server: CentralServer) -> None:
    assert set(server.accounts) >= {
        "residential_arrears",
        "residential_paid_up",
        "non_residential",
        "prior_year",
        "unknown",
    }
    assert server.cards
    assert all(c.pin.isdigit() and c.face_fen > 0 for c in server.cards)
    number = server.accounts["residential_paid_up"]
    before = server.credited_cash_fen(number)
    with CentralClient(
        server.url, server.kiosk_id, server.secret, connect_timeout_s=5, read_timeout_s=30
    ) as client:
        body = {
            "txn_id": "K0001-70000001",
            "account_no": number,
            "amount_fen": 5000,
            "method": "cash",
            "cash": {"5000": 1},
            "created_at": datetime.now(UTC).isoformat(),
        }
        client.post_payment(body)
        client.post_payment(body)
    assert server.payment_count("K0001-70000001") == 1
    assert server.credit_count("K0001-70000001") == 1
    assert server.credited_cash_fen(number) == before + 5000
    assert server.balance_fen(number) >= 5000


def test_fresh_sqlite_server_per_test(central_server: CentralServer) -> None:
    _exercise(central_server)
    assert central_server.db_url.startswith("sqlite:///")


def test_stop_ends_the_process(tmp_path: Path) -> None:
    server = start_central_server(tmp_path)
    url = server.url
    server.stop()
    assert server.process.returncode is not None
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/healthz", timeout=2)


def test_on_postgresql(postgres_url: str, tmp_path: Path) -> None:
    with postgres_schema(postgres_url) as url:
        server = start_central_server(tmp_path, db_url=url)
        try:
            _exercise(server)
        finally:
            server.stop()


def test_several_workers_share_one_postgresql_database(postgres_url: str, tmp_path: Path) -> None:
    """Two worker processes behind one port behave as one: nonces and keys are in the DB."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with postgres_schema(postgres_url) as url:
        run_admin("init-db", "--db", url)
        run_admin("seed-demo", "--db", url)
        server = start_central_server(
            tmp_path, db_url=url, extra_args=("--workers", "2", "--port", str(port))
        )
        try:
            _exercise(server)
            # One signed request replayed on fresh connections (spread over the workers):
            # the nonce table in the database lets exactly one through.
            headers = signed_headers(server.kiosk_id, server.secret, "GET", "/v1/ping", b"")
            statuses = [
                requests.get(
                    f"{server.url}/v1/ping", headers={**headers, "Connection": "close"}, timeout=10
                ).status_code
                for _ in range(8)
            ]
            assert sorted(statuses) == [200] + [401] * 7
        finally:
            server.stop()


def test_multiple_workers_need_a_fixed_port(tmp_path: Path) -> None:
    result = run_admin(
        "serve",
        "--db",
        f"sqlite:///{tmp_path / 'x.db'}",
        "--port",
        "0",
        "--workers",
        "2",
        check=False,
    )
    assert result.returncode == 1
    assert "fixed --port" in result.stderr
