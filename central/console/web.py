"""What every console page shares: the operator's session, language, CSRF-checked forms,
the page frame (navigation, language switch) and small HTML helpers.

Pages are server-rendered HTML escaped with html.escape, no scripts; the Content-Security-Policy
forbids scripts and other origins. Forms are ``application/x-www-form-urlencoded`` and each
carries the session's CSRF token, compared in constant time before anything changes.
"""

from __future__ import annotations

import hmac
import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from urllib.parse import parse_qs, quote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from central import money
from central.console.i18n import DEFAULT_LANG, LANGS, text
from central.operators import Session

SESSION_COOKIE = "central_console"
LANG_COOKIE = "central_console_lang"
LOGIN_CSRF_COOKIE = "central_console_login"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

STYLE = """
*{box-sizing:border-box}
body{font-family:system-ui,"Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;margin:0;
background:#f3f5f7;color:#1d2731;font-size:14px}
header{background:#16324f;color:#fff;display:flex;align-items:center;gap:1.2rem;
padding:.6rem 1.2rem;flex-wrap:wrap}
header a{color:#d6e4f0;text-decoration:none}header a.here{color:#fff;font-weight:700;
border-bottom:2px solid #7fb3e6}
header .brand{font-weight:700;font-size:1.05rem;color:#fff;margin-right:.8rem}
header .who{margin-left:auto;display:flex;gap:.8rem;align-items:center}
header form{margin:0}header button{background:none;border:1px solid #7fb3e6;color:#fff;
border-radius:4px;padding:.15rem .6rem;cursor:pointer}
main{padding:1rem 1.2rem;max-width:1400px}
h1{font-size:1.3rem;margin:.2rem 0 1rem}h2{font-size:1.1rem;margin:1.4rem 0 .6rem}
table{border-collapse:collapse;background:#fff;width:100%;box-shadow:0 1px 3px rgba(0,0,0,.08)}
th,td{text-align:left;padding:.35rem .55rem;border-bottom:1px solid #e3e6e8;white-space:nowrap}
th{background:#eef2f5;font-weight:600;color:#3c4a56}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#137333}.bad{color:#b3261e;font-weight:600}.warn{color:#a15c00;font-weight:600}
.muted{color:#6b7780}
.pill{display:inline-block;border-radius:10px;padding:0 .5rem;font-size:.85em}
.pill.ok{background:#e6f4ea}.pill.bad{background:#fce8e6}.pill.warn{background:#fef7e0}
.pill.muted{background:#eceff1}
form.inline{display:inline}
.bar{display:flex;gap:.6rem;align-items:end;flex-wrap:wrap;margin-bottom:.8rem}
.bar label{display:flex;flex-direction:column;gap:.15rem;font-size:.85em;color:#3c4a56}
input,select{font:inherit;padding:.3rem .4rem;border:1px solid #b8c2cb;border-radius:4px}
button.primary{background:#1a73e8;color:#fff;border:0;border-radius:4px;padding:.4rem .9rem;
font:inherit;cursor:pointer}
button.small{font-size:.85em;padding:.15rem .5rem}
.cards{display:flex;gap:.8rem;flex-wrap:wrap;margin-bottom:1rem}
.card{background:#fff;border-radius:6px;padding:.6rem 1rem;box-shadow:0 1px 3px rgba(0,0,0,.08);
min-width:9rem;color:inherit;text-decoration:none}.card b{display:block;font-size:1.4rem}
a.card:hover{box-shadow:0 0 0 2px #7fb3e6}
td.wrap{white-space:normal;overflow-wrap:anywhere;min-width:12rem}
.sw{display:inline-block;width:.8em;height:.8em;border-radius:2px;vertical-align:-1px}
.notice{background:#e8f0fe;border-left:4px solid #1a73e8;padding:.6rem 1rem;margin-bottom:1rem}
.notice.bad{background:#fce8e6;border-color:#b3261e}
code.secret{font-size:1.1rem;background:#fff;padding:.2rem .4rem;border:1px dashed #b3261e}
.login{max-width:22rem;margin:4rem auto;background:#fff;padding:1.5rem;border-radius:8px;
box-shadow:0 1px 4px rgba(0,0,0,.12)}.login label{display:block;margin:.6rem 0}
.login input{width:100%}
.grid2{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:1.2rem}
.grid-kiosk{display:grid;grid-template-columns:minmax(0,2fr) minmax(0,3fr);gap:1.2rem}
@media (max-width:900px){.grid2,.grid-kiosk{grid-template-columns:1fr}}
svg text{font-family:inherit}
.scroll{overflow-x:auto}
"""

