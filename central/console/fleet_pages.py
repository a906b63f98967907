"""Fleet, kiosk, alerts and command pages of the console."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from central import alert_words, alerts, commands, db, fleet_view, pairing
from central.console import svg, web
from central.console.web import View, esc, yuan
from central.context import Central
from central.errors import AdminError
from central.schema_fleet import CommandKind, Role

Current = Callable[[Request], Awaitable[View | Response]]
Posted = Callable[[Request, Role], Awaitable[tuple[View, dict[str, str]] | Response]]

ACCEPTOR_WARN = frozenset({"not_started", "disabled", "busy"})


def _pill(text: str, tone: str, ident: str = "") -> str:
    attr = f' data-state="{esc(ident)}"' if ident else ""
    return f'<span class="pill {tone}"{attr}>{esc(text)}</span>'


def _device(value: str | None, good: frozenset[str], warn: frozenset[str] = frozenset()) -> str:
    if value is None:
        return '<span class="muted">—</span>'
    tone = "ok" if value in good else "warn" if value in warn else "bad"
    return _pill(value, tone)


def _ago(now: datetime, then: datetime) -> str:
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    if seconds < 172800:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"


def online_cell(view: View, row: Any, now: datetime, offline_after_s: int) -> str:
    """Online or offline, since when (local time) and for how long."""
    state = fleet_view.is_online(row, now, offline_after_s)
    if state is None:
        return _pill(view.t("never_seen"), "muted", "never_seen")
    since = row.online_since if state else row.last_seen_at
    pill = (
        _pill(view.t("online"), "ok", "online")
        if state
        else _pill(view.t("offline"), "bad", "offline")
    )
    return f'{pill} <span class="muted">{esc(view.t("since"))} {view.when(since)} ({_ago(now, since)})</span>'


def _alert_state(view: View, alert: Any) -> str:
    if alert.cleared_at is not None:
        return (
            _pill(view.t("cleared"), "ok", "cleared")
            + f' <span class="muted">{view.when(alert.cleared_at)}</span>'
        )
    if alert.acknowledged_at is not None:
        return (
            _pill(view.t("acknowledged"), "warn", "acknowledged")
            + f' <span class="muted">{esc(alert.acknowledged_by)}</span>'
        )
    return _pill(view.t("raised"), "bad", "raised")


def _fill(row: Any, full_pct: int) -> str:
    if row.cashbox_fill_pct is None:
        return "—"
    tone = (
        "bad" if row.cashbox_fill_pct >= full_pct else "warn" if row.cashbox_fill_pct >= 75 else ""
    )
    return f'<span class="{tone}">{row.cashbox_fill_pct}%</span> <span class="muted">{row.cashbox_notes}</span>'


def _outbox(view: View, row: Any, now: datetime, backlog: int, oldest_s: int) -> str:
    if row.outbox_pending is None:
        return "—"
    tone = "bad" if row.outbox_pending > backlog else ""
    text = f'<span class="{tone}">{row.outbox_pending}</span>'
    if row.oldest_unposted_at is not None:
        old = (now - row.oldest_unposted_at).total_seconds() > oldest_s
        text += (
            f' <span class="{"bad" if old else "muted"}">{view.when(row.oldest_unposted_at)}</span>'
        )
    return text


def _offset(row: Any, limit: int) -> str:
    if row.clock_offset_s is None:
        return "—"
    tone = "bad" if abs(row.clock_offset_s) > limit else ""
    return f'<span class="{tone}">{row.clock_offset_s:+d} s</span>'


def install(app: FastAPI, central: Central, current: Current, posted: Posted) -> None:  # noqa: PLR0915 - one route each
    rules = central.config.alerts
    good_printer = frozenset({"ready"})
    good_acceptor = frozenset(alerts.ACCEPTOR_OK - ACCEPTOR_WARN)

    @app.get("/console/fleet", include_in_schema=False)
    async def fleet_page(
        request: Request, state: str = "", district: str = "", page: int = 1
    ) -> Response:
        view = await current(request)
        if isinstance(view, Response):
            return view
        now = central.now()

        def read() -> fleet_view.FleetPage:
            with db.read(central.engine) as conn:
                return fleet_view.fleet_page(
                    conn,
                    now=now,
                    offline_after_s=rules.offline_after_s,
                    state=state if state in fleet_view.STATES else None,
                    district=district or None,
                    page=max(1, page),
                )

        found = await run_in_threadpool(read)
        cards = "".join(
            f'<a class="card" id="count-{key}" href="/console/fleet?{web.query_string(state="" if key == "all" else key, district=district)}">'
            f"{esc(view.t(key if key != 'all' else 'kiosks_total'))}<b>{found.counts[key]}</b></a>"
            for key in ("all", "online", "offline", "alerting", "never_seen")
        )
        states = "".join(
            f'<option value="{s}"{" selected" if s == state else ""}>{esc(view.t(s))}</option>'
            for s in fleet_view.STATES
        )
        districts = "".join(
            f'<option value="{esc(d)}"{" selected" if d == district else ""}>{esc(d)}</option>'
            for d in found.districts
        )
        filters = (
            '<form class="bar" method="get" action="/console/fleet">'
            f'<label>{esc(view.t("state"))}<select name="state" id="state">'
            f'<option value="">{esc(view.t("all"))}</option>{states}</select></label>'
            f'<label>{esc(view.t("district"))}<select name="district" id="district">'
            f'<option value="">{esc(view.t("all"))}</option>{districts}</select></label>'
            f'<button class="primary" type="submit">{esc(view.t("filter"))}</button></form>'
        )
        rows = []
        for r in found.rows:
            seen = r.last_seen_at is not None
            rows.append(
                [
                    f'<a href="/console/kiosks/{esc(r.kiosk_id)}" data-kiosk="{esc(r.kiosk_id)}">'
                    f"{esc(r.kiosk_id)}</a>"
                    + (
                        f' <span class="muted">{esc(r.name)}</span>' if r.name != r.kiosk_id else ""
                    ),
                    esc(r.district or ""),
                    online_cell(view, r, now, rules.offline_after_s),
                    _device(r.acceptor, good_acceptor, ACCEPTOR_WARN) if seen else "—",
                    _device(r.printer, good_printer, frozenset({"paper_near_end"}))
                    if seen
                    else "—",
                    _fill(r, rules.cashbox_full_pct) if seen else "—",
                    _outbox(view, r, now, rules.outbox_backlog, rules.outbox_oldest_s)
                    if seen
                    else "—",
                    _offset(r, rules.clock_offset_s) if seen else "—",
                    esc(r.version or "—"),
                    view.when(found.last_payment.get(r.kiosk_id)),
                    (
                        f'<a class="bad" href="/console/alerts?kiosk={esc(r.kiosk_id)}">{r.open_alerts}</a>'
                        if r.open_alerts
                        else ""
                    ),
                ]
            )
        pages = max(1, -(-found.total_matching // fleet_view.PAGE_SIZE))
        nav = ""
        if pages > 1:
            links = []
            if page > 1:
                links.append(
                    f'<a href="/console/fleet?{web.query_string(state=state, district=district, page=page - 1)}">{esc(view.t("previous"))}</a>'
                )
            links.append(f"{page} / {pages}")
            if page < pages:
                links.append(
                    f'<a id="next-page" href="/console/fleet?{web.query_string(state=state, district=district, page=page + 1)}">{esc(view.t("next"))}</a>'
                )
            nav = f'<p class="bar">{" · ".join(links)}</p>'
        body = (
            f"<h1>{esc(view.t('fleet'))}</h1><div class=cards>{cards}</div>{filters}"
            + web.table(
                [
                    (view.t("kiosk"), ""),
                    (view.t("district"), ""),
                    (view.t("state"), ""),
                    (view.t("acceptor"), ""),
                    (view.t("printer"), ""),
                    (view.t("cashbox_fill"), "num"),
                    (view.t("outbox"), "num"),
                    (view.t("clock_offset"), "num"),
                    (view.t("version"), ""),
                    (view.t("last_payment"), ""),
                    (view.t("alerts"), "num"),
                ],
                rows,
                table_id="fleet",
            )
            + nav
        )
        return view.page("fleet", body, here="fleet")

    @app.get("/console/kiosks/{kiosk_id}", include_in_schema=False)
    async def kiosk_page(request: Request, kiosk_id: str, hours: int = 24) -> Response:
        view = await current(request)
        if isinstance(view, Response):
            return view
        now = central.now()
        hours = max(1, min(hours, 24 * central.config.console.heartbeat_retention_days))
        start = now - timedelta(hours=hours)

        def read() -> tuple[
            Any, list[Any], list[Any], list[Any], list[dict[str, Any]], dict[int, list[Any]]
        ]:
            with db.read(central.engine) as conn:
                row = fleet_view.kiosk(conn, kiosk_id)
                if row is None:
                    return None, [], [], [], [], {}
                found_alerts = alerts.listing(conn, open_only=False, kiosk_id=kiosk_id, limit=20)
                return (
                    row,
                    fleet_view.history(conn, kiosk_id, start),
                    fleet_view.recent_payments(conn, kiosk_id),
                    found_alerts,
                    commands.listing(conn, kiosk_id, limit=30),
                    alerts.events(conn, [a.id for a in found_alerts]),
                )

        row, beats, paid, kiosk_alerts, sent, _events = await run_in_threadpool(read)
        if row is None:
            return view.page(
                "not_found", f'<p id="problem">{esc(view.t("not_found"))}</p>', status=404
            )
        seen = row.last_seen_at is not None
        facts = [
            (view.t("state"), online_cell(view, row, now, rules.offline_after_s)),
            (view.t("district"), esc(row.district or "—")),
            (view.t("version"), esc(row.version or "—")),
            (
                view.t("acceptor"),
                _device(row.acceptor, good_acceptor, ACCEPTOR_WARN) if seen else "—",
            ),
            (
                view.t("printer"),
                _device(row.printer, good_printer, frozenset({"paper_near_end"})) if seen else "—",
            ),
            (view.t("cashbox_fill"), _fill(row, rules.cashbox_full_pct) if seen else "—"),
            (
                view.t("outbox"),
                _outbox(view, row, now, rules.outbox_backlog, rules.outbox_oldest_s)
                if seen
                else "—",
            ),
            (view.t("clock_offset"), _offset(row, rules.clock_offset_s) if seen else "—"),
        ]
        facts_html = "".join(f"<tr><th>{esc(k)}</th><td>{v}</td></tr>" for k, v in facts)
        hours_links = " · ".join(
            f'<a href="/console/kiosks/{esc(kiosk_id)}?hours={h}">{h} h</a>'
            for h in (6, 24, 72, 168)
        )
        if beats:
            chart = svg.timeline(
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
                        lambda b: (
                            svg.GREY
                            if b.acceptor is None
                            else svg.GREEN
                            if b.acceptor in good_acceptor
                            else svg.AMBER
                            if b.acceptor in ACCEPTOR_WARN
                            else svg.RED
                        ),
                        lambda b: b.acceptor or "",
                    ),
                    svg.Lane(
                        view.t("printer"),
                        lambda b: (
                            svg.GREY
                            if b.printer is None
                            else svg.GREEN
                            if b.printer == "ready"
                            else svg.AMBER
                            if b.printer == "paper_near_end"
                            else svg.RED
                        ),
                        lambda b: b.printer or "",
                    ),
                ],
            )
        else:
            chart = f'<p class="muted" id="timeline-empty">{esc(view.t("no_heartbeat"))}</p>'
        legend = (
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
        payments_table = web.table(
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
        alert_rows = web.table(
            [
                (view.t("kind"), ""),
                (view.t("detail"), "wrap"),
                (view.t("raised_at"), ""),
                (view.t("state"), ""),
            ],
            (
                [
                    esc(view.t("alert_" + a.kind)),
                    esc(alert_words.shown(a.kind, a.detail, view.lang)),
                    view.when(a.raised_at),
                    _alert_state(view, a),
                ]
                for a in kiosk_alerts
            ),
            table_id="kiosk-alerts",
        )
        command_rows = web.table(
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
        assert view.session is not None
        send_form = ""
        if view.session.operator.may(Role.OPERATOR):
            kinds = "".join(
                f'<option value="{k.value}">{esc(view.t("cmd_" + k.value))}</option>'
                for k in CommandKind
            )
            methods = "".join(f'<option value="{m}">{m}</option>' for m in commands.METHODS)
            send_form = (
                f'<form class="bar" method="post" action="/console/kiosks/{esc(kiosk_id)}/commands" id="command-form">'
                f"{view.csrf_field()}"
                f'<label>{esc(view.t("kind"))}<select name="kind" id="command-kind">{kinds}</select></label>'
                f'<label>{esc(view.t("message"))}<input name="message" id="command-message" maxlength="200"></label>'
                f'<label>{esc(view.t("method"))}<select name="method" id="command-method">{methods}</select></label>'
                f'<label>{esc(view.t("hours"))}<input name="hours" type="number" min="1" max="168" value="24" style="width:5rem"></label>'
                f'<button class="primary" type="submit" id="command-send">{esc(view.t("send"))}</button></form>'
            )
        security = ""
        if view.session.operator.may(Role.ADMIN):
            security = (
                f"<h2>{esc(view.t('security'))}</h2><div class=bar>"
                f'<form method="post" action="/console/kiosks/{esc(kiosk_id)}/rotate">{view.csrf_field()}'
                f'<button class="primary" type="submit" id="rotate">{esc(view.t("rotate_secret"))}</button></form>'
                f'<form method="post" action="/console/kiosks/{esc(kiosk_id)}/pair-code">{view.csrf_field()}'
                f'<button class="primary" type="submit" id="pair-code">{esc(view.t("pair_code"))}</button></form>'
                "</div>"
            )
            if row.secret_previous_until is not None and row.secret_previous_until > now:
                security += f'<p class="muted">{esc(view.t("old_secret_valid_until"))} {view.when(row.secret_previous_until)}</p>'
        notice = ""
        if request.query_params.get("sent"):
            notice = f'<div class="notice" id="notice">{esc(view.t("sent"))}: {esc(request.query_params["sent"])}</div>'
        body = (
            f'<h1 id="kiosk-title">{esc(view.t("kiosk"))} {esc(kiosk_id)} <span class="muted">{esc(row.name if row.name != kiosk_id else "")}</span></h1>'
            f"{notice}<div class=grid-kiosk><table id=facts>{facts_html}</table>"
            f"<div><h2 style='margin-top:0'>{esc(view.t('alerts'))}</h2>{alert_rows}</div></div>"
            f"<h2>{esc(view.t('history'))}</h2>{chart}{legend}"
            f"<h2>{esc(view.t('commands'))}</h2>{send_form}{command_rows}"
            f"<h2>{esc(view.t('recent_payments'))}</h2>{payments_table}{security}"
            f'<p><a href="/console/audit?kiosk={esc(kiosk_id)}">{esc(view.t("audit"))}</a> · '
            f'<a href="/console/cashbook?kiosk={esc(kiosk_id)}">{esc(view.t("cashbook"))}</a></p>'
        )
        return view.page("kiosk", body, here="fleet")

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
            if a.cleared_at is not None:
                state = _pill(view.t("cleared"), "ok", "cleared")
            elif a.acknowledged_at is not None:
                state = _pill(view.t("acknowledged"), "warn", "acknowledged")
            else:
                state = _pill(view.t("raised"), "bad", "raised")
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
                    esc(alert_words.shown(a.kind, a.detail, view.lang)),
                    state,
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
        return web.redirect(
            request.headers.get("referer", "/console/alerts")
            if False
            else "/console/alerts?show=all"
        )


def install_security(app: FastAPI, central: Central, posted: Posted) -> None:
    """Admins rotate a kiosk's secret (shown once) or issue a one-time pairing code."""

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
