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
    data = folder / "data"
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    subprocess.run(
        [*run_as, str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "dzmock", "--no-sync"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    server = subprocess.Popen(
        [
            *run_as,
            str(binaries / "postgres"),
            "-D",
            str(data),
            "-p",
            str(port),
            "-k",
            str(folder),
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
    url = f"postgresql://dzmock@127.0.0.1:{port}/postgres"
    try:
        _wait_ready(url, server)
        yield url
    finally:
        # pg_ctl signals the postmaster itself (runuser would not pass a signal on): fast shutdown.
        subprocess.run(
            [*run_as, str(binaries / "pg_ctl"), "stop", "-D", str(data), "-m", "fast", "-w", "-t", "30"],
            capture_output=True,
            timeout=60,
        )
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
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
