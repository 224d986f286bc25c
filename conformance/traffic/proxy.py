"""``dayzero-conformance proxy``: forward a client's traffic to an upstream and judge every exchange.

Requests and answers pass byte for byte (any header the client sends, compressed bodies
included); the proxy only adds ``x-dayzero-contract: ok|violations=N`` to API answers
(``--quiet-headers`` leaves it out; ``unchecked`` if the validator itself failed). API
answers are JSON and small, so they are read whole and judged before they are passed on;
anything else streams through: a presigned file is judged afterwards against the download
answer that handed it out, anything else is listed as outside the API. ``GET
/__proxy/report`` is the live report.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator
from itertools import count

import aiohttp
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.types import ASGIApp, Receive, Scope, Send
from yarl import URL

from conformance.http import Exchange, decoded
from conformance.reporting.json_report import traffic_dict
from conformance.traffic.har import HarWriter
from conformance.traffic.results import TrafficResult
from conformance.traffic.validator import API_PREFIX

# Hop-by-hop headers (RFC 9110) are the connection's, not the message's: never forwarded.
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade", "host"}
CONTRACT_HEADER = "x-dayzero-contract"
UPSTREAM_CONNECTIONS = 100  # at most this many requests upstream at once; the others wait for one


class TrafficProxy:
    """The proxy's ASGI app around one upstream and one result (what the traffic showed)."""

    def __init__(
        self,
        upstream: str,
        result: TrafficResult,
        *,
        quiet_headers: bool = False,
        timeout: float = 60,
        har: HarWriter | None = None,
        window: int | None = None,
    ) -> None:
        self.upstream = upstream.rstrip("/")
        self.result = result
        self.quiet_headers = quiet_headers
        self.har = har  # --har: every exchange written as it happens
        self.exchanges: deque[Exchange] = deque(maxlen=window)  # the last ones, in memory
        # As httpx did: a limit per step (connect, each read), none on a whole download.
        self._timeout = aiohttp.ClientTimeout(total=None, connect=timeout, sock_read=timeout)
        self._session: aiohttp.ClientSession | None = None  # made in the server's loop, at first use
        self._session_loop: asyncio.AbstractEventLoop | None = None
        self._ids = count(1)

    def _upstream(self) -> aiohttp.ClientSession:
        """The upstream client: aiohttp (its HTTP parser is C; httpx's pool cost ~60% of the proxy's
        CPU under load, benchmarks/README.md). Every connection it opens is kept alive; nothing is
        decompressed, no cookie kept, no header of its own added (the client's pass as sent)."""
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._session_loop is not loop:
            self._session_loop = loop
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=UPSTREAM_CONNECTIONS),
                timeout=self._timeout,
                auto_decompress=False,
                cookie_jar=aiohttp.DummyCookieJar(),
                skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding", "Content-Type"),
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    def app(self) -> ASGIApp:
        """The proxy as an ASGI app. No router: every path goes upstream as sent (a router's path
        patterns would answer a 404 of their own to paths they cannot match, e.g. one with an
        encoded newline), but /__proxy/report."""

        async def proxy_app(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "lifespan":
                while True:
                    message = await receive()
                    if message["type"] == "lifespan.startup":
                        await send({"type": "lifespan.startup.complete"})
                    elif message["type"] == "lifespan.shutdown":
                        await self.close()
                        await send({"type": "lifespan.shutdown.complete"})
                        return
            if scope["type"] != "http":
                return
            request = Request(scope, receive)
            handler = self.live_report if scope["path"] == "/__proxy/report" else self.forward
            response = await handler(request)
            await response(scope, receive, send)

        return proxy_app

    def _keep(self, seen: Exchange) -> None:
        self.exchanges.append(seen)
        if self.har is not None:
            self.har.add(seen)

    async def live_report(self, _request: Request) -> Response:
        return JSONResponse(traffic_dict(self.result))

    async def forward(self, request: Request) -> Response:
        body = await request.body()
        # The path and query exactly as the client sent them (still percent-encoded): byte for byte.
        raw_path = request.scope.get("raw_path") or request.url.path.encode()
        query = request.scope.get("query_string", b"")
        target = raw_path.decode("latin-1") + (f"?{query.decode('latin-1')}" if query else "")
        skipped = HOP_BY_HOP | {"content-length"}
        headers = [(k, v) for k, v in request.headers.raw if k.decode("latin-1").lower() not in skipped]
        at, started = time.time(), time.perf_counter()
        try:
            answer = await self._upstream().request(
                request.method,
                URL(f"{self.upstream}{target}", encoded=True),
                headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in headers],
                data=body or None,
                allow_redirects=False,
            )
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            return JSONResponse(
                {"detail": f"dayzero-conformance proxy: cannot reach {self.upstream} ({error.__class__.__name__})"},
                status_code=502,
            )
        passed_headers = [(k, v) for k, v in answer.raw_headers if k.decode("latin-1").lower() not in HOP_BY_HOP]

        def exchange(raw: bytes) -> Exchange:
            return Exchange(
                id=f"x{next(self._ids):05d}",
                at=at,
                method=request.method,
                url=f"{request.url.scheme}://{request.url.netloc}{target}",
                headers={k.lower(): v for k, v in request.headers.items()},
                body=body,
                status=answer.status,
                response_headers=_joined(answer.raw_headers),
                content=decoded(raw, answer.headers.get("content-encoding")),
                duration_ms=(time.perf_counter() - started) * 1000,
            )

        if request.url.path.startswith(API_PREFIX):
            try:
                raw = await answer.read()
            except (aiohttp.ClientError, TimeoutError) as error:
                return JSONResponse(
                    {"detail": f"dayzero-conformance proxy: {self.upstream} broke off ({error.__class__.__name__})"},
                    status_code=502,
                )
            finally:
                answer.release()
            seen = exchange(raw)
            self._keep(seen)
            try:
                violations = len(self.result.add(seen).findings)
                verdict = f"violations={violations}" if violations else "ok"
            except Exception as error:  # the answer passes on whatever the validator made of it
                self.result.ignored.append(f"{seen.method} {seen.url} (not judged: {type(error).__name__}: {error})")
                verdict = "unchecked"
            if not self.quiet_headers:
                passed_headers.append((CONTRACT_HEADER.encode(), verdict.encode()))
            return _raw_response(raw, answer.status, passed_headers)

        async def stream() -> AsyncIterator[bytes]:
            kept: list[bytes] = []
            try:
                async for chunk in answer.content.iter_any():
                    if sum(map(len, kept)) < 1_048_576:
                        kept.append(chunk)
                    yield chunk
            finally:
                answer.release()
                seen = exchange(b"".join(kept))
                self.result.add(seen)
                self._keep(seen)

        response = StreamingResponse(stream(), status_code=answer.status)
        response.raw_headers = passed_headers
        return response


def _raw_response(body: bytes, status: int, headers: list[tuple[bytes, bytes]]) -> Response:
    """A response with exactly these headers and bytes (no media type or length added)."""
    response = Response(content=body, status_code=status)
    response.raw_headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
    response.raw_headers.append((b"content-length", str(len(body)).encode()))
    return response


def _joined(raw: tuple[tuple[bytes, bytes], ...]) -> dict[str, str]:
    """Response headers by lower-case name, a repeated header's values joined with ", " (RFC 9110)."""
    headers: dict[str, str] = {}
    for key, value in raw:
        name, text = key.decode("latin-1").lower(), value.decode("latin-1")
        headers[name] = f"{headers[name]}, {text}" if name in headers else text
    return headers
