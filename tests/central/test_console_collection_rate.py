"""The collection-rate report: billed vs collected by channel, district and category; arrears
by age; other channels imported from CSV."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from central import collection_rate, db
from central.cli import main
from central.schema import Category, accounts
from central.schema_fleet import Role, collection_days, summarized_days
from tests.central.conftest import Live
from tests.central.console_helpers import login, new_operator
from tests.central.fleet_helpers import server_time


def _import(live: Live, tmp_path: Path, text: str) -> tuple[int, str]:
    path = tmp_path / "payments.csv"
    path.write_text(text, encoding="utf-8")
    return main(
        ["import-payments", str(path), "--db", live.central.config.server.database_url]
    ), str(path)


@pytest.fixture
def district() -> str:
    """A district name no other test uses, so each test reads only its own figures."""
    import secrets

    return f"测试{secrets.token_hex(3)}区"


def test_billed_collected_and_rate_by_channel_district_and_category(
    live: Live, tmp_path: Path, district: str, capsys: pytest.CaptureFixture[str]
) -> None:
    today = live.central.today()
    home = live.account(bills_=[("2026-01", 10000, today - timedelta(days=2))])
    shop = live.account(
        category=Category.NON_RESIDENTIAL,
        bills_=[
            ("2026-01", 40000, today - timedelta(days=1)),
            ("2025-01", 7000, today - timedelta(days=400)),
            ("2025-09", 3000, today - timedelta(days=60)),
        ],
    )
    with live.engine.begin() as conn:
        conn.execute(
            update(accounts)
            .where(accounts.c.account_no.in_([home, shop]))
            .values(district=district)
        )
    client = live.kiosk("CR1")
    client.post_payment(live.cash(live.txn("CR1"), home, {5000: 1}))
    code, _ = _import(
        live,
        tmp_path,
        "channel,ref,account_no,amount_fen,paid_on\n"
        f"bank,B-{shop}-1,{shop},20000,{today.isoformat()}\n"
        f"bank,B-{shop}-2,{shop},1000,{(today - timedelta(days=90)).isoformat()}\n",
    )
    assert code == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["inserted"] == 2
    with db.read(live.engine) as conn:
        report = collection_rate.build(
            conn, today - timedelta(days=6), today, live.central.config.server.zone, today
        )
    mine = report.by_district[district]
    # billed: the two bills due in the period; collected: the kiosk's ¥50 and the bank's ¥200
    assert (mine.billed_fen, mine.collected_fen) == (50000, 25000)
    assert mine.rate == 0.5
    assert report.collected_by_channel["kiosk:cash"] >= 5000
    assert report.collected_by_channel["bank"] >= 20000
    assert report.arrears[">365"].get("non_residential", 0) >= 7000
    assert report.arrears["31-90"].get("non_residential", 0) >= 3000
    browser = login(live, new_operator(live, Role.VIEWER))
    params = {"from": (today - timedelta(days=6)).isoformat(), "to": today.isoformat()}
    page = browser.get(live.url + "/console/collection-rate", params=params, timeout=30)
    assert page.status_code == 200 and district in page.text
    assert '<svg id="districts-chart"' in page.text and '<svg id="arrears-chart"' in page.text
    exported = browser.get(
        live.url + "/console/collection-rate", params={**params, "format": "csv"}, timeout=30
    ).text
    assert f"district,{district},500.00,250.00,50.00" in exported


def test_import_payments_checks_every_row_and_skips_repeats(
    live: Live, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    number = live.account()
    good = f"channel,ref,account_no,amount_fen,paid_on\nagent,A-{number},{number},500,2026-01-02\n"
    assert _import(live, tmp_path, good)[0] == 0
    assert _import(live, tmp_path, good)[0] == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert (lines[0]["inserted"], lines[1]["skipped"]) == (1, 1)
    bad = (
        "channel,ref,account_no,amount_fen,paid_on\n"
        f"kiosk,X1,{number},500,2026-01-02\n"
        f"agent,A-{number},{number},600,2026-01-02\n"
        "agent,X3,3199999999,500,2026-01-02\n"
        f"agent,X4,{number},5.00,2026-01-02\n"
        f"agent,X5,{number},500,02/01/2026\n"
    )
    assert _import(live, tmp_path, bad)[0] == 1
    problems = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [p["line"] for p in problems] == [2, 3, 4, 5, 6]


def test_closed_days_are_summed_once_and_give_the_same_figures(
    live: Live, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    client = live.kiosk("CR2")
    number = live.account()
    zone = live.central.config.server.zone
    ten_days_ago = datetime.now(UTC) - timedelta(days=10)  # a day no other test summed
    with server_time(live, ten_days_ago):
        client.post_payment(
            live.cash(live.txn("CR2"), number, {10000: 3}, created_at=ten_days_ago.isoformat())
        )
    client.post_payment(live.cash(live.txn("CR2"), number, {1000: 1}))
    today = live.central.today()
    start = today - timedelta(days=12)
    with db.read(live.engine) as conn:
        before = collection_rate.build(conn, start, today, zone, today)
    collection_rate.summarize(live.engine, start, today, zone, datetime.now(UTC))
    assert collection_rate.summarize(live.engine, start, today, zone, datetime.now(UTC)) == 0
    with db.read(live.engine) as conn:
        after = collection_rate.build(conn, start, today, zone, today)
        summed = conn.execute(
            select(func.sum(collection_days.c.amount_fen)).where(
                collection_days.c.day == ten_days_ago.astimezone(zone).date()
            )
        ).scalar_one()
        days = conn.execute(
            select(func.count()).where(
                summarized_days.c.day >= start, summarized_days.c.day < today
            )
        ).scalar_one()
    assert days == 12  # the closed days, not today
    assert summed >= 30000
    assert after.collected_by_channel == before.collected_by_channel
    assert collection_rate.as_json(after) == collection_rate.as_json(before)
    # a later import of another channel's payment for a summed day is counted all the same
    day = ten_days_ago.astimezone(zone).date().isoformat()
    code, _ = _import(
        live,
        tmp_path,
        f"channel,ref,account_no,amount_fen,paid_on\nlate,L-{number},{number},700,{day}\n",
    )
    assert code == 0
    capsys.readouterr()
    collection_rate.summarize(live.engine, start, today, zone, datetime.now(UTC))
    with db.read(live.engine) as conn:
        late = collection_rate.build(conn, start, today, zone, today)
    assert late.collected_by_channel.get("late") == 700
