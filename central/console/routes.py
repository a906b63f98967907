"""Routes of the console. Reads need any role; changes need the role each route names, a
session and the form's CSRF token; each change is written to the audit log with it."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from central import audit, db, operators
from central.console import web
from central.console.i18n import text
from central.console.web import View, esc
from central.context import Central
from central.schema_fleet import Role

Handler = Callable[[View], Awaitable[Response]]


def install(app: FastAPI, central: Central) -> None:  # noqa: PLR0915 - one short route each
    zone = central.config.server.zone
    secure = central.config.console.cookie_secure

    async def current(request: Request) -> View | Response:
        token = request.cookies.get(web.SESSION_COOKIE)
        session = await run_in_threadpool(operators.session, central, token)
        if session is None:
            target = request.url.path + ("?" + request.url.query if request.url.query else "")
            return web.redirect("/console/login?" + web.query_string(next=target))
        return View(request, web.lang_of(request), session, zone)

    async def posted(request: Request, role: Role) -> tuple[View, dict[str, str]] | Response:
        view = await current(request)
        if isinstance(view, Response):
            return view
        fields = await web.form(request)
        assert view.session is not None
        if not web.csrf_ok(view.session, fields):
            return _notice(view, "csrf_failed", 403)
        if not view.session.operator.may(role):
            return _notice(view, "forbidden", 403)
        return view, fields

    app.state.console_current = current
    app.state.console_posted = posted

    @app.get("/console", include_in_schema=False)
    async def console_root() -> Response:
        return web.redirect("/console/fleet")

    @app.get("/console/lang/{lang}", include_in_schema=False)
    async def switch_language(lang: str, next: str | None = None) -> Response:
        response = web.redirect(web.safe_next(next))
        if lang in ("zh", "en"):
            response.set_cookie(
                web.LANG_COOKIE,
                lang,
                max_age=365 * 86400,
                path="/console",
                samesite="lax",
                secure=secure,
            )
        return response

    @app.get("/console/login", include_in_schema=False)
    async def login_form(request: Request, next: str | None = None) -> Response:
        return _login_page(View(request, web.lang_of(request), None, zone), next, None)

    @app.post("/console/login", include_in_schema=False)
    async def login(request: Request) -> Response:
        view = View(request, web.lang_of(request), None, zone)
        fields = await web.form(request)
        cookie = request.cookies.get(web.LOGIN_CSRF_COOKIE, "")
        if not cookie or not secrets.compare_digest(cookie, fields.get("csrf", "")):
            return _login_page(view, fields.get("next"), view.t("csrf_failed"), status=403)
        try:
            session = await run_in_threadpool(
                operators.login, central, fields.get("name", "")[:64], fields.get("password", "")
            )
        except operators.LoginRefused as exc:
            message = view.t("login_refused")
            if exc.locked_until is not None:
                message = f"{view.t('locked_until')} {view.when(exc.locked_until)}"
            return _login_page(view, fields.get("next"), message, status=401)
        response = web.redirect(web.safe_next(fields.get("next")))
        response.set_cookie(
            web.SESSION_COOKIE,
            session.token,
            httponly=True,
            samesite="strict",
            secure=secure,
            path="/console",
        )
        response.delete_cookie(web.LOGIN_CSRF_COOKIE, path="/console")
        return response

    @app.post("/console/logout", include_in_schema=False)
    async def logout(request: Request) -> Response:
        checked = await posted(request, Role.VIEWER)
        if isinstance(checked, Response):
            return checked
        view, _ = checked
        assert view.session is not None
        await run_in_threadpool(operators.logout, central, view.session)
        response = web.redirect("/console/login")
        response.delete_cookie(web.SESSION_COOKIE, path="/console")
        return response

    @app.get("/console/audit", include_in_schema=False)
    async def audit_page(request: Request, kiosk: str | None = None) -> Response:
        view = await current(request)
        if isinstance(view, Response):
            return view

        def rows() -> list[Any]:
            with db.read(central.engine) as conn:
                return audit.recent(conn, limit=300, kiosk_id=kiosk or None)

        found = await run_in_threadpool(rows)
        body = f"<h1>{esc(view.t('audit'))}</h1>" + web.table(
            [
                (view.t("time"), ""),
                (view.t("actor"), ""),
                (view.t("action"), ""),
                (view.t("kiosk"), ""),
                (view.t("detail"), "wrap"),
            ],
            (
                [
                    view.when(r.at, seconds=True),
                    esc(r.actor),
                    esc(text(view.lang, "act_" + r.action).removeprefix("act_")),
                    esc(r.kiosk_id or ""),
                    f'<span class="muted">{esc(r.detail)}</span>',
                ]
                for r in found
            ),
            table_id="audit",
        )
        return view.page("audit", body, here="audit")

    from central.console import pages

    pages.install(app, central, current, posted)


def _notice(view: View, key: str, status: int) -> Response:
    body = f'<div class="notice bad" id="problem">{esc(view.t(key))}</div>'
    return view.page(key, body, status=status)


def _login_page(
    view: View, next_path: str | None, problem: str | None, status: int = 200
) -> Response:
    token = secrets.token_urlsafe(24)
    notice = f'<div class="notice bad" id="problem">{esc(problem)}</div>' if problem else ""
    body = (
        f'<div class="login"><h1>{esc(view.t("console"))}</h1>{notice}'
        '<form method="post" action="/console/login">'
        f'<input type="hidden" name="csrf" value="{token}">'
        f'<input type="hidden" name="next" value="{esc(web.safe_next(next_path))}">'
        f"<label>{esc(view.t('name'))}"
        '<input name="name" id="name" autocomplete="username" required></label>'
        f'<label>{esc(view.t("password"))}<input name="password" id="password" type="password" '
        'autocomplete="current-password" required></label>'
        f'<button class="primary" type="submit" id="submit">{esc(view.t("login"))}</button>'
        "</form></div>"
    )
    response = view.page("login", body, status=status)
    response.set_cookie(
        web.LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        path="/console",
        secure=view.request.url.scheme == "https",
    )
    return response
