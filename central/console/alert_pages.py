"""The alerts page (open or all, by kiosk) and an operator's acknowledgement of one alert."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from central import alert_words, alerts, db
from central.console import web
from central.console.access import Current, Posted
from central.console.fleet_cells import pill
from central.console.web import View, esc
from central.context import Central
from central.errors import AdminError
from central.schema_fleet import Role


def alert_pill(view: View, alert: Any) -> str:
    if alert.cleared_at is not None:
        return pill(view.t("cleared"), "ok", "cleared")
    if alert.acknowledged_at is not None:
        return pill(view.t("acknowledged"), "warn", "acknowledged")
    return pill(view.t("raised"), "bad", "raised")


def alert_state(view: View, alert: Any) -> str:
    """The alert's state, with when it cleared or who acknowledged it."""
    shown = alert_pill(view, alert)
    if alert.cleared_at is not None:
        return shown + f' <span class="muted">{view.when(alert.cleared_at)}</span>'
    if alert.acknowledged_at is not None:
        return shown + f' <span class="muted">{esc(alert.acknowledged_by)}</span>'
    return shown


def alert_detail(view: View, alert: Any) -> str:
    """The alert's line of detail in the operator's language, escaped."""
    return esc(alert_words.shown(alert.kind, alert.detail, alert.detail_fields, view.lang))


def install(app: FastAPI, central: Central, current: Current, posted: Posted) -> None:
    @app.get("/console/alerts", include_in_schema=False)
    async def alerts_page(request: Request, kiosk: str = "", show: str = "open") -> Response:
        view = await current(request)
        if isinstance(view, Response):
            return view

        def read() -> tuple[list[Any], dict[int, list[Any]]]:
            with db.read(central.engine) as conn:
                found = alerts.listing(conn, open_only=show == "open", kiosk_id=kiosk or None)
                return found, alerts.events(conn, [a.id for a in found])

        found, steps = await run_in_threadpool(read)
        assert view.session is not None
        may_ack = view.session.operator.may(Role.OPERATOR)
        rows = []
        for a in found:
            action = ""
            if may_ack and a.acknowledged_at is None and a.cleared_at is None:
                action = (
                    f'<form class="inline" method="post" action="/console/alerts/{a.id}/ack">{view.csrf_field()}'
                    f'<button class="small" type="submit" data-ack="{a.id}">{esc(view.t("acknowledge"))}</button></form>'
                )
            history = "<br>".join(
                f'{esc(view.t(s.step))} {view.when(s.at, seconds=True)} <span class="muted">{esc(s.actor)}</span>'
                for s in steps.get(a.id, [])
            )
            rows.append(
                [
                    f'<a href="/console/kiosks/{esc(a.kiosk_id)}">{esc(a.kiosk_id)}</a>',
                    f'<span data-alert="{a.id}" data-kind="{esc(a.kind)}">{esc(view.t("alert_" + a.kind))}</span>',
                    alert_detail(view, a),
                    alert_pill(view, a),
                    f'<span class="muted">{history}</span>',
                    action,
                ]
            )
        toggle = (
            f'<p class="bar"><a href="/console/alerts?{web.query_string(kiosk=kiosk, show="open")}">{esc(view.t("open_only"))}</a> · '
            f'<a id="show-all" href="/console/alerts?{web.query_string(kiosk=kiosk, show="all")}">{esc(view.t("all"))}</a></p>'
        )
        body = f"<h1>{esc(view.t('alerts'))}</h1>{toggle}" + web.table(
            [
                (view.t("kiosk"), ""),
                (view.t("kind"), ""),
                (view.t("detail"), "wrap"),
                (view.t("state"), ""),
                (view.t("steps"), ""),
                ("", ""),
            ],
            rows,
            table_id="alerts",
        )
        return view.page("alerts", body, here="alerts")

    @app.post("/console/alerts/{alert_id}/ack", include_in_schema=False)
    async def acknowledge(request: Request, alert_id: int) -> Response:
        checked = await posted(request, Role.OPERATOR)
        if isinstance(checked, Response):
            return checked
        view, _ = checked
        assert view.session is not None
        try:
            await run_in_threadpool(
                alerts.acknowledge, central, alert_id, view.session.operator.name
            )
        except AdminError:
            return view.page(
                "not_found", f'<p id="problem">{esc(view.t("not_found"))}</p>', status=404
            )
        return web.redirect("/console/alerts?show=all")
