"""Heartbeat history and status, the fleet and kiosk pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select, update

from central import fleet
from central.schema import kiosks
from central.schema_fleet import Role, heartbeat_history, kiosk_status
from tests.central.conftest import Live
from tests.central.console_helpers import login, new_operator
from tests.central.fleet_helpers import beat, server_time
from tests.central.wire_helpers import send


def test_each_heartbeat_is_kept_and_the_status_follows_the_newest(live: Live) -> None:
    live.kiosk("FH1")
    beat(live, "FH1")
    beat(
        live,
        "FH1",
        devices={"acceptor": "ready", "printer": "paper_near_end"},
        cashbox={"10000": 450, "5000": 450},
        cashbox_capacity=1000,
        outbox_pending=7,
        clock_offset_s=-12.6,
        version="1.5.0",
    )
    with live.engine.connect() as conn:
        count = conn.execute(
            select(func.count()).where(heartbeat_history.c.kiosk_id == "FH1")
        ).scalar_one()
        status = conn.execute(select(kiosk_status).where(kiosk_status.c.kiosk_id == "FH1")).one()
    assert count == 2
    assert status.version == "1.5.0"
    assert status.paper == "near_end"
    assert status.cashbox_notes == 900 and status.cashbox_fill_pct == 90
    assert status.outbox_pending == 7
    assert status.clock_offset_s == -13


@pytest.mark.parametrize(
    ("field", "value"),
    [("clock_offset_s", "soon"), ("cashbox_capacity", 0), ("suspects", -1), ("extra", 1)],
)
def test_heartbeat_extras_are_checked(live: Live, field: str, value: object) -> None:
    body = {
        "version": "1",
        "devices": {},
        "cashbox": {},
        "outbox_pending": 0,
        field: value,
    }
    answer = send(live.url, "POST", "/v1/heartbeat", body)
    assert answer.status_code == 400
    assert answer.json()["field"] == field


def test_history_older_than_the_retention_is_pruned(live: Live) -> None:
    live.kiosk("FH2")
    beat(live, "FH2")
    old = datetime.now(UTC) - timedelta(
        days=live.central.config.console.heartbeat_retention_days + 1
    )
    with live.engine.begin() as conn:
        conn.execute(
            insert(heartbeat_history).values(
                kiosk_id="FH2",
                received_at=old,
                version="0",
                cashbox_notes=0,
                outbox_pending=0,
                body="{}",
            )
        )
    assert fleet.prune_history(live.central) >= 1
    with live.engine.connect() as conn:
        left = (
            conn.execute(
                select(heartbeat_history.c.received_at).where(heartbeat_history.c.kiosk_id == "FH2")
            )
            .scalars()
            .all()
        )
    assert len(left) == 1 and left[0] > old


def test_the_fleet_page_shows_state_and_filters_by_state_and_district(live: Live) -> None:
    live.kiosk("FH3")
    live.kiosk("FH4")
    with live.engine.begin() as conn:
        conn.execute(update(kiosks).where(kiosks.c.kiosk_id == "FH3").values(district="城东区"))
        conn.execute(update(kiosks).where(kiosks.c.kiosk_id == "FH4").values(district="城西区"))
    beat(live, "FH3", outbox_pending=80)
    with server_time(live, datetime.now(UTC) - timedelta(hours=2)):
        beat(live, "FH4")
    browser = login(live, new_operator(live, Role.VIEWER))
    page = browser.get(live.url + "/console/fleet", params={"district": "城东区"}, timeout=30).text
    assert 'data-kiosk="FH3"' in page and 'data-kiosk="FH4"' not in page
    assert 'data-state="online"' in page
    offline = browser.get(live.url + "/console/fleet", params={"state": "offline"}, timeout=30).text
    assert 'data-kiosk="FH4"' in offline and 'data-kiosk="FH3"' not in offline
    english = browser.get(live.url + "/console/lang/en?next=/console/fleet", timeout=30).text
    assert "Outbox" in english and "终端总数" not in english


def test_the_kiosk_page_draws_the_heartbeat_timeline(live: Live) -> None:
    live.kiosk("FH5")
    start = datetime.now(UTC) - timedelta(hours=3)
    for minutes, printer in ((0, "ready"), (1, "ready"), (60, "paper_out"), (61, "ready")):
        with server_time(live, start + timedelta(minutes=minutes)):
            beat(live, "FH5", devices={"acceptor": "ready", "printer": printer})
    browser = login(live, new_operator(live, Role.VIEWER))
    page = browser.get(live.url + "/console/kiosks/FH5", timeout=30)
    assert page.status_code == 200
    assert '<svg id="timeline"' in page.text
    assert "paper_out" in page.text
    assert browser.get(live.url + "/console/kiosks/NOPE", timeout=30).status_code == 404


def test_the_background_worker_runs_with_the_app_and_stops_with_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import asyncio
    import threading

    from central.app import create_app
    from tests.central.conftest import make_config, prepare

    def running() -> bool:
        return any(t.name == "central-background" for t in threading.enumerate())

    url = f"sqlite:///{tmp_path / 'worker.db'}"
    prepare(url)
    app = create_app(make_config(url))
    seen: list[bool] = []

    async def lifespan() -> None:
        async with app.router.lifespan_context(app):
            seen.append(running())

    try:
        asyncio.run(lifespan())
    finally:
        app.state.central.engine.dispose()
    assert seen == [True]
    assert not running()
