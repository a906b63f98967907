"""Central server fixtures: a real uvicorn server in a thread on a real database.

``backend`` runs a test on SQLite and, when KIOSK_TEST_DATABASE_URL is set, on PostgreSQL
(a fresh schema per module, dropped afterwards). ``live`` is one server per module and
backend, seeded with the demo data; tests make their own accounts (``live.account(...)``) and
txn ids (``live.txn()``) so they do not depend on each other.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import Engine, insert

from central import kiosks, migrate, seed
from central.app import create_app
from central.config import CentralConfig, load
from central.context import Central
from central.db import make_engine
from central.schema import Category, accounts, bills, utcnow
from kiosk.central_client import CentralClient
from tests.support.central_server import central_server, postgres_schema, shared_central_server  # noqa: F401

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
_numbers = itertools.count(int(datetime.now(UTC).timestamp()) % 10_000_000 * 100)


def make_config(db_url: str, **payments: Any) -> CentralConfig:
    config = load(env={}).with_server(database_url=db_url, host="127.0.0.1", port=0)
    if payments:
        config = config.model_copy(update={"payments": config.payments.model_copy(update=payments)})
    return config


@pytest.fixture(scope="module", params=BACKENDS)
def backend_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('central') / 'central.db'}"
        return
    url = os.environ.get("KIOSK_TEST_DATABASE_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("CI must set KIOSK_TEST_DATABASE_URL (.ci/run does)")
        pytest.skip("KIOSK_TEST_DATABASE_URL is not set")
    with postgres_schema(url) as schema_url:
        yield schema_url


@pytest.fixture(params=BACKENDS)
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database for each test (a migration's), on SQLite and PostgreSQL when set."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'central.db'}"
        return
    url = os.environ.get("KIOSK_TEST_DATABASE_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("CI must set KIOSK_TEST_DATABASE_URL (.ci/run does)")
        pytest.skip("KIOSK_TEST_DATABASE_URL is not set")
    with postgres_schema(url) as schema_url:
        yield schema_url


@dataclass
class Live:
    url: str
    central: Central
    clients: list[CentralClient] = field(default_factory=list)
    kiosk_secrets: dict[str, str] = field(default_factory=dict)

    @property
    def engine(self) -> Engine:
        return self.central.engine

    def client(
        self,
        kiosk_id: str = seed.DEMO_KIOSK_ID,
        secret: str = seed.DEMO_KIOSK_SECRET,
        **kwargs: Any,
    ) -> CentralClient:
        client = CentralClient(
            self.url, kiosk_id, secret, connect_timeout_s=5, read_timeout_s=30, **kwargs
        )
        self.clients.append(client)
        return client

    def kiosk(self, kiosk_id: str) -> CentralClient:
        """A newly registered kiosk and its client."""
        secret = kiosks.add(
            self.engine, self.central.config.server.secret_key, kiosk_id, replace=True
        )
        self.kiosk_secrets[kiosk_id] = secret
        return self.client(kiosk_id, secret)

    def account(
        self,
        *,
        category: Category = Category.RESIDENTIAL,
        bills_: list[tuple[str, int, date]] | None = None,
        balance_fen: int = 0,
        holder: str = "王小明",
    ) -> str:
        """A fresh account with bills (period, amount_fen, due_date); returns its number."""
        number = f"{next(_numbers):010d}"
        with self.engine.begin() as conn:
            account_id = conn.execute(
                insert(accounts)
                .values(
                    account_no=number,
                    holder=holder,
                    address="示范市城东区和平路12号3单元502室",
                    category=category.value,
                    balance_fen=balance_fen,
                    created_at=utcnow(),
                )
                .returning(accounts.c.id)
            ).scalar_one()
            for period, amount, due in bills_ or []:
                conn.execute(
                    insert(bills).values(
                        account_id=account_id,
                        period=period,
                        amount_fen=amount,
                        paid_fen=0,
                        due_date=due,
                        fee_carried_fen=0,
                        late_fee_paid_fen=0,
                    )
                )
        return number

    def txn(self, kiosk_id: str = seed.DEMO_KIOSK_ID) -> str:
        return f"{kiosk_id}-{next(_numbers) % 10**10:010d}"

    def cash(
        self, txn_id: str, account_no: str, notes: dict[int, int], **more: Any
    ) -> dict[str, Any]:
        """A cash payment body as the kiosk's outbox sends it."""
        return {
            "txn_id": txn_id,
            "account_no": account_no,
            "amount_fen": sum(d * n for d, n in notes.items()),
            "method": "cash",
            "cash": {str(d): n for d, n in notes.items()},
            "created_at": datetime.now(UTC).isoformat(),
            "offline": False,
            **more,
        }


@contextlib.contextmanager
def serving(config: CentralConfig) -> Iterator[Live]:
    """Serve ``config``'s database with uvicorn in a thread on a free loopback port."""
    app = create_app(config)
    central: Central = app.state.central
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    # Receipt links must point at this server.
    central.config = central.config.with_server(public_url=url, port=port)
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    live = Live(url, central)
    try:
        yield live
    finally:
        for client in live.clients:
            client.close()
        server.should_exit = True
        thread.join(timeout=20)
        sock.close()
        central.engine.dispose()


def prepare(db_url: str) -> None:
    """init-db and seed-demo, as the admin commands do."""
    engine = make_engine(db_url, pool_size=2)
    try:
        migrate.upgrade(engine)
        config = load(env={})
        seed.seed(
            engine,
            config.server.secret_key,
            Central(config, engine).today(),
            kiosk_id=seed.DEMO_KIOSK_ID,
            kiosk_secret=seed.DEMO_KIOSK_SECRET,
        )
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def live(backend_url: str) -> Iterator[Live]:
    prepare(backend_url)
    with serving(make_config(backend_url, lookup_rate_per_minute=100_000)) as server:
        yield server


@pytest.fixture
def today(live: Live) -> date:
    return live.central.today()
