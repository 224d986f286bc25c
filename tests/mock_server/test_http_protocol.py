"""The protocol that sends a response's head with its body (mock_server/http_protocol.py):
the same bytes as uvicorn's own protocol, in fewer writes, and nothing held that a client waits for."""

from __future__ import annotations

import asyncio
import socket

import pytest
import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from mock_server.http_protocol import HeadWithBodyProtocol, _HeadHoldingTransport


class RecordingTransport:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.writes.append(bytes(data))

    def close(self) -> None:
        self.closed = True

    def get_extra_info(self, name: str) -> str:
        return f"info:{name}"


def test_a_head_waits_for_its_body_and_leaves_with_it() -> None:
    real = RecordingTransport()
    held = _HeadHoldingTransport(real)  # type: ignore[arg-type]
    held.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
    assert real.writes == []
    held.write(b"{}")
    held.write(b"more")
    assert real.writes == [b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}", b"more"]
    assert held.get_extra_info("peername") == "info:peername"


def test_interim_answers_are_never_held_and_close_or_the_end_sends_a_lone_head() -> None:
    real = RecordingTransport()
    held = _HeadHoldingTransport(real)  # type: ignore[arg-type]
    held.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    held.write(b"HTTP/1.1 101 Switching Protocols\r\n\r\n")
    assert len(real.writes) == 2
    held.write(b"HTTP/1.1 204 No Content\r\n\r\n")
    held.flush()  # the response ended without a body write (HEAD, 204)
    held.write(b"HTTP/1.1 500 Internal Server Error\r\n\r\n")
    held.close()
    assert real.writes[2:] == [b"HTTP/1.1 204 No Content\r\n\r\n", b"HTTP/1.1 500 Internal Server Error\r\n\r\n"]
    assert real.closed


def test_the_uvicorn_methods_it_overrides_still_exist() -> None:
    # Pinned uvicorn; if an upgrade renames these, the protocol would silently stop holding heads.
    assert HttpToolsProtocol.connection_made is not HeadWithBodyProtocol.connection_made
    assert callable(HttpToolsProtocol.on_response_complete)
    assert "on_response=self.on_response_complete" in _source(HttpToolsProtocol.on_headers_complete)


def _source(function: object) -> str:
    import inspect

    return inspect.getsource(function)  # type: ignore[arg-type]


async def _app(scope: dict, receive, send) -> None:  # type: ignore[no-untyped-def]
    if scope["type"] != "http":
        return
    message = await receive()
    body = message.get("body", b"") or b"hello"
    status = 204 if scope["path"] == "/empty" else 200
    headers = [(b"content-length", str(0 if status == 204 else len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if status == 204 else body})


async def _exchange(port: int, request: bytes, until: bytes, *, then: bytes = b"") -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    received = b""
    while until not in received:
        received += await asyncio.wait_for(reader.read(65536), 5)
        if then and b"100 Continue" in received:
            writer.write(then)
            then = b""
    writer.close()
    return received


@pytest.mark.parametrize(
    ("request_bytes", "until", "then", "expected"),
    [
        (b"GET / HTTP/1.1\r\nhost: x\r\n\r\n", b"hello", b"", b"HTTP/1.1 200 OK"),
        (b"HEAD / HTTP/1.1\r\nhost: x\r\n\r\n", b"\r\n\r\n", b"", b"content-length: 5"),
        (b"GET /empty HTTP/1.1\r\nhost: x\r\n\r\n", b"\r\n\r\n", b"", b"HTTP/1.1 204 No Content"),
        (
            b"POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 4\r\nexpect: 100-continue\r\n\r\n",
            b"ping",
            b"ping",
            b"HTTP/1.1 200 OK",
        ),
    ],
    ids=["get", "head", "204", "expect-100-continue"],
)
def test_a_real_server_with_it_answers_every_kind_of_response(
    request_bytes: bytes, until: bytes, then: bytes, expected: bytes
) -> None:
    async def run() -> bytes:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        config = uvicorn.Config(_app, lifespan="off", log_level="error", http=HeadWithBodyProtocol)
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started:
            await asyncio.sleep(0.01)
        try:
            return await _exchange(port, request_bytes, until, then=then)
        finally:
            server.should_exit = True
            await task

    received = asyncio.run(run())
    assert expected in received
