"""``dayzero-conformance proxy``: forward a client's traffic to an upstream and judge every exchange.

Requests and answers pass byte for byte (any header the client sends, compressed bodies
included); the proxy only adds ``x-dayzero-contract: ok|violations=N`` to API answers
(``--quiet-headers`` leaves it out). API answers are JSON and small, so they are read whole
and judged before they are passed on; anything else (a presigned file, a page) streams
through unjudged and is listed as outside the API. ``GET /__proxy/report`` is the live report.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from itertools import count

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from conformance.traffic.exchange import TrafficExchange, decoded
from conformance.traffic.report import TrafficReport
from conformance.traffic.validator import API_PREFIX

# Hop-by-hop headers (RFC 9110) are the connection's, not the message's: never forwarded.
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade", "host"}
CONTRACT_HEADER = "x-dayzero-contract"


class TrafficProxy:
    """The proxy's ASGI app around one upstream and one report."""

    def __init__(
        self, upstream: str, report: TrafficReport, *, quiet_headers: bool = False, timeout: float = 60
    ) -> None:
        self.upstream = upstream.rstrip("/")
        self.report = report
        self.quiet_headers = quiet_headers
        self.exchanges: list[TrafficExchange] = []  # for --har
        self._client = httpx.AsyncClient(timeout=timeout, follow_redirects=False)
        self._ids = count(1)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/__proxy/report", self.live_report, methods=["GET"]),
                Route(
                    "/{path:path}", self.forward, methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
                ),
            ],
            on_shutdown=[self._client.aclose],
        )

    async def live_report(self, _request: Request) -> Response:
        return JSONResponse(self.report.to_json())

    async def forward(self, request: Request) -> Response:
        body = await request.body()
        query = request.url.query
        url = f"{self.upstream}{request.url.path}" + (f"?{query}" if query else "")
        headers = [
            (k, v) for k, v in request.headers.raw if k.decode("latin-1").lower() not in HOP_BY_HOP | {"content-length"}
        ]
        at, started = time.time(), time.perf_counter()
        outgoing = self._client.build_request(request.method, url, headers=headers, content=body)
        try:
            answer = await self._client.send(outgoing, stream=True)
        except httpx.TransportError as error:
            return JSONResponse(
                {"detail": f"dayzero-conformance proxy: cannot reach {self.upstream} ({error.__class__.__name__})"},
                status_code=502,
            )
        passed_headers = [(k, v) for k, v in answer.headers.raw if k.decode("latin-1").lower() not in HOP_BY_HOP]

        def exchange(raw: bytes) -> TrafficExchange:
            return TrafficExchange(
                id=f"x{next(self._ids):05d}",
                at=at,
                method=request.method,
                url=str(request.url),
                request_headers={k.lower(): v for k, v in request.headers.items()},
                request_body=body,
                status=answer.status_code,
                response_headers={k.lower(): v for k, v in answer.headers.items()},
                response_body=decoded(raw, answer.headers.get("content-encoding")),
                duration_ms=(time.perf_counter() - started) * 1000,
            )

        if request.url.path.startswith(API_PREFIX):
            raw = b"".join([chunk async for chunk in answer.aiter_raw()])
            await answer.aclose()
            seen = exchange(raw)
            verdict = self.report.add(seen)
            self.exchanges.append(seen)
            if not self.quiet_headers:
                count_ = len(verdict.violations)
                passed_headers.append((CONTRACT_HEADER.encode(), (f"violations={count_}" if count_ else "ok").encode()))
            return _raw_response(raw, answer.status_code, passed_headers)

        async def stream() -> AsyncIterator[bytes]:
            kept: list[bytes] = []
            try:
                async for chunk in answer.aiter_raw():
                    if sum(map(len, kept)) < 1_048_576:
                        kept.append(chunk)
                    yield chunk
            finally:
                await answer.aclose()
                seen = exchange(b"".join(kept))
                self.report.add(seen)
                self.exchanges.append(seen)

        response = StreamingResponse(stream(), status_code=answer.status_code)
        response.raw_headers = passed_headers
        return response


def _raw_response(body: bytes, status: int, headers: list[tuple[bytes, bytes]]) -> Response:
    """A response with exactly these headers and bytes (no media type or length added)."""
    response = Response(content=body, status_code=status)
    response.raw_headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
    response.raw_headers.append((b"content-length", str(len(body)).encode()))
    return response