NAV = (
    ("fleet", "/console/fleet"),
    ("alerts", "/console/alerts"),
    ("cash", "/console/cash"),
    ("cashbook", "/console/cashbook"),
    ("collection_rate", "/console/collection-rate"),
    ("audit", "/console/audit"),
)


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value))


def yuan(fen: int | None) -> str:
    """An amount in a table cell; a dash where there is none."""
    return "—" if fen is None else money.yuan(fen)


def lang_of(request: Request) -> str:
    lang = request.cookies.get(LANG_COOKIE, DEFAULT_LANG)
    return lang if lang in LANGS else DEFAULT_LANG


@dataclass
class View:
    """One request's view: language, session (None on the login page), time zone."""

    request: Request
    lang: str
    session: Session | None
    zone: tzinfo

    def t(self, key: str) -> str:
        return text(self.lang, key)

    def when(self, instant: datetime | None, *, seconds: bool = False) -> str:
        if instant is None:
            return "—"
        local = instant.astimezone(self.zone)
        return local.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")

    def csrf_field(self) -> str:
        token = self.session.csrf_token if self.session else ""
        return f'<input type="hidden" name="csrf" value="{esc(token)}">'

    def page(self, title_key: str, body: str, *, here: str = "", status: int = 200) -> Response:
        nav = ""
        who = ""
        if self.session is not None:
            nav = "".join(
                f'<a href="{href}"{" class=here" if key == here else ""}>{esc(self.t(key))}</a>'
                for key, href in NAV
            )
            operator = self.session.operator
            who = (
                f'<span id="operator">{esc(operator.name)} ({esc(operator.role)})</span>'
                f'<form method="post" action="/console/logout">{self.csrf_field()}'
                f'<button type="submit" id="logout">{esc(self.t("logout"))}</button></form>'
            )
        other = "en" if self.lang == "zh" else "zh"
        back = quote(
            self.request.url.path + ("?" + self.request.url.query if self.request.url.query else "")
        )
        switch = (
            f'<a id="lang" href="/console/lang/{other}?next={back}" lang="{other}">'
            f"{esc(self.t('lang_switch'))}</a>"
        )
        document = (
            f'<!doctype html><html lang="{"zh-CN" if self.lang == "zh" else "en"}"><head>'
            '<meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width,initial-scale=1">'
            f"<title>{esc(self.t(title_key))} · {esc(self.t('console'))}</title>"
            f"<style>{STYLE}</style></head><body><header>"
            f'<span class="brand">{esc(self.t("console"))}</span>{nav}'
            f'<span class="who">{who}{switch}</span></header>'
            f"<main>{body}</main></body></html>"
        )
        return HTMLResponse(document, status_code=status, headers=SECURITY_HEADERS)


def redirect(to: str) -> RedirectResponse:
    return RedirectResponse(to, status_code=303, headers={"Cache-Control": "no-store"})


def safe_next(target: str | None) -> str:
    """Only a path on this console may follow a login or language switch (no open redirect)."""
    if target and target.startswith("/console") and "//" not in target and "\\" not in target:
        return target
    return "/console/fleet"


async def form(request: Request) -> dict[str, str]:
    """The urlencoded form's fields (the first value of each)."""
    body = (await request.body()).decode("utf-8", errors="replace")
    return {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}


def csrf_ok(session: Session, fields: Mapping[str, str]) -> bool:
    given = fields.get("csrf", "")
    return bool(given) and hmac.compare_digest(given.encode(), session.csrf_token.encode())


def table(
    headers: Iterable[tuple[str, str]], rows: Iterable[Iterable[str]], *, table_id: str = ""
) -> str:
    """``headers`` as (label, css class); cells are HTML already escaped by the caller."""
    heads = list(headers)
    head = "".join(f'<th class="{c}">{esc(label)}</th>' for label, c in heads)
    body = "".join(
        "<tr>"
        + "".join(f'<td class="{heads[i][1]}">{cell}</td>' for i, cell in enumerate(row))
        + "</tr>"
        for row in rows
    )
    ident = f' id="{table_id}"' if table_id else ""
    return (
        f'<div class="scroll"><table{ident}><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def query_string(**params: object) -> str:
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})
