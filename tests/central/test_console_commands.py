"""Remote commands: queued from the CLI or console, delivered in heartbeat answers until the
kiosk reports a result, each result recorded once and audited."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from central.cli import main
from central.schema_fleet import Role, audit_log
from tests.central.conftest import Live
from tests.central.console_helpers import csrf, login, new_operator
from tests.central.fleet_helpers import beat
from tests.central.wire_helpers import send


def _cli(capsys: pytest.CaptureFixture[str], live: Live, *args: str) -> tuple[int, list[dict]]:
    code = main([*args, "--db", live.central.config.server.database_url])
    out = capsys.readouterr().out
    return code, [json.loads(line) for line in out.splitlines() if line.strip()]


def _result(live: Live, kiosk_id: str, command_id: str, body: object):  # type: ignore[no-untyped-def]
    return send(
        live.url,
        "POST",
        f"/v1/commands/{command_id}/result",
        body,  # type: ignore[arg-type]
        kiosk_id=kiosk_id,
        secret=live.kiosk_secrets[kiosk_id],
    )


def test_a_command_is_delivered_until_its_result_and_recorded_once(
    live: Live, capsys: pytest.CaptureFixture[str]
) -> None:
    live.kiosk("CM1")
    code, lines = _cli(capsys, live, "command", "CM1", "lock", "--message", "暂停服务 维护中")
    assert code == 0
    command_id = lines[0]["id"]
    expected = {"id": command_id, "kind": "lock", "args": {"message": "暂停服务 维护中"}}
    assert beat(live, "CM1").json()["commands"] == [expected]
    assert beat(live, "CM1").json()["commands"] == [expected]  # again: no result yet
    answer = _result(live, "CM1", command_id, {"status": "done", "detail": "locked"})
    assert answer.status_code == 200
    assert answer.json() == {"id": command_id, "status": "done", "recorded": True}
    assert beat(live, "CM1").json()["commands"] == []
    again = _result(live, "CM1", command_id, {"status": "done", "detail": "locked"})
    assert again.json()["recorded"] is False
    other = _result(live, "CM1", command_id, {"status": "failed", "detail": "no"})
    assert other.status_code == 409 and other.json()["error"] == "command_result_conflict"
    code, listed = _cli(capsys, live, "commands", "CM1")
    assert code == 0
    assert listed[0]["id"] == command_id and listed[0]["status"] == "done"
    assert listed[0]["deliveries"] == 2
    with live.engine.connect() as conn:
        actions = conn.execute(
            select(audit_log.c.action, audit_log.c.actor)
            .where(audit_log.c.kiosk_id == "CM1")
            .order_by(audit_log.c.id)
        ).all()
    assert [tuple(a) for a in actions] == [("command_sent", "cli"), ("command_result", "kiosk:CM1")]


def test_another_kiosk_cannot_report_a_result_and_bad_results_are_refused(
    live: Live, capsys: pytest.CaptureFixture[str]
) -> None:
    live.kiosk("CM2")
    live.kiosk("CM3")
    _, lines = _cli(capsys, live, "command", "CM2", "restart")
    command_id = lines[0]["id"]
    assert _result(live, "CM3", command_id, {"status": "done"}).status_code == 404
    bad = _result(live, "CM2", command_id, {"status": "maybe"})
    assert bad.status_code == 400 and bad.json()["field"] == "status"
    logs = _result(live, "CM2", command_id, {"status": "done", "attachment": "x"})
    assert logs.status_code == 400 and logs.json()["field"] == "attachment"
    unsigned = send(
        live.url, "POST", f"/v1/commands/{command_id}/result", {"status": "done"}, sign=False
    )
    assert unsigned.status_code == 401


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["lock"], "--message"),
        (["enable_method"], "--method"),
        (["upload_logs", "--hours", "500"], "--hours"),
    ],
)
def test_the_cli_refuses_a_command_without_its_arguments(
    live: Live, capsys: pytest.CaptureFixture[str], args: list[str], problem: str
) -> None:
    code = main(["command", "K0001", *args, "--db", live.central.config.server.database_url])
    assert code == 1
    assert problem in capsys.readouterr().err


def test_logs_come_back_as_an_attachment_the_console_serves(
    live: Live, capsys: pytest.CaptureFixture[str]
) -> None:
    live.kiosk("CM4")
    _, lines = _cli(capsys, live, "command", "CM4", "upload_logs", "--hours", "2")
    command_id = lines[0]["id"]
    assert beat(live, "CM4").json()["commands"][0]["args"] == {"hours": 2}
    text = "2026-12-05 10:00:00 INFO kiosk: started\n"
    assert _result(live, "CM4", command_id, {"status": "done", "attachment": text}).ok
    browser = login(live, new_operator(live, Role.VIEWER))
    got = browser.get(f"{live.url}/console/commands/{command_id}/attachment", timeout=30)
    assert got.text == text
    assert "attachment" in got.headers["content-disposition"]


def test_the_console_sends_commands_for_operators_not_viewers(live: Live) -> None:
    live.kiosk("CM5")
    viewer = login(live, new_operator(live, Role.VIEWER))
    page = f"{live.url}/console/kiosks/CM5"
    refused = viewer.post(
        page + "/commands",
        data={"csrf": csrf(viewer, page), "kind": "unlock"},
        timeout=30,
    )
    assert refused.status_code == 403
    operator = login(live, new_operator(live, Role.OPERATOR))
    sent = operator.post(
        page + "/commands",
        data={"csrf": csrf(operator, page), "kind": "disable_method", "method": "qr"},
        timeout=30,
    )
    assert sent.status_code == 200 and 'data-status="pending"' in sent.text
    assert beat(live, "CM5").json()["commands"][0]["args"] == {"method": "qr"}
    no_token = operator.post(page + "/commands", data={"kind": "unlock"}, timeout=30)
    assert no_token.status_code == 403
