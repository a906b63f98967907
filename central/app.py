"""The HTTP API (FastAPI): routes of docs/wire-format.md, the extra ones, and the two web pages.

Every answer that is not a page is JSON; every error is ``{"error": code, ...}``: a body that
is too large (413), malformed or invalid (400 naming the field), unsigned (401), and even an
unexpected failure (500 internal_error, logged) never answer with anything else.
Handlers run in the thread pool; the database decides idempotency, nonces and rate limits,
so any number of these processes can serve the same database.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from central import (
    __version__,
    accounts,
    auth,
    background,
    collections,
    commands,
    console,
    heartbeat,
    invoice_web,
    invoices,
    pages,
    pairing,
    paycode,
    payments,
    qr,
    receipts,
    resolutions,
    wire,
)
from central.config import CentralConfig, load
from central.context import Central
from central.db import make_engine, require_schema
from central.errors import ApiError, DatabaseError

log = logging.getLogger("central.app")

T = TypeVar("T")
LOOKUP = "account_lookup"


class BodyLimit:
    """413 body_too_large for a body over the limit, by Content-Length or as it streams in."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length" and (not value.isdigit() or int(value) > self.max_bytes):
                response = _error(self._too_large())
                await response(scope, receive, send)
                return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise self._too_large()
            return message

        await self.app(scope, counted, send)

    def _too_large(self) -> ApiError:
        return ApiError(413, "body_too_large", field="body", limit_bytes=self.max_bytes)


def _error(exc: ApiError) -> JSONResponse:
    headers = {}
    retry = exc.detail.get("retry_after_s")
    if isinstance(retry, int):
        headers["Retry-After"] = str(retry)
    return JSONResponse(exc.body(), status_code=exc.status, headers=headers)


