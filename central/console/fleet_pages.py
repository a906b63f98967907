"""The fleet page: every kiosk's state at a glance, counted by state, filtered, a page at a time."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from central import db, fleet_view
from central.console import fleet_cells, web
from central.console.access import Current
from central.console.web import View, esc
from central.context import Central

COLUMNS = (
    ("kiosk", ""),
    ("district", ""),
    ("state", ""),
    ("acceptor", ""),
    ("printer", ""),
    ("cashbox_fill", "num"),
    ("outbox", "num"),
    ("clock_offset", "num"),
    ("version", ""),
    ("last_payment", ""),
    ("alerts", "num"),
)


def install(app: FastAPI, central: Central, current: Current) -> None:
    rules = central.config.alerts

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
                    fleet_cells.online_cell(view, r, now, rules.offline_after_s),
                    fleet_cells.acceptor(r.acceptor) if seen else "—",
                    fleet_cells.printer(r.printer) if seen else "—",
                    fleet_cells.fill(r, rules.cashbox_full_pct) if seen else "—",
                    fleet_cells.outbox(view, r, now, rules.outbox_backlog, rules.outbox_oldest_s)
                    if seen
                    else "—",
                    fleet_cells.offset(r, rules.clock_offset_s) if seen else "—",
                    esc(r.version or "—"),
                    view.when(found.last_payment.get(r.kiosk_id)),
                    (
                        f'<a class="bad" href="/console/alerts?kiosk={esc(r.kiosk_id)}">{r.open_alerts}</a>'
                        if r.open_alerts
                        else ""
                    ),
                ]
            )
        body = (
            f"<h1>{esc(view.t('fleet'))}</h1>"
            f"<div class=cards>{_count_cards(view, found, district)}</div>"
            f"{_filters(view, found, state, district)}"
            + web.table([(view.t(key), css) for key, css in COLUMNS], rows, table_id="fleet")
            + _page_links(view, found, state, district, page)
        )
        return view.page("fleet", body, here="fleet")


def _count_cards(view: View, found: fleet_view.FleetPage, district: str) -> str:
    """One card per state with its count, each a link to the fleet filtered by it."""
    return "".join(
        f'<a class="card" id="count-{key}" href="/console/fleet?{web.query_string(state="" if key == "all" else key, district=district)}">'
        f"{esc(view.t(key if key != 'all' else 'kiosks_total'))}<b>{found.counts[key]}</b></a>"
        for key in ("all", "online", "offline", "alerting", "never_seen")
    )


def _filters(view: View, found: fleet_view.FleetPage, state: str, district: str) -> str:
    states = "".join(
        f'<option value="{s}"{" selected" if s == state else ""}>{esc(view.t(s))}</option>'
        for s in fleet_view.STATES
    )
    districts = "".join(
        f'<option value="{esc(d)}"{" selected" if d == district else ""}>{esc(d)}</option>'
        for d in found.districts
    )
    return (
        '<form class="bar" method="get" action="/console/fleet">'
        f'<label>{esc(view.t("state"))}<select name="state" id="state">'
        f'<option value="">{esc(view.t("all"))}</option>{states}</select></label>'
        f'<label>{esc(view.t("district"))}<select name="district" id="district">'
        f'<option value="">{esc(view.t("all"))}</option>{districts}</select></label>'
        f'<button class="primary" type="submit">{esc(view.t("filter"))}</button></form>'
    )


def _page_links(
    view: View, found: fleet_view.FleetPage, state: str, district: str, page: int
) -> str:
    pages = max(1, -(-found.total_matching // fleet_view.PAGE_SIZE))
    if pages == 1:
        return ""
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
    return f'<p class="bar">{" · ".join(links)}</p>'
