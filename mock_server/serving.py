"""Serving the mock until a signal stops it, in one process or ``--workers N``, leaving nothing behind.

SIGINT (Ctrl-C), SIGTERM (``kill``, systemd, ``docker stop``) and SIGHUP (a closed terminal)
all stop the mock the same way: uvicorn finishes the requests in flight (at most
``GRACE_SECONDS``), the zip-build pool stops (``reports/builds.py``), workers are waited for,
one line says so, exit 0. uvicorn's own handling re-raises the signal once it has stopped,
which turns Ctrl-C into a KeyboardInterrupt traceback and SIGTERM into a death before
``atexit`` (leaving the build pool and multiprocessing's resource tracker running); a
second signal while stopping cuts the grace short.
"""

from __future__ import annotations

import multiprocessing
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

import uvicorn

from mock_server.child_signals import children_ignore_terminal_signals
from mock_server.http_protocol import HeadWithBodyProtocol
from mock_server.reports.builds import shutdown_builds, start_build_pool

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
# Requests still running when a stop signal comes get this long (a Prefer: delay may be long).
GRACE_SECONDS = 2.0
# Workers that have not exited this long after being told to are killed.
WORKER_STOP_SECONDS = 4.0


def signal_name(number: int) -> str:
    return signal.Signals(number).name


class StoppableServer(uvicorn.Server):
    """uvicorn's server, stopped by any of ``STOP_SIGNALS`` without re-raising it afterwards."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.stopped_by: int | None = None

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield  # a server in a thread (tests) is stopped by its owner
            return
        originals = {number: signal.signal(number, self._stop) for number in STOP_SIGNALS}
        try:
            yield
        finally:
            for number, handler in originals.items():
                signal.signal(number, handler)

    def _stop(self, number: int, _frame: FrameType | None) -> None:
        if self.should_exit:
            self.force_exit = True
        self.should_exit = True
        if self.stopped_by is None:
            self.stopped_by = number


def _config(app: Any, log_level: str) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        log_level=log_level,
        lifespan="off",
        access_log=False,
        timeout_graceful_shutdown=int(GRACE_SECONDS),
        http=HeadWithBodyProtocol,
    )


def serve_in_this_process(app: Any, sock: socket.socket, log_level: str) -> int:
    """Serve ``app`` on ``sock`` until a stop signal; stop the build pool; exit status 0."""
    server = StoppableServer(_config(app, log_level))
    try:
        server.run(sockets=[sock])
    finally:
        shutdown_builds()
    if server.stopped_by is not None:
        print(f"dayzero-mock: stopped ({signal_name(server.stopped_by)}).", file=sys.stderr, flush=True)
    return 0


def _worker_main(make_app: Callable[[], Any], sock: socket.socket, log_level: str) -> None:
    """One ``--workers`` process: serve until told to stop, then stop its own build pool."""
    server = StoppableServer(_config(make_app(), log_level))
    start_build_pool()  # after the state is loaded: on two cores its imports would slow the load
    try:
        server.run(sockets=[sock])
    finally:
        shutdown_builds()


def serve_in_workers(make_app: Callable[[], Any], sock: socket.socket, workers: int, log_level: str) -> int:
    """Serve in ``workers`` spawned processes sharing ``sock`` until a stop signal (or a worker's
    death); SIGTERM every worker, kill those that outlast ``WORKER_STOP_SECONDS``, wait for all."""
    received: list[int] = []
    stop = threading.Event()

    def on_signal(number: int, _frame: FrameType | None) -> None:
        received.append(number)
        stop.set()

    originals = {number: signal.signal(number, on_signal) for number in STOP_SIGNALS}
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=_worker_main, args=(make_app, sock, log_level), name=f"dayzero-mock-worker-{index}")
        for index in range(workers)
    ]
    status = 0
    try:
        with children_ignore_terminal_signals():  # a Ctrl-C reaches workers as our SIGTERM
            for process in processes:
                process.start()
        while not stop.wait(0.25):
            dead = next((p for p in processes if not p.is_alive()), None)
            if dead is not None:
                print(
                    f"dayzero-mock: worker {dead.pid} exited (status {dead.exitcode}); stopping the others.",
                    file=sys.stderr,
                    flush=True,
                )
                status = 1
                break
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: the worker stops as the single process does
        deadline = time.monotonic() + WORKER_STOP_SECONDS
        for process in processes:
            if process.pid is not None:
                process.join(max(deadline - time.monotonic(), 0.0))
                if process.is_alive():
                    process.kill()
                    process.join()
        for number, handler in originals.items():
            signal.signal(number, handler)
    if received:
        print(f"dayzero-mock: stopped ({signal_name(received[0])}).", file=sys.stderr, flush=True)
    return status
