"""The collection-rate report page (电费回收率): totals, by channel, district and category,
arrears by age; charts as inline SVG; CSV export."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from central import collection_rate, db
from central.console import svg, web
from central.console.access import Current, Posted
from central.console.cash_pages import csv_response, period, period_form
from central.console.web import View, esc, yuan
from central.context import Central

ARREARS_TTL_S = 300


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _label(view: View, key: str) -> str:
    if key == collection_rate.UNSET:
        return view.t("unknown")
    if key in ("residential", "non_residential"):
        return view.t(key)
    if key.startswith("kiosk:"):
        return f"{view.t('kiosk_channel')} · {key.split(':', 1)[1]}"
    return key


def install(app: FastAPI, central: Central, current: Current, _posted: Posted) -> None:
    zone = central.config.server.zone
    # Arrears cover every unpaid bill (not a period): computed at most every ARREARS_TTL_S
    # per process and shown with the time they were computed.
    arrears_cache: dict[date, tuple[datetime, dict[str, dict[str, int]]]] = {}

    @app.get("/console/collection-rate", include_in_schema=False)
    async def report_page(request: Request, format: str = "") -> Response:
        view = await current(request)
        if isinstance(view, Response):
            return view
        first, last = period(
            central, request.query_params.get("from", ""), request.query_params.get("to", "")
        )

        def read() -> tuple[collection_rate.Report, datetime]:
            now = central.now()
            collection_rate.summarize(central.engine, first, last, zone, now)
            with db.read(central.engine) as conn:
                cached = arrears_cache.get(central.today())
                if cached is None or (now - cached[0]).total_seconds() > ARREARS_TTL_S:
                    cached = (now, collection_rate.arrears(conn, central.today()))
                    arrears_cache.clear()
                    arrears_cache[central.today()] = cached
                report = collection_rate.build(
                    conn, first, last, zone, central.today(), arrears_now=cached[1]
                )
                return report, cached[0]

        report, arrears_at = await run_in_threadpool(read)
        if format == "csv":
            return csv_response(
                collection_rate.to_csv(report), f"collection-rate-{first}-{last}.csv"
            )
        export = f'<p><a id="export" href="/console/collection-rate?{web.query_string(format="csv", **{"from": first.isoformat(), "to": last.isoformat()})}">{esc(view.t("csv"))}</a></p>'
        cards = (
            "<div class=cards>"
            f"<div class=card>{esc(view.t('billed'))}<b id=billed>{yuan(report.billed_fen)}</b></div>"
            f"<div class=card>{esc(view.t('collected'))}<b id=collected>{yuan(report.collected_fen)}</b></div>"
            f"<div class=card>{esc(view.t('rate'))}<b id=rate>{_pct(report.rate)}</b></div>"
            "</div>"
        )
        legend = (view.t("billed"), view.t("collected"))

        def split_table(ident: str, head: str, splits: dict[str, collection_rate.Split]) -> str:
            ordered = sorted(splits.items(), key=lambda kv: (kv[0] == collection_rate.UNSET, kv[0]))
            chart = svg.bars(
                [(_label(view, k), s.billed_fen, s.collected_fen) for k, s in ordered],
                legend=legend,
                money=yuan,
                chart_id=f"{ident}-chart",
            )
            table = web.table(
                [
                    (head, ""),
                    (view.t("billed"), "num"),
                    (view.t("collected"), "num"),
                    (view.t("rate"), "num"),
                ],
                (
                    [esc(_label(view, k)), yuan(s.billed_fen), yuan(s.collected_fen), _pct(s.rate)]
                    for k, s in ordered
                ),
                table_id=ident,
            )
            return f"<div>{table}</div><div>{chart}</div>"

        channels = web.table(
            [(view.t("channel"), ""), (view.t("collected"), "num"), ("%", "num")],
            (
                [
                    esc(_label(view, c)),
                    yuan(a),
                    _pct(a / report.collected_fen if report.collected_fen else None),
                ]
                for c, a in report.collected_by_channel.items()
            ),
            table_id="channels",
        )
        channel_chart = svg.stacked_columns(
            [(_label(view, c), [a]) for c, a in report.collected_by_channel.items()],
            series=[(view.t("collected"), svg.BLUE)],
            money=yuan,
            chart_id="channels-chart",
        )
        categories = sorted(
            {c for per in report.arrears.values() for c in per} | {"residential", "non_residential"}
        )
        colours = [svg.BLUE, svg.AMBER, svg.GREEN, svg.RED]
        arrears_chart = svg.stacked_columns(
            [
                (f"{b} {view.t('days')}", [report.arrears[b].get(c, 0) for c in categories])
                for b in collection_rate.BUCKETS
            ],
            series=[(view.t(c), colours[i % len(colours)]) for i, c in enumerate(categories)],
            money=yuan,
            chart_id="arrears-chart",
        )
        arrears_table = web.table(
            [(view.t("arrears"), "")]
            + [(view.t(c), "num") for c in categories]
            + [(view.t("total"), "num")],
            (
                [f"{b} {esc(view.t('days'))}"]
                + [yuan(report.arrears[b].get(c, 0)) for c in categories]
                + [yuan(sum(report.arrears[b].values()))]
                for b in collection_rate.BUCKETS
            ),
            table_id="arrears",
        )
        body = (
            f"<h1>{esc(view.t('collection_rate'))}</h1>"
            + period_form(view, "/console/collection-rate", first, last)
            + cards
            + export
            + f"<h2>{esc(view.t('by_channel'))}</h2><div class=grid2><div>{channels}</div><div>{channel_chart}</div></div>"
            + f"<h2>{esc(view.t('by_district'))}</h2><div class=grid2>{split_table('districts', view.t('district'), report.by_district)}</div>"
            + f"<h2>{esc(view.t('by_category'))}</h2><div class=grid2>{split_table('categories', view.t('category'), report.by_category)}</div>"
            + f"<h2>{esc(view.t('arrears'))} <span class=muted>({esc(view.t('as_of'))} {view.when(arrears_at)})</span></h2>"
            + f"<div class=grid2><div>{arrears_table}</div><div>{arrears_chart}</div></div>"
        )
        return view.page("collection_rate", body, here="collection_rate")
