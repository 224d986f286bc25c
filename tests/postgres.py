"""A throwaway PostgreSQL cluster for the tests, from Debian's ``postgresql`` package.

initdb in a temp folder, ``postgres`` on a free loopback port, stopped by ``pg_ctl stop -m
fast`` (the postmaster's own PID file). initdb refuses to run as root, so as root the cluster runs as the
package's ``postgres`` user. Without PostgreSQL the tests that need it are skipped with the
reason, unless ``DZ_POSTGRES_TESTS=required`` (set by ``.ci/run``).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _missing(message: str) -> None:
    if os.environ.get("DZ_POSTGRES_TESTS") == "required":
        pytest.fail(message)
    pytest.skip(message)


@contextmanager
def postgres_cluster() -> Iterator[str]:
    """A running cluster; yields the URL of its ``postgres`` database (user ``dzmock``, trust auth)."""
    with stoppable_cluster() as cluster:
        yield cluster.url


class Cluster:
    """A throwaway cluster that a test may stop (``pg_ctl stop -m fast``) and start again on
    the same port, as a database restarting at night does."""

    def __init__(self, binaries: Path, run_as: list[str], folder: Path, port: int) -> None:
        self._binaries = binaries
        self._run_as = run_as
        self._folder = folder
        self.data = folder / "data"
        self.port = port
        self.url = f"postgresql://dzmock@127.0.0.1:{port}/postgres"
        self._server: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self._server = subprocess.Popen(
            [
                *self._run_as,
                str(self._binaries / "postgres"),
                "-D",
                str(self.data),
                "-p",
                str(self.port),
                "-k",
                str(self._folder),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "fsync=off",
                "-c",
                "max_connections=200",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_ready(self.url, self._server)

    def stop(self) -> None:
        # pg_ctl signals the postmaster itself (runuser would not pass a signal on): fast shutdown.
        subprocess.run(
            [
                *self._run_as,
                str(self._binaries / "pg_ctl"),
                "stop",
                "-D",
                str(self.data),
                "-m",
                "fast",
                "-w",
                "-t",
                "30",
            ],
            capture_output=True,
            timeout=60,
        )
        if self._server is not None:
            try:
                self._server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._server.kill()
                self._server.wait(timeout=10)
            self._server = None


@contextmanager
def stoppable_cluster() -> Iterator[Cluster]:
    """A running ``Cluster``, stopped and removed on exit."""
    binaries = _binaries()
    if binaries is None:
        _missing("PostgreSQL is not installed (apt-get install postgresql; .ci/run does it).")
    assert binaries is not None
    run_as: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="dz-postgres-"))
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            _missing("Running as root and there is no 'postgres' user to run PostgreSQL as.")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    cluster = Cluster(binaries, run_as, folder, port)
    subprocess.run(
        [*run_as, str(binaries / "initdb"), "-D", str(cluster.data), "-A", "trust", "-U", "dzmock", "--no-sync"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _wait_ready(url: str, server: subprocess.Popen[bytes]) -> None:
    import psycopg

    deadline = time.monotonic() + 30
    while True:
        try:
            psycopg.connect(url, connect_timeout=2).close()
            return
        except psycopg.OperationalError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("The throwaway PostgreSQL cluster did not start.") from None
            time.sleep(0.1)


@contextmanager
def fresh_database(cluster_url: str) -> Iterator[str]:
    """A new empty database on the cluster, dropped afterwards; yields its URL."""
    import psycopg

    name = f"dz_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(cluster_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield cluster_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(cluster_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
