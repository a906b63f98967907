"""Remote commands from the console: the form and list on a kiosk's page, sending one, and
downloading what a command brought back (a log)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from central import commands, db
from central.console import web
from central.console.access import Current, Posted
from central.console.web import View, esc
from central.context import Central
from central.errors import AdminError
from central.schema_fleet import CommandKind, Role


def command_table(view: View, sent: list[dict[str, Any]]) -> str:
    """A kiosk's recent commands, newest first, with their results."""
    return web.table(
        [
            (view.t("created"), ""),
            (view.t("kind"), ""),
            (view.t("args"), ""),
            (view.t("by"), ""),
            (view.t("status"), ""),
            (view.t("result"), ""),
        ],
        (
            [
                view.when(datetime.fromisoformat(c["created_at"]), seconds=True),
                esc(view.t("cmd_" + c["kind"])),
                f'<span class="muted">{esc(json.dumps(c["args"], ensure_ascii=False))}</span>',
                esc(c["created_by"]),
                f'<span data-command="{esc(c["id"])}" data-status="{esc(c["status"])}">{esc(c["status"])}</span>',
                esc(c["result_detail"] or "")
                + (
                    f' <a href="/console/commands/{esc(c["id"])}/attachment">{esc(view.t("download"))}</a>'
                    if c["has_attachment"]
                    else ""
                ),
            ]
            for c in sent
        ),
        table_id="commands",
    )


def send_form(view: View, kiosk_id: str) -> str:
    """The form that sends a command to ``kiosk_id``; empty for a role that may not."""
    assert view.session is not None
    if not view.session.operator.may(Role.OPERATOR):
        return ""
    kinds = "".join(
        f'<option value="{k.value}">{esc(view.t("cmd_" + k.value))}</option>' for k in CommandKind
    )
    methods = "".join(f'<option value="{m}">{m}</option>' for m in commands.METHODS)
    return (
        f'<form class="bar" method="post" action="/console/kiosks/{esc(kiosk_id)}/commands" id="command-form">'
        f"{view.csrf_field()}"
        f'<label>{esc(view.t("kind"))}<select name="kind" id="command-kind">{kinds}</select></label>'
        f'<label>{esc(view.t("message"))}<input name="message" id="command-message" maxlength="200"></label>'
        f'<label>{esc(view.t("method"))}<select name="method" id="command-method">{methods}</select></label>'
        f'<label>{esc(view.t("hours"))}<input name="hours" type="number" min="1" max="168" value="24" style="width:5rem"></label>'
        f'<button class="primary" type="submit" id="command-send">{esc(view.t("send"))}</button></form>'
    )


def install(app: FastAPI, central: Central, current: Current, posted: Posted) -> None:
    @app.post("/console/kiosks/{kiosk_id}/commands", include_in_schema=False)
    async def send_command(request: Request, kiosk_id: str) -> Response:
        checked = await posted(request, Role.OPERATOR)
        if isinstance(checked, Response):
            return checked
        view, fields = checked
        assert view.session is not None
        try:
            kind = CommandKind(fields.get("kind", ""))
            hours = int(fields["hours"]) if fields.get("hours", "").isdigit() else None
            args = commands.arguments(
                kind, message=fields.get("message"), method=fields.get("method"), hours=hours
            )
            made = await run_in_threadpool(
                commands.create,
                central.engine,
                kiosk_id,
                kind,
                args,
                actor=view.session.operator.name,
                now=central.now(),
            )
        except (ValueError, AdminError) as exc:
            return view.page(
                "commands", f'<div class="notice bad" id="problem">{esc(exc)}</div>', status=400
            )
        return web.redirect(f"/console/kiosks/{kiosk_id}?sent={made['id']}")

    @app.get("/console/commands/{command_id}/attachment", include_in_schema=False)
    async def command_attachment(request: Request, command_id: str) -> Response:
        view = await current(request)
        if isinstance(view, Response):
            return view

        def read() -> tuple[str, str] | None:
            with db.read(central.engine) as conn:
                return commands.attachment(conn, command_id)

        found = await run_in_threadpool(read)
        if found is None:
            return PlainTextResponse("not found", status_code=404)
        kiosk_id, text = found
        return PlainTextResponse(
            text,
            headers={
                "Content-Disposition": f'attachment; filename="{kiosk_id}-{command_id}.log"',
                **web.SECURITY_HEADERS,
            },
        )
