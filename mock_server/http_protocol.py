"""uvicorn's httptools protocol, writing a response's head together with its first body bytes.

uvicorn writes the status line and headers to the socket as soon as the app sends
``http.response.start``, and the body in a second write: two sends per answer. On loopback a
send also runs the receiving side's TCP work, and the first of the two was the largest single
cost of a list request here (~22 % of the process, py-spy; benchmarks/README.md). This
protocol holds the head back until the next write (the body), the response's end, or the
connection's close, and sends them as one: the same bytes in the same order, one syscall.

Only a response head is held (a write starting ``HTTP/1.x`` with a status of 200 or more):
``100 Continue`` and ``101 Switching Protocols`` go out at once, and so does everything
written after a head. uvicorn is pinned (pyproject.toml) because this leans on two of its
protocol's methods (``connection_made``, ``on_response_complete``);
tests/mock_server/test_http_protocol.py fails if they move.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class _HeadHoldingTransport:
    """A transport that keeps back one response head until the next write, the response's end
    (``flush``) or ``close``; every other call goes to the real transport."""

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self._head: bytes | None = None

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self._head is not None:
            head, self._head = self._head, None
            self._transport.write(head + bytes(data))
        elif data[:7] == b"HTTP/1." and data[9:10] != b"1":
            self._head = bytes(data)
        else:
            self._transport.write(data)

    def flush(self) -> None:
        if self._head is not None:
            head, self._head = self._head, None
            self._transport.write(head)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class HeadWithBodyProtocol(HttpToolsProtocol):
    """``HttpToolsProtocol`` whose responses leave in one write when they can (module doc)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(_HeadHoldingTransport(transport))  # type: ignore[arg-type]

    def on_response_complete(self) -> None:
        self.transport.flush()  # type: ignore[attr-defined]  # a body-less answer: HEAD, 204, 304
        super().on_response_complete()
