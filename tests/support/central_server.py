"""Start the REAL central server (`kiosk-central serve`) as a subprocess for tests and demos.

    from tests.support.central_server import start_central_server
    server = start_central_server(tmp_path)          # fresh SQLite file, init-db, seed-demo
    client = CentralClient(server.url, server.kiosk_id, server.secret, ...)
    server.accounts["residential_arrears"]           # fixed demo account numbers by role
    server.cards[0].card_no, server.cards[0].pin     # demo recharge cards
    server.credited_cash_fen("3100000001")           # read the server's database
    server.stop()

or the pytest fixtures ``central_server`` (fresh per test) and ``shared_central_server`` (one
per session): import them into a conftest.py with
``from tests.support.central_server import central_server, shared_central_server  # noqa: F401``.

PostgreSQL: ``postgres_schema(base_url)`` gives a URL whose search_path is a fresh schema and
drops it afterwards; pass it as ``db_url``.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from kiosk_demo.rig import CentralProcess

REPO = Path(__file__).resolve().parent.parent.parent
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class DemoCard:
    card_no: str
    pin: str
    face_fen: int


@dataclass
class CentralServer:
    url: str
    db_url: str
    kiosk_id: str
    secret: str
    accounts: dict[str, str]
    cards: list[DemoCard]
    process: subprocess.Popen[bytes]
    log_path: Path
    _engine: object = field(default=None, repr=False)

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after a few seconds) and close DB handles."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=STOP_TIMEOUT_S)
        if self.process.stdout is not None:
            self.process.stdout.close()
        engine = self._engine
        if engine is not None:
            engine.dispose()  # type: ignore[attr-defined]
            self._engine = None

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    # reads of the server's database, for reliability tests

    def _db(self):  # type: ignore[no-untyped-def]
        if self._engine is None:
            self._engine = create_engine(self.db_url)
        return self._engine

    def credited_cash_fen(self, account_no: str) -> int:
        """Sum of ledger credits of cash payments to this account (each payment counted once)."""
        query = text(
            "SELECT COALESCE(SUM(l.amount_fen), 0) FROM ledger_entries l "
            "JOIN payments p ON p.id = l.payment_id JOIN accounts a ON a.id = l.account_id "
            "WHERE a.account_no = :no AND l.kind = 'credit' AND p.method = 'cash'"
        )
        with self._db().connect() as conn:
            return int(conn.execute(query, {"no": account_no}).scalar_one())

    def payment_count(self, txn_id: str) -> int:
        """How many payments the server holds under this txn id (never more than one)."""
        with self._db().connect() as conn:
            query = text("SELECT COUNT(*) FROM payments WHERE txn_id = :txn")
            return int(conn.execute(query, {"txn": txn_id}).scalar_one())

    def credit_count(self, txn_id: str) -> int:
        """How many ledger credits exist for this txn id (exactly one once it is posted)."""
        query = text(
            "SELECT COUNT(*) FROM ledger_entries l JOIN payments p ON p.id = l.payment_id "
            "WHERE p.txn_id = :txn AND l.kind = 'credit'"
        )
        with self._db().connect() as conn:
            return int(conn.execute(query, {"txn": txn_id}).scalar_one())

    def balance_fen(self, account_no: str) -> int:
        with self._db().connect() as conn:
            query = text("SELECT balance_fen FROM accounts WHERE account_no = :no")
            return int(conn.execute(query, {"no": account_no}).scalar_one())

    def admin(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run a `kiosk-central` admin command against this server's database."""
        return run_admin(*args, "--db", self.db_url)


def run_admin(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "central.cli", *args]
    result = subprocess.run(
        command, cwd=REPO, capture_output=True, text=True, timeout=120, env=_env(), check=False
    )
    if check and result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(args)} failed ({result.returncode}): {result.stderr[-2000:]}"
        )
    return result


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("CENTRAL_DATABASE_URL", None)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def start_central_server(
    workdir: Path, *, db_url: str | None = None, extra_args: tuple[str, ...] = ()
) -> CentralServer:
    """init-db, seed-demo, then serve on a free 127.0.0.1 port; returns once it answers."""
    workdir.mkdir(parents=True, exist_ok=True)
    db_url = db_url or f"sqlite:///{workdir / 'central.db'}"
    run_admin("init-db", "--db", db_url)
    seeded = [
        json.loads(line) for line in run_admin("seed-demo", "--db", db_url).stdout.splitlines()
    ]
    kiosk = next(line for line in seeded if "kiosk_id" in line)
    accounts = {line["role"]: line["account_no"] for line in seeded if "role" in line}
    cards = [DemoCard(c["card_no"], c["pin"], c["face_fen"]) for c in seeded if "card_no" in c]
    log_path = workdir / "central-server.log"
    # The same child process the demo runs (kiosk_demo.rig), so both start it one way.
    central = CentralProcess.start(db_url, log_path, extra_args)
    return CentralServer(
        central.url,
        db_url,
        kiosk["kiosk_id"],
        kiosk["secret"],
        accounts,
        cards,
        central.process,
        log_path,
    )


@contextlib.contextmanager
def postgres_schema(base_url: str) -> Iterator[str]:
    """A URL on a fresh PostgreSQL schema (its search_path); the schema is dropped afterwards."""
    schema = f"t_{secrets.token_hex(6)}"
    admin = create_engine(base_url)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        separator = "&" if "?" in base_url else "?"
        yield f"{base_url}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def central_server(tmp_path: Path) -> Iterator[CentralServer]:
    """A fresh server (its own SQLite file) for one test."""
    server = start_central_server(tmp_path / "central")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def shared_central_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CentralServer]:
    """One server for the whole session: use fresh txn ids; demo cards are used only once."""
    server = start_central_server(tmp_path_factory.mktemp("central"))
    try:
        yield server
    finally:
        server.stop()
