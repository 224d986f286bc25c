"""Run the mock on a free loopback port from Python: ``with running_mock() as mock: ...``."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

import httpx
import uvicorn

from mock_server.app import create_app
from mock_server.settings import Settings

ACME_ID = "11111111-1111-4111-8111-111111111111"
GLOBEX_ID = "22222222-2222-4222-8222-222222222222"
INITECH_ID = "33333333-3333-4333-8333-333333333333"


@dataclass(frozen=True)
class RunningMock:
    """A mock server listening on ``base_url``."""

    base_url: str
    settings: Settings

    def reset(self) -> None:
        httpx.post(f"{self.base_url}/__mock/reset").raise_for_status()

    def advance(self, seconds: float) -> None:
        httpx.post(f"{self.base_url}/__mock/clock/advance", json={"seconds": seconds}).raise_for_status()

    @staticmethod
    def headers(token: str = "dz_demo_acme", business_id: str = ACME_ID) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}", "x-business-id": business_id}


@contextmanager
def running_mock(settings: Settings | None = None, *, startup_timeout: float = 10.0) -> Iterator[RunningMock]:
    """Start the mock in a background thread on a free port; stop it on exit."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    settings = replace(settings or Settings(), host="127.0.0.1", port=port)
    server = uvicorn.Server(uvicorn.Config(create_app(settings), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("The mock server did not start.")
        time.sleep(0.01)
    try:
        yield RunningMock(base_url=settings.base_url, settings=settings)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
