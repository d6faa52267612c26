"""The IA service's HTTP API: a Starlette (ASGI) app, served by uvicorn (docs/ia-service.md).

Every request first passes the client address's rate limit; bodies are read with a size limit,
checked (``check_request``), held to the account's rate limit (``limits.py``), then handled in a
worker thread (the database is blocking). Every answer is JSON; an error is
``{"error": {"code": "...", "message": "..."}}`` with the HTTP status of its code (and
``Retry-After`` with a 429). A client that goes away while sending its body is one line in the
log, not an error.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from appstore.core.errors import shorten
from appstore.core.ia.errors import ServiceError
from appstore.core.ia.protocol import MAX_BODY, check_request, format_time, too_large
from appstore.core.wallet.address import is_address
from appstore.service.limits import Limiter
from appstore.service.logic import IAService, ServiceConfig

log = logging.getLogger(__name__)
MAX_PAGE = 1000
DIVIDEND_EVERY = 30.0  # seconds between the background task's checks
NONCE_PURGE_EVERY = 600.0
Endpoint = Callable[[Request], Awaitable[Response]]


def error(code: str, message: str, status: int, retry_after: float | None = None) -> JSONResponse:
    headers = {"Retry-After": str(max(1, int(retry_after)))} if retry_after is not None else None
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
        raise too_large()
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise too_large()
        chunks.append(chunk)
    return b"".join(chunks)


def create_app(config: ServiceConfig, *, service: IAService | None = None,
               limits_clock: Callable[[], float] = time.monotonic) -> Starlette:
    """The ASGI app of one store's IA service (``service`` when the caller made it already;
    ``limits_clock``: the rate limits' clock, a test's own to refill a bucket without waiting)."""
    api = _Api(service or IAService(config), Limiter(config.limits, limits_clock))
    app = Starlette(routes=api.routes(), lifespan=api.lifespan,
                    exception_handlers={404: _not_found, 405: _not_allowed})
    app.state.service = api.svc
    return app


async def _not_found(request: Request, exc: Exception) -> Response:
    return error("not-found", f"there is no {shorten(request.url.path, 60)} here", 404)


async def _not_allowed(request: Request, exc: Exception) -> Response:
    return error("method", f"{request.method} is not allowed on {shorten(request.url.path, 60)}", 405)


class _Api:
    """The endpoints of one service, behind its rate limits."""

    def __init__(self, svc: IAService, limiter: Limiter) -> None:
        self.svc, self.limiter = svc, limiter

    def routes(self) -> list[Route]:
        guarded, post = self.guarded, self.post
        return [
            Route("/v1/info", guarded(self.info)),
            Route("/v1/ping", guarded(self.ping)),
            Route("/v1/claims", post("claim"), methods=["POST"]),
            Route("/v1/quotes", post("quote"), methods=["POST"]),
            Route("/v1/swaps", post("swap"), methods=["POST"]),
            Route("/v1/withdrawals", post("withdraw"), methods=["POST"]),
            Route("/v1/payments", post("pay"), methods=["POST"]),
            Route("/v1/stakes", post("stake"), methods=["POST"]),
            Route("/v1/games/rounds", guarded(self.game_rounds)),
            Route("/v1/games/rounds/{round_id}", guarded(self.game_rounds)),
            Route("/v1/accounts/{account}/receipts", guarded(self.receipts)),
            Route("/v1/accounts/{account}/status", guarded(self.status)),
        ]

    def guarded(self, fn: Endpoint) -> Endpoint:
        """``fn`` behind the client address's rate limit, its errors answered as JSON."""
        async def endpoint(request: Request) -> Response:
            peer = request.client.host if request.client else None
            try:
                address = self.limiter.client_address(peer, request.headers.get("x-forwarded-for"))
                request.state.address = address
                self.limiter.check_address(address)
                return await fn(request)
            except ServiceError as e:
                return error(e.code, e.message, e.status or 400, e.retry_after)
            except ClientDisconnect:  # nothing was done; one line, no traceback (a cheap flood otherwise)
                log.info("IA service: %s %s: the client %s went away before its request was complete",
                         request.method, request.url.path, peer or "(unknown)")
                return Response(status_code=400)
            except Exception:  # a bug: logged with its traceback, answered without details
                log.exception("IA service: %s %s failed", request.method, request.url.path)
                return error("internal", "the IA service failed; the request was not carried out", 500)
        return endpoint

    def post(self, action: str) -> Endpoint:
        """A signed request for ``action`` (``check_request``), held to the account's rate limit."""
        svc, limiter = self.svc, self.limiter

        async def endpoint(request: Request) -> Response:
            body = await _body(request)

            def work() -> dict[str, Any]:
                now = svc.now()
                _dividend(svc, now)
                req = check_request(body, svc.store, now, service_key=svc.policy.service_key, action=action)
                limiter.check_account(req.account)
                return svc.handle(req, now, address=request.state.address)
            return JSONResponse(await run_in_threadpool(work))
        return self.guarded(endpoint)

    async def receipts(self, request: Request) -> Response:
        svc = self.svc
        account = _account(request)
        since = _int_param(request, "since", 0, 2**53)
        limit = _int_param(request, "limit", 500, MAX_PAGE) or 500

        def work() -> dict[str, Any]:
            _dividend(svc)
            bodies = svc.storage.receipts(account, since, limit + 1)
            return {"bodies": bodies[:limit], "more": len(bodies) > limit}
        out = await run_in_threadpool(work)
        # the receipts as stored (their exact JSON), in an array
        more = "true" if out["more"] else "false"
        text = '{"receipts":[' + ",".join(out["bodies"]) + '],"more":' + more + "}"
        return Response(text, media_type="application/json")

    async def status(self, request: Request) -> Response:
        svc = self.svc
        account = _account(request)

        def work() -> dict[str, Any]:
            now = svc.now()
            _dividend(svc, now)
            return svc.status(account, now).to_json()
        return JSONResponse(await run_in_threadpool(work))

    async def game_rounds(self, request: Request) -> Response:
        svc = self.svc
        round_id = request.path_params.get("round_id")

        def work() -> dict[str, Any]:
            _dividend(svc)  # settles what is due first
            return {"rounds": svc.games.states(str(round_id)[:64] if round_id is not None else None)}
        return JSONResponse(await run_in_threadpool(work))

    async def info(self, request: Request) -> Response:
        svc = self.svc
        p = svc.policy
        return JSONResponse({"store": p.store, "service_key": p.service_key, "decimals": p.decimals,
                             "time": format_time(svc.now()), "swap": svc.terms is not None})

    async def ping(self, request: Request) -> Response:
        return JSONResponse({"ok": await run_in_threadpool(self.svc.storage.ping) == 1})

    @contextlib.asynccontextmanager
    async def lifespan(self, app: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(_background(self.svc))
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def _dividend(svc: IAService, now: datetime | None = None) -> None:
    """What is due before a request: the dividend, and the settlement of revealed game rounds."""
    try:
        svc.maybe_pay_dividend(now)
    except Exception:  # never fails a request; the next one tries again
        log.exception("IA service: paying the dividend failed")
    try:
        svc.settle_games(now)
    except Exception:  # idem: each round is settled in one transaction, or not at all
        log.exception("IA service: settling game rounds failed")


async def _background(svc: IAService) -> None:
    """Pays dividends on time even when no request comes, and forgets old nonces."""
    loop = asyncio.get_running_loop()
    last_purge = loop.time()
    while True:
        await asyncio.sleep(DIVIDEND_EVERY)
        await run_in_threadpool(_dividend, svc)
        if loop.time() - last_purge > NONCE_PURGE_EVERY:
            last_purge = loop.time()
            try:
                await run_in_threadpool(svc.storage.purge_nonces, svc.now())
            except Exception:
                log.exception("IA service: purging old nonces failed")


def _account(request: Request) -> str:
    account = request.path_params["account"]
    if not is_address(account):
        raise ServiceError("bad-address", f"{shorten(account, 40)!r} is not a BCD address", status=400)
    return str(account)


def _int_param(request: Request, name: str, default: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or len(raw) > 16 or int(raw) > high:
        raise ServiceError("malformed", f"{name} must be a whole number from 0 to {high}", status=400)
    return int(raw)
