"""Package zips built off the event loop, in a process pool, and cached by their inputs.

A build starts when its package is created (its bytes depend only on the ``ArchiveSpec``, so
starting early is invisible to clients) and usually ends long before the package turns
ready. A request that needs a zip still building awaits the builds it needs; the loop keeps
serving everything else. Rendering code that cannot await asks ``size`` and gets
``ZipPending`` while the build runs (``await builds.content(spec)``, then render again).
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
import time
from collections import OrderedDict
from concurrent.futures.process import BrokenProcessPool

from mock_server.child_signals import PARENT_SIGNALS, children_ignore_terminal_signals
from mock_server.reports.archive import ArchiveSpec, build_archive

BUILD_PROCESSES = min(2, os.cpu_count() or 1)
BUILD_NICENESS = 10  # added to the server's own (os.nice): builds yield the CPU to requests
_POOL: concurrent.futures.ProcessPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def _pool() -> concurrent.futures.ProcessPoolExecutor:
    """This process's build pool (spawned processes: forking a server with threads is unsafe)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = concurrent.futures.ProcessPoolExecutor(
                max_workers=BUILD_PROCESSES,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_build_worker_started,
                initargs=(os.getpid(),),
            )
            atexit.register(shutdown_builds)  # before modules are torn down
        return _POOL


def start_build_pool() -> None:
    """Start the pool's processes now (the server calls it before serving, from its main
    thread, so that they ignore Ctrl-C from their first instruction: ``child_signals``)."""
    with children_ignore_terminal_signals():
        pool = _pool()
        for _ in range(BUILD_PROCESSES):  # each submit to a busy pool starts one more process
            pool.submit(int)


def shutdown_builds(timeout: float = 1.0) -> None:
    """Stop this process's build pool: builds not yet started are cancelled, a running one gets
    ``timeout`` seconds to finish (a build takes a fraction of one), then its process is ended.

    The bound matters: a pool process still importing (seconds on a busy machine) would
    otherwise hold the stop past the 5 s a user or ``docker stop`` waits.
    """
    global _POOL
    with _POOL_LOCK:
        pool, _POOL = _POOL, None
    if pool is not None:
        _stop_pool(pool, timeout)


def _submit(spec: ArchiveSpec) -> concurrent.futures.Future[bytes]:
    """``build_archive(spec)`` in the pool. A pool that a dead build process broke (the OOM
    killer in a container with a memory limit, a ``kill -9``) refuses every submit for good:
    it is replaced by a fresh one, whose processes ignore Ctrl-C as the first ones do."""
    pool = _pool()
    try:
        return pool.submit(build_archive, spec)
    except BrokenProcessPool:
        _drop_broken(pool)
        with children_ignore_terminal_signals():
            return _pool().submit(build_archive, spec)