def create_app(config: CentralConfig | None = None) -> FastAPI:
    """The application for ``config`` (default: central.toml and the CENTRAL_* environment)."""
    config = config or load()
    engine = make_engine(
        config.server.database_url,
        pool_size=config.server.db_pool_size,
        lock_wait_ms=config.payments.in_progress_wait_ms,
    )
    try:
        require_schema(engine)
    except BaseException:
        engine.dispose()  # its pooled connection would otherwise be closed by the collector
        raise
    central = Central(config, engine)
    app = FastAPI(
        title="Kiosk central server",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=background.lifespan(central),  # alerts sweep, webhooks, pruning
    )
    app.state.central = central
    app.add_middleware(BodyLimit, max_bytes=config.server.max_body_bytes)
    _install_error_handlers(app)
    _install_routes(app, central)
    _install_fleet_routes(app, central)
    _install_paycode_routes(app, central)
    console.install(app, central)
    return app


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory central.app:app_from_env`` (several workers)."""
    return create_app()


def _install_error_handlers(app: FastAPI) -> None:
    async def api_error(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return _error(exc)

    async def http_error(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return JSONResponse({"error": code}, status_code=exc.status_code)

    async def validation_error(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors = exc.errors()
        field = ".".join(str(p) for p in errors[0]["loc"]) if errors else "request"
        return JSONResponse(
            {"error": "invalid_request", "field": field, "message": "is invalid"}, 400
        )

    async def database_error(_request: Request, exc: Exception) -> Response:
        log.error("database unavailable: %s", exc)
        return JSONResponse(
            {"error": "database_unavailable"}, status_code=503, headers={"Retry-After": "5"}
        )

    async def unexpected(_request: Request, exc: Exception) -> Response:
        log.error("unexpected failure", exc_info=exc)
        return JSONResponse({"error": "internal_error"}, status_code=500)

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(DatabaseError, database_error)
    app.add_exception_handler(Exception, unexpected)


def _signed_path(request: Request) -> str:
    raw = request.scope.get("raw_path") or request.scope["path"].encode()
    query = request.scope.get("query_string", b"")
    path: str = raw.decode("latin-1")
    return f"{path}?{query.decode('latin-1')}" if query else path


def _install_routes(app: FastAPI, central: Central) -> None:
    async def signed(
        request: Request, work: Callable[[str, bytes], T], rate_limit: tuple[str, int] | None = None
    ) -> T:
        body = await request.body()
        path = _signed_path(request)

        def run() -> T:
            kiosk_id = auth.authenticate(
                central, request.method, path, request.headers, body, rate_limit=rate_limit
            )
            return work(kiosk_id, body)

        return await run_in_threadpool(run)

    def parsed(body: bytes) -> object:
        return wire.parse_json(body)

    def answered(result: Awaitable[tuple[int, dict[str, Any]]]) -> Awaitable[JSONResponse]:
        async def wrap() -> JSONResponse:
            status, body = await result
            return JSONResponse(body, status_code=status)

        return wrap()

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @app.get("/v1/ping")
    async def ping(request: Request) -> JSONResponse:
        body = await signed(request, lambda _k, _b: {"server_time": central.now().isoformat()})
        return JSONResponse(body)

    @app.get("/v1/accounts/{account_no}")
    async def get_account(request: Request, account_no: str) -> JSONResponse:
        limit = (LOOKUP, central.config.payments.lookup_rate_per_minute)

        def work(_kiosk: str, _body: bytes) -> dict[str, object]:
            return accounts.lookup(central, wire.account_no(account_no))

        return JSONResponse(await signed(request, work, rate_limit=limit))

    @app.post("/v1/payments")
    async def post_payment(request: Request) -> JSONResponse:
        # The hot path: signature, nonce and payment are checked and written in one transaction.
        body = await request.body()
        path = _signed_path(request)
        key = request.headers.get("idempotency-key")

        def run() -> tuple[int, dict[str, Any]]:
            call = auth.check(central, request.method, path, request.headers, body)
            return payments.post_payment(central, call, key)

        status, answer = await run_in_threadpool(run)
        return JSONResponse(answer, status_code=status)

    @app.post("/v1/payments/batch")
    async def post_batch(request: Request) -> JSONResponse:
        return JSONResponse(
            await signed(
                request, lambda kiosk, body: payments.post_batch(central, kiosk, parsed(body))
            )
        )

    @app.post("/v1/qr-orders")
    async def create_qr_order(request: Request) -> JSONResponse:
        return await answered(
            signed(request, lambda kiosk, body: qr.create(central, kiosk, parsed(body)))
        )

    @app.get("/v1/qr-orders/{order_id}")
    async def get_qr_order(request: Request, order_id: str) -> JSONResponse:
        return JSONResponse(
            await signed(request, lambda kiosk, _b: qr.status(central, kiosk, order_id))
        )

    @app.post("/v1/qr-orders/{order_id}/cancel")
    async def cancel_qr_order(request: Request, order_id: str) -> JSONResponse:
        return JSONResponse(
            await signed(request, lambda kiosk, _b: qr.cancel(central, kiosk, order_id))
        )

    @app.post("/v1/heartbeat")
    async def post_heartbeat(request: Request) -> JSONResponse:
        return JSONResponse(
            await signed(
                request, lambda kiosk, body: heartbeat.record(central, kiosk, parsed(body))
            )
        )

    @app.post("/v1/collections")
    async def post_collection(request: Request) -> JSONResponse:
        return await answered(
            signed(request, lambda kiosk, body: collections.record(central, kiosk, parsed(body)))
        )

    @app.post("/v1/resolutions")
    async def post_resolution(request: Request) -> JSONResponse:
        key = request.headers.get("idempotency-key")
        return await answered(
            signed(
                request, lambda kiosk, body: resolutions.record(central, kiosk, parsed(body), key)
            )
        )

    @app.get("/r/{txn_id}", response_class=HTMLResponse, include_in_schema=False)
    async def receipt(txn_id: str, h: str | None = None) -> HTMLResponse:
        found = await run_in_threadpool(receipts.find, central, txn_id, h)
        if found is None or await run_in_threadpool(
            invoices.reversed_payment, central, found.payment.id
        ):  # a reversed payment-code payment no longer verifies
            return HTMLResponse(pages.receipt_not_found(), status_code=404)
        return HTMLResponse(
            pages.receipt_page(
                found.payment,
                found.account_no,
                found.holder,
                found.kiosk_name,
                central.config.server.zone,
            )
        )

    if central.config.server.demo_wallet:

        @app.get("/pay/{order_id}", response_class=HTMLResponse, include_in_schema=False)
        async def wallet(order_id: str) -> HTMLResponse:
            if not wire.ORDER_ID.match(order_id):
                return HTMLResponse(pages.wallet_not_found(), status_code=404)
            try:
                view = await run_in_threadpool(qr.wallet_view, central, order_id)
            except ApiError:
                return HTMLResponse(pages.wallet_not_found(), status_code=404)
            return HTMLResponse(pages.wallet_page(view))

        @app.post("/pay/{order_id}", include_in_schema=False)
        async def wallet_pay(order_id: str) -> Response:
            if not wire.ORDER_ID.match(order_id):
                return HTMLResponse(pages.wallet_not_found(), status_code=404)
            try:
                await run_in_threadpool(qr.wallet_pay, central, order_id)
            except ApiError as exc:
                if exc.status == 404:
                    return HTMLResponse(pages.wallet_not_found(), status_code=404)
                raise
            return RedirectResponse(f"/pay/{order_id}", status_code=303)


def _install_fleet_routes(app: FastAPI, central: Central) -> None:
    """Pairing and command results (central/pairing.py, central/commands.py)."""

    @app.post("/v1/pair")
    async def post_pair(request: Request) -> JSONResponse:
        # Unsigned: the kiosk has no secret yet; the one-time code is the proof.
        body = await request.body()
        answer = await run_in_threadpool(pairing.pair, central, wire.parse_json(body))
        return JSONResponse(answer, headers={"Cache-Control": "no-store"})

    @app.post("/v1/commands/{command_id}/result")
    async def post_command_result(request: Request, command_id: str) -> JSONResponse:
        body = await request.body()
        path = _signed_path(request)

        def run() -> dict[str, Any]:
            kiosk_id = auth.authenticate(central, request.method, path, request.headers, body)
            return commands.record_result(central, kiosk_id, command_id, wire.parse_json(body))

        return JSONResponse(await run_in_threadpool(run))


def _install_paycode_routes(app: FastAPI, central: Central) -> None:
    """Payment codes (central/paycode.py) and the e-invoice page (central/invoice_web.py)."""

    async def signed(request: Request, work: Callable[[str, object], T]) -> T:
        body = await request.body()
        path = _signed_path(request)

        def run() -> T:
            kiosk_id = auth.authenticate(central, request.method, path, request.headers, body)
            return work(kiosk_id, wire.parse_json(body) if body.strip() else None)

        return await run_in_threadpool(run)

    @app.post("/v1/paycode-payments")
    async def post_paycode_payment(request: Request) -> JSONResponse:
        key = request.headers.get("idempotency-key")
        status, answer = await signed(
            request, lambda kiosk, raw: paycode.post(central, kiosk, raw, key)
        )
        return JSONResponse(answer, status_code=status)

    @app.get("/v1/paycode-payments/{txn_id}")
    async def get_paycode_payment(request: Request, txn_id: str) -> JSONResponse:
        return JSONResponse(
            await signed(request, lambda kiosk, _raw: paycode.status(central, kiosk, txn_id))
        )

    @app.post("/v1/paycode-payments/{txn_id}/cancel")
    async def cancel_paycode_payment(request: Request, txn_id: str) -> JSONResponse:
        return JSONResponse(
            await signed(request, lambda kiosk, _raw: paycode.cancel(central, kiosk, txn_id))
        )

    @app.get("/invoice/{txn_id}", include_in_schema=False)
    async def invoice_page(txn_id: str, h: str | None = None) -> Response:
        return await run_in_threadpool(invoice_web.show, central, txn_id, h)

    @app.post("/invoice/{txn_id}", include_in_schema=False)
    async def invoice_request(request: Request, txn_id: str, h: str | None = None) -> Response:
        body = await request.body()
        return await run_in_threadpool(invoice_web.submit, central, txn_id, h, body)

    @app.get("/invoice/{txn_id}/pdf", include_in_schema=False)
    async def invoice_pdf(txn_id: str, h: str | None = None) -> Response:
        return await run_in_threadpool(invoice_web.pdf, central, txn_id, h)
