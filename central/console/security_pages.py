"""A kiosk's secret: admins rotate it (the new one shown once, the old one valid for a grace
period) or issue a one-time pairing code."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from central import pairing
from central.console.access import Posted
from central.console.web import View, esc
from central.context import Central
from central.errors import AdminError
from central.schema_fleet import Role


def security_section(view: View, kiosk_id: str, row: Any, now: datetime) -> str:
    """The rotate and pairing-code buttons of a kiosk's page; empty for a role that may not."""
    assert view.session is not None
    if not view.session.operator.may(Role.ADMIN):
        return ""
    section = (
        f"<h2>{esc(view.t('security'))}</h2><div class=bar>"
        f'<form method="post" action="/console/kiosks/{esc(kiosk_id)}/rotate">{view.csrf_field()}'
        f'<button class="primary" type="submit" id="rotate">{esc(view.t("rotate_secret"))}</button></form>'
        f'<form method="post" action="/console/kiosks/{esc(kiosk_id)}/pair-code">{view.csrf_field()}'
        f'<button class="primary" type="submit" id="pair-code">{esc(view.t("pair_code"))}</button></form>'
        "</div>"
    )
    if row.secret_previous_until is not None and row.secret_previous_until > now:
        section += f'<p class="muted">{esc(view.t("old_secret_valid_until"))} {view.when(row.secret_previous_until)}</p>'
    return section


def install(app: FastAPI, central: Central, posted: Posted) -> None:
    @app.post("/console/kiosks/{kiosk_id}/rotate", include_in_schema=False)
    async def rotate(request: Request, kiosk_id: str) -> Response:
        checked = await posted(request, Role.ADMIN)
        if isinstance(checked, Response):
            return checked
        view, _ = checked
        assert view.session is not None
        try:
            secret, until = await run_in_threadpool(
                lambda: pairing.rotate(
                    central, kiosk_id, actor=view.session.operator.name if view.session else ""
                )
            )
        except AdminError:
            return view.page(
                "not_found", f'<p id="problem">{esc(view.t("not_found"))}</p>', status=404
            )
        body = (
            f"<h1>{esc(view.t('rotate_secret'))} · {esc(kiosk_id)}</h1>"
            f'<p>{esc(view.t("new_secret_once"))}: <code class="secret" id="secret">{esc(secret)}</code></p>'
            f'<p>{esc(view.t("old_secret_valid_until"))} <b id="grace">{view.when(until)}</b></p>'
            f'<p><a href="/console/kiosks/{esc(kiosk_id)}">{esc(view.t("kiosk"))} {esc(kiosk_id)}</a></p>'
        )
        return view.page("rotate_secret", body, here="fleet")

    @app.post("/console/kiosks/{kiosk_id}/pair-code", include_in_schema=False)
    async def pair_code(request: Request, kiosk_id: str) -> Response:
        checked = await posted(request, Role.ADMIN)
        if isinstance(checked, Response):
            return checked
        view, _ = checked
        assert view.session is not None
        actor = view.session.operator.name
        try:
            code, expires = await run_in_threadpool(
                lambda: pairing.issue_code(
                    central.engine,
                    central.config.server.secret_key,
                    kiosk_id,
                    ttl_s=central.config.console.pair_code_ttl_s,
                    now=central.now(),
                    actor=actor,
                )
            )
        except AdminError as exc:
            return view.page("pair_code", f'<p id="problem">{esc(exc)}</p>', status=400)
        body = (
            f"<h1>{esc(view.t('pair_code'))} · {esc(kiosk_id)}</h1>"
            f"<p>{esc(view.t('pair_code_valid_until'))} {view.when(expires)}:</p>"
            f'<p><code class="secret" id="code">{esc(code)}</code></p>'
            f'<p><a href="/console/kiosks/{esc(kiosk_id)}">{esc(view.t("kiosk"))} {esc(kiosk_id)}</a></p>'
        )
        return view.page("pair_code", body, here="fleet")
