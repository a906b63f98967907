"""Alerts: raised once, acknowledged, cleared by themselves, each step recorded; webhooks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from central import alerts, webhooks
from central.schema_fleet import Role, alert_events, audit_log, webhook_deliveries
from central.schema_fleet import alerts as alerts_table
from tests.central.conftest import Live, make_config, prepare, serving
from tests.central.console_helpers import login, new_operator
from tests.central.fleet_helpers import Receiver, beat, server_time, webhook_receiver


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    with webhook_receiver() as running:
        yield running


@pytest.fixture(scope="module")
def live(backend_url: str, receiver: Receiver) -> Iterator[Live]:
    """A server whose alerts POST to ``receiver``."""
    prepare(backend_url)
    config = make_config(backend_url)
    config = config.model_copy(
        update={
            "alerts": config.alerts.model_copy(
                update={"webhooks": [receiver.url], "webhook_max_attempts": 3}
            )
        }
    )
    with serving(config) as server:
        yield server


def _alerts(live: Live, kiosk_id: str) -> list[tuple[str, bool]]:
    """(kind, still open) of every alert of the kiosk, oldest first."""
    with live.engine.connect() as conn:
        rows = conn.execute(
            select(alerts_table.c.kind, alerts_table.c.open_key)
            .where(alerts_table.c.kiosk_id == kiosk_id)
            .order_by(alerts_table.c.id)
        ).all()
    return [(r.kind, r.open_key is not None) for r in rows]


def _steps(live: Live, kiosk_id: str) -> list[tuple[str, str]]:
    with live.engine.connect() as conn:
        rows = conn.execute(
            select(alerts_table.c.kind, alert_events.c.step)
            .join(alerts_table, alerts_table.c.id == alert_events.c.alert_id)
            .where(alerts_table.c.kiosk_id == kiosk_id)
            .order_by(alert_events.c.id)
        ).all()
    return [(r.kind, r.step) for r in rows]


def _deliver(live: Live) -> None:
    """Send every due webhook as the background worker would."""
    while webhooks.deliver_due(live.central) != (0, 0):
        pass


def test_each_rule_raises_once_and_clears_when_its_condition_ends(
    live: Live, receiver: Receiver
) -> None:
    live.kiosk("AL1")
    receiver.received.clear()  # the receiver serves both backends
    bad = {
        "devices": {"acceptor": "validator_jam", "printer": "paper_out"},
        "cashbox": {"10000": 950},
        "outbox_pending": 51,
        "clock_offset_s": 75,
        "suspects": 1,
    }
    beat(live, "AL1", **bad)
    beat(live, "AL1", **bad)  # the same conditions raise nothing new
    kinds = {"acceptor", "paper", "cashbox_full", "outbox", "clock", "suspect"}
    assert {k for k, is_open in _alerts(live, "AL1") if is_open} == kinds
    assert len(_alerts(live, "AL1")) == len(kinds)
    beat(live, "AL1")  # healthy again
    assert all(not is_open for _, is_open in _alerts(live, "AL1"))
    steps = _steps(live, "AL1")
    assert sorted(steps) == sorted([(k, "raised") for k in kinds] + [(k, "cleared") for k in kinds])
    _deliver(live)
    mine = [r for r in receiver.received if r["kiosk_id"] == "AL1"]
    assert sorted((r["kind"], r["state"]) for r in mine) == sorted(steps)
    assert set(mine[0]) == {"kiosk_id", "kind", "state", "at", "detail"}


def test_an_old_unposted_payment_raises_the_outbox_alert(live: Live) -> None:
    live.kiosk("AL2")
    two_hours_ago = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
    beat(live, "AL2", outbox_pending=1, oldest_unposted_at=two_hours_ago)
    assert _alerts(live, "AL2") == [("outbox", True)]


def test_offline_is_raised_by_the_sweep_and_cleared_by_the_next_heartbeat(live: Live) -> None:
    live.kiosk("AL3")
    beat(live, "AL3")
    silent = datetime.now(UTC) + timedelta(seconds=live.central.config.alerts.offline_after_s + 5)
    with server_time(live, silent):
        assert alerts.sweep_offline(live.central) >= 1
        assert alerts.sweep_offline(live.central) == 0  # once
    assert ("offline", True) in _alerts(live, "AL3")
    with server_time(live, silent + timedelta(seconds=1)):
        beat(live, "AL3")
    assert _alerts(live, "AL3") == [("offline", False)]


def test_acknowledging_records_who_and_is_audited(live: Live) -> None:
    live.kiosk("AL4")
    beat(live, "AL4", devices={"acceptor": "ready", "printer": "paper_near_end"})
    with live.engine.connect() as conn:
        alert_id = conn.execute(
            select(alerts_table.c.id).where(alerts_table.c.kiosk_id == "AL4")
        ).scalar_one()
    alerts.acknowledge(live.central, alert_id, "duty-op")
    alerts.acknowledge(live.central, alert_id, "duty-op")  # once
    assert _steps(live, "AL4") == [("paper", "raised"), ("paper", "acknowledged")]
    with live.engine.connect() as conn:
        audited = (
            conn.execute(
                select(audit_log.c.actor).where(
                    audit_log.c.action == "alert_acknowledged", audit_log.c.kiosk_id == "AL4"
                )
            )
            .scalars()
            .all()
        )
    assert audited == ["duty-op"]


def test_a_failing_webhook_is_retried_with_backoff_then_given_up(
    live: Live, receiver: Receiver
) -> None:
    live.kiosk("AL5")
    _deliver(live)  # what earlier tests queued
    receiver.failures_left = 1
    beat(live, "AL5", suspects=2)
    assert webhooks.deliver_due(live.central) == (0, 0)  # failed once, retry scheduled
    with live.engine.connect() as conn:
        row = conn.execute(
            select(webhook_deliveries).where(webhook_deliveries.c.payload.contains('"AL5"'))
        ).one()
    assert row.attempts == 1 and row.delivered_at is None and not row.failed
    assert row.next_attempt_at > datetime.now(UTC)
    with server_time(live, row.next_attempt_at + timedelta(seconds=1)):
        assert webhooks.deliver_due(live.central) == (1, 0)
    assert any(r["kiosk_id"] == "AL5" for r in receiver.received)
    receiver.failures_left = 100
    beat(live, "AL5")  # clears: a new delivery that will never succeed
    at = datetime.now(UTC)
    for _ in range(3):
        at += timedelta(seconds=webhooks.MAX_RETRY_S + 1)
        with server_time(live, at):
            webhooks.deliver_due(live.central)
    with live.engine.connect() as conn:
        last = conn.execute(
            select(webhook_deliveries)
            .where(webhook_deliveries.c.payload.contains('"cleared"'))
            .where(webhook_deliveries.c.payload.contains('"AL5"'))
        ).one()
    assert last.failed and last.attempts == 3
    receiver.failures_left = 0


def test_backoff_doubles_up_to_a_ceiling() -> None:
    assert [webhooks.backoff_s(n) for n in (1, 2, 3, 4)] == [5, 10, 20, 40]
    assert webhooks.backoff_s(30) == webhooks.MAX_RETRY_S


def test_the_alerts_page_gives_each_detail_in_the_operators_language(live: Live) -> None:
    live.kiosk("AL9")
    beat(live, "AL9", devices={"acceptor": "validator_jam", "printer": "paper_out"})
    browser = login(live, new_operator(live, Role.VIEWER))
    chinese = browser.get(live.url + "/console/alerts", params={"kiosk": "AL9"}, timeout=30).text
    assert "纸币器：识别器卡币" in chinese and "打印纸已用完" in chinese
    assert "acceptor validator_jam" not in chinese
    english = browser.get(live.url + "/console/lang/en?next=/console/alerts", timeout=30).text
    assert "acceptor validator_jam" in english and "printer paper out" in english
