"""A kiosk's page: its facts, open and recent alerts, heartbeat history as a timeline, remote
commands, recent payments and (for admins) its secret."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from central import alerts, commands, db, fleet_view
from central.config import AlertsSection
from central.console import fleet_cells, svg, web
from central.console.access import Current
from central.console.alert_pages import alert_detail, alert_state
from central.console.command_pages import command_table, send_form
from central.console.security_pages import security_section
from central.console.web import View, esc, yuan
from central.context import Central

HOURS_SHOWN = (6, 24, 72, 168)


def install(app: FastAPI, central: Central, current: Current) -> None:
    rules = central.config.alerts

    @app.get("/console/kiosks/{kiosk_id}", include_in_schema=False)
    async def kiosk_page(request: Request, kiosk_id: str, hours: int = 24) -> Response:
        view = await current(request)
        if isinstance(view, Response):
            return view
        now = central.now()
        hours = max(1, min(hours, 24 * central.config.console.heartbeat_retention_days))
        start = now - timedelta(hours=hours)

        def read() -> tuple[Any, list[Any], list[Any], list[Any], list[dict[str, Any]]]:
            with db.read(central.engine) as conn:
                row = fleet_view.kiosk(conn, kiosk_id)
                if row is None:
                    return None, [], [], [], []
                return (
                    row,
                    fleet_view.history(conn, kiosk_id, start),
                    fleet_view.recent_payments(conn, kiosk_id),
                    alerts.listing(conn, open_only=False, kiosk_id=kiosk_id, limit=20),
                    commands.listing(conn, kiosk_id, limit=30),
                )

        row, beats, paid, kiosk_alerts, sent = await run_in_threadpool(read)
        if row is None:
            return view.page(
                "not_found", f'<p id="problem">{esc(view.t("not_found"))}</p>', status=404
            )
        hours_links = " · ".join(
            f'<a href="/console/kiosks/{esc(kiosk_id)}?hours={h}">{h} h</a>' for h in HOURS_SHOWN
        )
        notice = ""
        if request.query_params.get("sent"):
            notice = f'<div class="notice" id="notice">{esc(view.t("sent"))}: {esc(request.query_params["sent"])}</div>'
        body = (
            f'<h1 id="kiosk-title">{esc(view.t("kiosk"))} {esc(kiosk_id)} <span class="muted">{esc(row.name if row.name != kiosk_id else "")}</span></h1>'
            f"{notice}<div class=grid-kiosk><table id=facts>{_facts(view, row, now, rules)}</table>"
            f"<div><h2 style='margin-top:0'>{esc(view.t('alerts'))}</h2>{_alert_table(view, kiosk_alerts)}</div></div>"
            f"<h2>{esc(view.t('history'))}</h2>{_timeline(view, beats, start, now, rules)}"
            f"{_legend(view, hours_links)}"
            f"<h2>{esc(view.t('commands'))}</h2>{send_form(view, kiosk_id)}{command_table(view, sent)}"
            f"<h2>{esc(view.t('recent_payments'))}</h2>{_payment_table(view, paid)}"
            f"{security_section(view, kiosk_id, row, now)}"
            f'<p><a href="/console/audit?kiosk={esc(kiosk_id)}">{esc(view.t("audit"))}</a> · '
            f'<a href="/console/cashbook?kiosk={esc(kiosk_id)}">{esc(view.t("cashbook"))}</a></p>'
        )
        return view.page("kiosk", body, here="fleet")


def _facts(view: View, row: Any, now: datetime, rules: AlertsSection) -> str:
    seen = row.last_seen_at is not None
    facts = [
        (view.t("state"), fleet_cells.online_cell(view, row, now, rules.offline_after_s)),
        (view.t("district"), esc(row.district or "—")),
        (view.t("version"), esc(row.version or "—")),
        (view.t("acceptor"), fleet_cells.acceptor(row.acceptor) if seen else "—"),
        (view.t("printer"), fleet_cells.printer(row.printer) if seen else "—"),
        (view.t("cashbox_fill"), fleet_cells.fill(row, rules.cashbox_full_pct) if seen else "—"),
        (
            view.t("outbox"),
            fleet_cells.outbox(view, row, now, rules.outbox_backlog, rules.outbox_oldest_s)
            if seen
            else "—",
        ),
        (view.t("clock_offset"), fleet_cells.offset(row, rules.clock_offset_s) if seen else "—"),
    ]
    return "".join(f"<tr><th>{esc(k)}</th><td>{v}</td></tr>" for k, v in facts)


def _timeline(
    view: View, beats: list[Any], start: datetime, now: datetime, rules: AlertsSection
) -> str:
    """Heartbeats as lanes (online, acceptor, printer) coloured by state; gaps left grey."""
    if not beats:
        return f'<p class="muted" id="timeline-empty">{esc(view.t("no_heartbeat"))}</p>'
    return svg.timeline(
        beats,
        start=start,
        end=now,
        gap_s=rules.offline_after_s,
        zone=view.zone,
        pending_label=view.t("legend_outbox"),
        lanes=[
            svg.Lane(view.t("online"), lambda _b: svg.GREEN, lambda _b: "heartbeat"),
            svg.Lane(
                view.t("acceptor"),
                lambda b: _tone(b.acceptor, fleet_cells.ACCEPTOR_GOOD, fleet_cells.ACCEPTOR_WARN),
                lambda b: b.acceptor or "",
            ),
            svg.Lane(
                view.t("printer"),
                lambda b: _tone(b.printer, fleet_cells.PRINTER_GOOD, fleet_cells.PRINTER_WARN),
                lambda b: b.printer or "",
            ),
        ],
    )


def _tone(value: str | None, good: frozenset[str], warn: frozenset[str]) -> str:
    if value is None:
        return svg.GREY
    return svg.GREEN if value in good else svg.AMBER if value in warn else svg.RED


def _legend(view: View, hours_links: str) -> str:
    return (
        '<p class="muted">'
        + " ".join(
            f'<span class="sw" style="background:{colour}"></span> {esc(view.t(key))}'
            for colour, key in (
                (svg.GREEN, "legend_ok"),
                (svg.AMBER, "legend_warn"),
                (svg.RED, "legend_fault"),
                (svg.GREY, "legend_gap"),
            )
        )
        + f" · {hours_links}</p>"
    )


def _alert_table(view: View, kiosk_alerts: list[Any]) -> str:
    return web.table(
        [
            (view.t("kind"), ""),
            (view.t("detail"), "wrap"),
            (view.t("raised_at"), ""),
            (view.t("state"), ""),
        ],
        (
            [
                esc(view.t("alert_" + a.kind)),
                alert_detail(view, a),
                view.when(a.raised_at),
                alert_state(view, a),
            ]
            for a in kiosk_alerts
        ),
        table_id="kiosk-alerts",
    )


def _payment_table(view: View, paid: list[Any]) -> str:
    return web.table(
        [
            (view.t("time"), ""),
            ("Txn", ""),
            (view.t("account"), ""),
            (view.t("method"), ""),
            (view.t("amount"), "num"),
        ],
        (
            [
                view.when(p.created_at, seconds=True),
                esc(p.txn_id),
                esc(p.account_no),
                esc(p.method),
                yuan(p.amount_fen),
            ]
            for p in paid
        ),
        table_id="payments",
    )
