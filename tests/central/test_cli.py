"""kiosk-central admin commands, run in-process through central.cli.main on a real database."""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from central import migrate
from central.cli import main
from central.db import make_engine
from central.schema import accounts, bills, cards, kiosks
from kiosk.central_client import CentralClient, CentralUnauthorized
from tests.central.conftest import make_config, serving
from tests.support.central_server import postgres_schema


@pytest.fixture
def db(backend_url: str, tmp_path: Path) -> Iterator[str]:
    """A fresh database per test: a SQLite file, or a PostgreSQL schema of its own."""
    if backend_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'admin.db'}"
        return
    with postgres_schema(os.environ["KIOSK_TEST_DATABASE_URL"]) as url:
        yield url


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict[str, object]], str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines() if line.strip()], err


def count(db: str, table) -> int:  # type: ignore[no-untyped-def]
    engine = make_engine(db)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(table)).scalar_one())
    finally:
        engine.dispose()


def test_commands_refuse_a_database_without_schema(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(capsys, "add-kiosk", "K7", "--db", f"sqlite:///{tmp_path / 'empty.db'}")
    assert code == 2
    assert "init-db" in err


def test_init_db_twice_and_seed_demo_twice(capsys: pytest.CaptureFixture[str], db: str) -> None:
    code, lines, _ = run(capsys, "init-db", "--db", db)
    assert code == 0
    assert lines[0]["to"] == migrate.HEAD_REVISION
    code, lines, _ = run(capsys, "init-db", "--db", db)
    assert code == 0
    assert lines[0]["from"] == migrate.HEAD_REVISION
    code, first, _ = run(capsys, "seed-demo", "--db", db)
    assert code == 0
    roles = {line["role"]: line["account_no"] for line in first if "role" in line}
    assert set(roles) == {
        "residential_arrears",
        "residential_paid_up",
        "non_residential",
        "prior_year",
        "residential_small",
        "unknown",
    }
    demo_cards = [line for line in first if "card_no" in line]
    assert len(demo_cards) >= 4
    assert all(str(c["pin"]).isdigit() for c in demo_cards)
    numbers = (count(db, accounts), count(db, bills), count(db, cards), count(db, kiosks))
    code, second, _ = run(capsys, "seed-demo", "--db", db)
    assert code == 0
    assert second == first
    assert (count(db, accounts), count(db, bills), count(db, cards), count(db, kiosks)) == numbers


def test_add_kiosk_prints_the_secret_once_and_it_works(
    capsys: pytest.CaptureFixture[str], db: str
) -> None:
    run(capsys, "init-db", "--db", db)
    code, lines, _ = run(capsys, "add-kiosk", "K0100", "--name", "Hall 2", "--db", db)
    assert code == 0
    secret = str(lines[0]["secret"])
    assert len(secret) >= 32
    code, _, err = run(capsys, "add-kiosk", "K0100", "--db", db)
    assert code == 1
    assert "--rotate" in err
    code, _, err = run(capsys, "add-kiosk", "bad id!", "--db", db)
    assert code == 1
    assert "kiosk id" in err
    with serving(make_config(db)) as server:
        client = CentralClient(server.url, "K0100", secret, connect_timeout_s=5, read_timeout_s=10)
        try:
            assert client.ping() > 0
            assert run(capsys, "disable-kiosk", "K0100", "--db", db)[0] == 0
            with pytest.raises(CentralUnauthorized):
                client.ping()
            assert run(capsys, "enable-kiosk", "K0100", "--db", db)[0] == 0
            client.ping()
            code, lines, _ = run(capsys, "add-kiosk", "K0100", "--rotate", "--db", db)
            with pytest.raises(CentralUnauthorized):
                client.ping()  # the old secret is gone
        finally:
            client.close()
    code, _, err = run(capsys, "disable-kiosk", "K0404", "--db", db)
    assert code == 1
    assert "no kiosk" in err


def _write(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_imports_report_bad_rows_by_line_and_import_nothing(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    run(capsys, "init-db", "--db", db)
    bad = _write(
        tmp_path / "accounts.csv",
        "account_no,holder,address,category,balance_fen",
        [
            "6100000001,王小明,示范市某区某路1号,residential,0",
            "61000x0002,李华,示范市某区某路2号,residential,0",
            "6100000003,,示范市某区某路3号,residential,0",
            "6100000004,赵敏,示范市某区某路4号,industrial,0",
            "6100000005,钱七,示范市某区某路5号,residential,12.50",
            "6100000001,王小明,示范市某区某路1号,residential,0",
            "6100000006,孙八,示范市某区某路6号,residential",
            "6100000007,周\x00九,示范市某区某路7号,residential,0",
        ],
    )
    code, problems, err = run(capsys, "import-accounts", str(bad), "--db", db)
    assert code == 1
    assert "nothing was imported" in err
    assert [p["line"] for p in problems] == [3, 4, 5, 6, 7, 8, 9]
    messages = " | ".join(str(p["error"]) for p in problems)
    for expected in (
        "digits only",
        "holder",
        "category",
        "whole number of fen",
        "line 2",
        "columns",
    ):
        assert expected in messages
    assert count(db, accounts) == 0


def test_import_accounts_then_bills(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    run(capsys, "init-db", "--db", db)
    people = _write(
        tmp_path / "accounts.csv",
        "account_no,holder,address,category,balance_fen",
        [
            "6200000001,王小明,示范市某区某路1号,residential,500",
            "6200000002,张记餐馆,示范市美食街,non_residential,0",
        ],
    )
    code, lines, err = run(capsys, "import-accounts", str(people), "--db", db)
    assert (code, lines[0]["inserted"]) == (0, 2)
    assert "importing accounts.csv: 100%" in err  # the progress bar (stderr is not a terminal)
    renamed = _write(
        tmp_path / "renamed.csv",
        "account_no,holder,address,category,balance_fen",
        ["6200000001,王晓明,示范市某区某路1号,residential,999"],
    )
    code, lines, _ = run(capsys, "import-accounts", str(renamed), "--db", db)
    assert (code, lines[0]["updated"], lines[0]["inserted"]) == (0, 1, 0)
    due = date.today().isoformat()
    good = _write(
        tmp_path / "bills.csv",
        "account_no,period,amount_fen,due_date",
        [f"6200000001,2026-01,12850,{due}", f"6200000002,2026-01,186000,{due}"],
    )
    code, lines, _ = run(capsys, "import-bills", str(good), "--db", db)
    assert (code, lines[0]["inserted"]) == (0, 2)
    code, lines, _ = run(capsys, "import-bills", str(good), "--db", db)  # again: skipped
    assert (code, lines[0]["inserted"], lines[0]["skipped"]) == (0, 0, 2)
    bad = _write(
        tmp_path / "bad-bills.csv",
        "account_no,period,amount_fen,due_date",
        [
            f"6200000001,2026-02,100,{due}",
            f"6299999999,2026-02,100,{due}",
            f"6200000001,2026-13,100,{due}",
            f"6200000001,2026-03,0,{due}",
            "6200000001,2026-04,100,31/01/2026",
            f"6200000001,2026-01,99999,{due}",
        ],
    )
    code, problems, _ = run(capsys, "import-bills", str(bad), "--db", db)
    assert code == 1
    assert [p["line"] for p in problems] == [3, 4, 5, 6, 7]
    assert "import-accounts first" in str(problems[0]["error"])
    assert "other values" in str(problems[-1]["error"])
    assert count(db, bills) == 2  # the good first row of the bad file was not imported either
    engine = make_engine(db)
    with engine.connect() as conn:
        row = conn.execute(select(accounts).where(accounts.c.account_no == "6200000001")).one()
    engine.dispose()
    assert (row.holder, row.balance_fen) == ("王晓明", 500)  # the ledger owns the balance


def test_import_header_problems(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    run(capsys, "init-db", "--db", db)
    wrong = _write(tmp_path / "wrong.csv", "number,name", ["1,2"])
    code, problems, _ = run(capsys, "import-accounts", str(wrong), "--db", db)
    assert code == 1
    assert problems[0]["line"] == 1
    assert "account_no" in str(problems[0]["error"])
    code, problems, _ = run(capsys, "import-bills", str(tmp_path / "missing.csv"), "--db", db)
    assert code == 1
    assert "cannot read" in str(problems[0]["error"])


def test_cards_generate_writes_pins_once_and_keeps_hashes(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    run(capsys, "init-db", "--db", db)
    out = tmp_path / "cards.csv"
    code, lines, err = run(
        capsys,
        "cards",
        "generate",
        "--face-fen",
        "20000",
        "--count",
        "5",
        "--out",
        str(out),
        "--db",
        db,
    )
    assert code == 0
    assert lines[0]["generated"] == 5
    assert "hashing PINs" in err  # the progress bar
    assert out.stat().st_mode & 0o077 == 0
    with out.open(encoding="utf-8") as handle:
        made = list(csv.DictReader(handle))
    assert len(made) == 5
    assert all(len(c["card_no"]) == 16 and len(c["pin"]) == 12 for c in made)
    code, _, err = run(
        capsys,
        "cards",
        "generate",
        "--face-fen",
        "20000",
        "--count",
        "5",
        "--out",
        str(out),
        "--db",
        db,
    )
    assert code == 1
    assert "written once" in err
    engine = make_engine(db)
    with engine.connect() as conn:
        stored = {r.card_no: r.pin_hash for r in conn.execute(select(cards))}
    engine.dispose()
    assert all(c["pin"] not in stored[c["card_no"]] for c in made)
    code, listed, _ = run(capsys, "cards", "list", "--db", db)
    assert {c["card_no"] for c in listed} == {c["card_no"] for c in made}
    assert all(c["status"] == "unused" and "pin" not in c for c in listed)
    code, _, err = run(
        capsys,
        "cards",
        "generate",
        "--face-fen",
        "-1",
        "--count",
        "5",
        "--out",
        str(tmp_path / "x.csv"),
        "--db",
        db,
    )
    assert code == 1
    assert "--face-fen" in err
    assert not (tmp_path / "x.csv").exists()


def test_report_per_kiosk_and_period(capsys: pytest.CaptureFixture[str], db: str) -> None:
    run(capsys, "init-db", "--db", db)
    _, seeded, _ = run(capsys, "seed-demo", "--db", db)
    account = next(
        str(line["account_no"]) for line in seeded if line.get("role") == "residential_paid_up"
    )
    with serving(make_config(db)) as server:
        client = server.client()
        now = datetime.now(UTC).isoformat()
        client.post_payment(server.cash("K0001-00000001", account, {10000: 2, 5000: 1}))
        client.post_payment(server.cash("K0001-00000002", account, {10000: 1}))
        client.post_collection(
            {
                "collection_id": "C1",
                "counts": {"10000": 3, "5000": 1},
                "journal_total_fen": 35000,
                "device_total_fen": 35000,
                "physical_total_fen": 30000,
                "technician": "T07",
                "at": now,
            }
        )
        today = server.central.today()
    code, lines, _ = run(
        capsys,
        "report",
        "--from",
        today.isoformat(),
        "--to",
        today.isoformat(),
        "--kiosk",
        "K0001",
        "--db",
        db,
    )
    assert code == 0
    assert len(lines) == 1
    line = lines[0]
    assert line["payments"]["cash"] == {"count": 2, "total_fen": 35000}  # type: ignore[index]
    assert line["payments"]["card"] == {"count": 0, "total_fen": 0}  # type: ignore[index]
    assert line["cash_by_denomination"] == {  # type: ignore[comparison-overlap]
        "5000": {"paid_notes": 1, "collected_notes": 1, "difference_notes": 0},
        "10000": {"paid_notes": 3, "collected_notes": 3, "difference_notes": 0},
    }
    assert line["collected_total_fen"] == 30000
    assert line["difference_fen"] == -5000
    code, _, err = run(capsys, "report", "--from", "2026-02-01", "--to", "2026-01-01", "--db", db)
    assert code == 1
    assert "before" in err
