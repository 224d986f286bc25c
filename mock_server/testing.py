"""Run the mock on a free loopback port from Python: ``with running_mock() as mock: ...`` (in a
thread), or any server command in its own process with ``server_process``."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

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
        httpx.post(f"{self.base_url}/__mock/reset", headers=self.control_headers()).raise_for_status()

    def advance(self, seconds: float) -> None:
        httpx.post(
            f"{self.base_url}/__mock/clock/advance", json={"seconds": seconds}, headers=self.control_headers()
        ).raise_for_status()

    def control_headers(self) -> dict[str, str]:
        """What a /__mock call sends (the control token, when the mock has one)."""
        token = self.settings.control_token
        return {"Authorization": f"Bearer {token}"} if token else {}

    @staticmethod
    def headers(token: str = "dz_demo_acme", business_id: str = ACME_ID) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}", "x-business-id": business_id}


@contextmanager
def running_mock(settings: Settings | None = None, *, startup_timeout: float = 10.0) -> Iterator[RunningMock]:
    """Start the mock in a background thread on a free port; stop it on exit."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    settings = replace(settings or Settings(), host="127.0.0.1", port=sock.getsockname()[1])
    with serving_in_thread(create_app(settings), sock, startup_timeout=startup_timeout):
        yield RunningMock(base_url=settings.base_url, settings=settings)


@contextmanager
def serving_in_thread(
    app: Any, sock: socket.socket | None = None, *, lifespan: str = "off", startup_timeout: float = 10.0
) -> Iterator[str]:
    """Any ASGI app on uvicorn in a background thread, on ``sock`` (or a free loopback port);
    yields its URL; stopped, and the socket closed, on exit."""
    if sock is None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan=lifespan))  # type: ignore[arg-type]
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("The server did not start.")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def processes_in_group(group_id: int) -> list[int]:
    """PIDs of the live processes in process group ``group_id`` (Linux ``/proc``; empty elsewhere).

    A process started with ``start_new_session=True`` leads its own group, and everything it
    starts stays in that group even when it outlives its parent (then under PID 1).
    """
    found = []
    for entry in Path("/proc").glob("[0-9]*/stat") if Path("/proc").is_dir() else ():
        try:
            fields = entry.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # exited meanwhile
        state, group = fields[0], int(fields[2])
        if group == group_id and state != "Z":
            found.append(int(entry.parent.name))
    return sorted(found)


@contextmanager
def server_process(
    command: list[str],
    ready_url: str,
    *,
    headers: dict[str, str] | None = None,
    cwd: str | None = None,
    startup_timeout: float = 60.0,
) -> Iterator[tuple[subprocess.Popen[str], float]]:
    """Start ``command`` in its own process group; yield it and the seconds until ``ready_url``
    answered 2xx; on exit stop it with SIGTERM to its PID (as ``kill`` and ``docker stop`` do)
    and fail if anything it started (workers, build pools) is still running afterwards."""
    # Output to a file, not a pipe: a chatty server (Prism logs every request) would fill a
    # pipe nobody reads and stall; the file is read only when the server dies at start.
    with tempfile.TemporaryFile("w+") as log:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, text=True, start_new_session=True, cwd=cwd
        )
        try:
            while True:
                try:
                    if httpx.get(ready_url, headers=headers, timeout=2).status_code < 300:
                        break
                except httpx.TransportError:
                    pass
                if process.poll() is not None:
                    log.seek(0)
                    raise RuntimeError(f"{command[0]} exited before answering: {log.read()}")
                if time.perf_counter() - started > startup_timeout:
                    raise RuntimeError(f"{command[0]} did not answer {ready_url} within {startup_timeout:.0f} s")
                time.sleep(0.005)
            yield process, time.perf_counter() - started
        finally:
            _stop_group(process, command[0])


def _stop_group(process: subprocess.Popen[str], name: str) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    deadline = time.monotonic() + 3  # a resource tracker exits once its last pipe closes
    while processes_in_group(process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = processes_in_group(process.pid)
    if left:
        os.killpg(process.pid, signal.SIGKILL)
        raise RuntimeError(f"{name} left processes running after SIGTERM: {left}")