def _drop_broken(pool: concurrent.futures.ProcessPoolExecutor) -> None:
    """Forget ``pool`` (unless another thread replaced it already) and release what is left of it."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is not pool:
            return
        _POOL = None
    # Its processes are gone or being ended by its own manager thread. Released on a thread of
    # its own: the caller may hold ArchiveBuilds' lock, which that manager thread needs to fail
    # the pool's futures (their callbacks), and joining it here could then wait for good.
    threading.Thread(target=_stop_pool, args=(pool, 0.0), daemon=True, name="broken-pool-stop").start()


def _stop_pool(pool: concurrent.futures.ProcessPoolExecutor, timeout: float) -> None:
    # The pool's own processes and its manager thread: stdlib has no public handle on either
    # before Python 3.14's terminate_workers().
    processes = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)
    # Exits are seen on each process's sentinel, never by reaping: the manager thread reaps them
    # concurrently, and two threads reaping one child race (the loser's is_alive() says True
    # about a process already gone, and a signal sent then could reach a reused pid). A
    # sentinel not ready means the process has not exited, so it is still ours to signal.
    running = _still_running(processes, timeout)
    for process in running:
        process.terminate()
    running = _still_running(running, 1.0)
    for process in running:  # still starting up on a busy machine: SIGTERM not acted on yet
        process.kill()
    _still_running(running, 1.0)
    if manager is not None:
        manager.join(2.0)  # it reaps the processes; after this their is_alive() is settled
    # Now that its processes are gone this returns at once, and the pool's queues and locks are
    # released here (else the resource tracker warns of "leaked semaphore objects" at exit).
    pool.shutdown(wait=True)


def _still_running(processes: list, timeout: float) -> list:
    """The processes that have not exited within ``timeout`` seconds."""
    running = {process.sentinel: process for process in processes}
    deadline = time.monotonic() + timeout
    while running:
        ended = multiprocessing.connection.wait(list(running), max(deadline - time.monotonic(), 0.0))
        if not ended:  # the deadline passed (wait returns at the first exit, so loop until then)
            break
        for sentinel in ended:
            del running[sentinel]
    return list(running.values())


def _build_worker_started(parent_pid: int) -> None:
    """In each build process: never outlive the server.

    Ctrl-C and a closed terminal never reach a build process (``child_signals``): the server
    stops its pool itself (``shutdown_builds``). If the server dies without stopping it
    (``kill -9``), the build process notices that its parent is gone and exits. The signals are
    ignored here too, for a pool started from a request's thread (``_submit`` replacing a broken
    one), where the parent could not set that before the process started.

    A build is background work: its process runs at a lower priority (``BUILD_NICENESS``), so
    that on a busy machine the server's answers get the CPU first and a zip takes longer.
    """
    for number in PARENT_SIGNALS:
        signal.signal(number, signal.SIG_IGN)
    os.nice(BUILD_NICENESS)
    threading.Thread(target=_exit_with_parent, args=(parent_pid,), daemon=True, name="parent-watch").start()


def _exit_with_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(0.5)
    os._exit(0)


class ZipPending(Exception):
    """The zip of ``spec`` is still being built."""

    def __init__(self, spec: ArchiveSpec) -> None:
        super().__init__(spec.filename)
        self.spec = spec


class ArchiveBuilds:
    """Built zips, least recently used dropped first; each spec built once, in the pool."""

    def __init__(self, capacity: int = 128, *, in_pool: bool = True) -> None:
        self._capacity = capacity
        self._in_pool = in_pool
        self._built: OrderedDict[ArchiveSpec, bytes] = OrderedDict()
        self._building: dict[ArchiveSpec, concurrent.futures.Future[bytes]] = {}
        self._lock = threading.Lock()

    def start(self, spec: ArchiveSpec) -> None:
        """Begin building ``spec`` unless it is built or building."""
        with self._lock:
            if spec in self._built or spec in self._building:
                return
            if not self._in_pool:
                future: concurrent.futures.Future[bytes] = concurrent.futures.Future()
                future.set_result(build_archive(spec))
            else:
                # `dayzero-mock serve` started the pool's processes already (start_build_pool);
                # elsewhere (tests, in-process use) the first submit starts them.
                future = _submit(spec)
            self._building[spec] = future
        future.add_done_callback(lambda done: self._keep(spec, done))

    def _keep(self, spec: ArchiveSpec, done: concurrent.futures.Future[bytes]) -> None:
        with self._lock:
            self._building.pop(spec, None)
            if done.exception() is None:
                self._built[spec] = done.result()
                while len(self._built) > self._capacity:
                    self._built.popitem(last=False)

    def _get(self, spec: ArchiveSpec) -> bytes | concurrent.futures.Future[bytes]:
        self.start(spec)
        with self._lock:
            content = self._built.get(spec)
            if content is not None:
                self._built.move_to_end(spec)
                return content
            future = self._building.get(spec)
        if future is None:  # dropped from the cache between start and here: build again
            return self._get(spec)
        if future.done() and isinstance(future.exception(), BrokenProcessPool):
            # Its build process died: build it again, in a fresh pool (``_submit``).
            with self._lock:
                if self._building.get(spec) is future:
                    del self._building[spec]
            return self._get(spec)
        return future

    def size(self, spec: ArchiveSpec) -> int:
        """The zip's length, or ZipPending while it builds."""
        found = self._get(spec)
        if isinstance(found, bytes):
            return len(found)
        if found.done():
            return len(found.result())
        raise ZipPending(spec)

    async def content(self, spec: ArchiveSpec) -> bytes:
        """The zip, awaiting its build if it runs (the loop serves other requests meanwhile)."""
        pools_left = 3  # three pools in a row that lose a process: not a passing accident
        while True:
            found = self._get(spec)
            if isinstance(found, bytes):
                return found
            try:
                return await asyncio.wrap_future(found)
            except BrokenProcessPool:
                pools_left -= 1
                if not pools_left:
                    raise
