"""A restart on a store with history: 100k packages and a year of period activity.

Usage: python benchmarks/restart.py [--packages 100000] [--days 365] [--keep PATH [--reuse]]
                                   [--rounds 3] [--against CHECKOUT]
Builds a SQLite store as the mock writes it: a year of period activity driven through the
mock itself (in-process, the clock advanced a day at a time: each day every business's
close score is read (a snapshot), a checklist step acknowledged again, a sign-off given and
taken back, and every week a closed period reopened and closed again), then N packages
(one created through the mock, its event copied N times with new ids and creation times, as
N creates would have left it). Then it times `dayzero-mock serve --store sqlite:///...` from
start to its first answer of a package list, ``--rounds`` times, alternating with the same
start on an empty store (and with the restart of another checkout, ``--against``), and prints
the figures and the database's size and event count as JSON.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import socket
import sqlite3
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from starlette.testclient import TestClient  # noqa: E402

from mock_server.app import create_app  # noqa: E402
from mock_server.settings import Settings  # noqa: E402
from mock_server.testing import ACME_ID, GLOBEX_ID, server_process  # noqa: E402

PACKAGES = "/api/v1/month-end-packages"
PERIODS = "/api/v1/accounting-periods"
BODY = {"selected_reports": ["pl", "balance_sheet"], "period_start": "2026-10-01", "period_end": "2026-10-31"}
BUSINESSES = {ACME_ID: "dz_demo_acme", GLOBEX_ID: "dz_demo_globex"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def build(path: Path, packages: int, days: int) -> None:
    url = f"sqlite:///{path}"
    with TestClient(create_app(Settings(store=url, clock="frozen")), base_url="http://127.0.0.1:4010") as client:
        heads = {b: {"Authorization": f"Bearer {t}", "x-business-id": b} for b, t in BUSINESSES.items()}
        for day in range(days):
            for headers in heads.values():
                periods = client.get(PERIODS, params={"limit": 100}, headers=headers).json()["items"]
                current = next(p for p in reversed(periods) if p["status"] == "open")
                client.get(f"{PERIODS}/{current['id']}/close-score", headers=headers).raise_for_status()
                client.put(
                    f"{PERIODS}/{current['id']}/checklist-acks/trial_balance_review",
                    json={"notes": f"day {day}"},
                    headers=headers,
                ).raise_for_status()
                signed = client.post(f"{PERIODS}/{current['id']}/sign-offs", json={"role": "preparer"}, headers=headers)
                if signed.status_code == 201:
                    client.request(
                        "DELETE", f"{PERIODS}/{current['id']}/sign-offs", params={"role": "preparer"}, headers=headers
                    )
                if day % 7 == 0:
                    closed = next((p for p in reversed(periods) if p["status"] == "closed"), None)
                    if closed is not None:
                        client.post(
                            f"{PERIODS}/{closed['id']}/reopen", json={"reopen_reason": "late invoice"}, headers=headers
                        ).raise_for_status()
                        client.post(
                            f"{PERIODS}/close", json={"period_end": closed["period_end"]}, headers=headers
                        ).raise_for_status()
            client.post("/__mock/clock/advance", json={"seconds": 86400}).raise_for_status()
        client.post(PACKAGES, json=BODY, headers=heads[ACME_ID]).raise_for_status()
    db = sqlite3.connect(path)
    origin, session, data = db.execute(
        "SELECT origin, session, data FROM events WHERE kind = 'package' ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    template = json.loads(data)
    created = template["timeline"]["created_at"]
    rows = []
    for i in range(packages - 1):
        package_id = str(uuid.uuid4())
        record = {
            **template,
            "id": package_id,
            "workflow_id": f"month-end-package-{package_id}",
            "timeline": {**template["timeline"], "created_at": created - (packages - i)},
        }
        rows.append((origin, session, "package", json.dumps(record, separators=(",", ":")), f"package:{package_id}"))
    with db:
        db.executemany("INSERT INTO events (origin, session, kind, data, ident) VALUES (?, ?, ?, ?, ?)", rows)
    db.execute("VACUUM")
    db.close()


def cpu_seconds(pid: int) -> float:
    """The CPU time (user + system) process ``pid`` has used so far (Linux's /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def time_restart(path: Path, source: Path) -> tuple[float, float]:
    """Seconds from starting the mock of ``source`` (a checkout) on the store to its first list,
    and the CPU seconds its process used by then (what the wall time is on an idle machine: the
    zip builders' processes run beside it; on a loaded one the wall time is mostly waiting)."""
    port = free_port()
    # `python -m mock_server.cli` run in the checkout imports that checkout's code.
    command = [sys.executable, "-m", "mock_server.cli", "serve", "--port", str(port), "--store", f"sqlite:///{path}"]
    ready = f"http://127.0.0.1:{port}{PACKAGES}?limit=20"
    headers = {"Authorization": "Bearer dz_demo_acme", "x-business-id": ACME_ID}
    with server_process(command, ready, headers=headers, startup_timeout=120, cwd=str(source)) as (process, seconds):
        return round(seconds, 2), round(cpu_seconds(process.pid), 2)


def compiled(source: Path) -> Path:
    """The checkout with its bytecode written, as an installed mock has it (even where
    PYTHONDONTWRITEBYTECODE is set): both versions import on equal footing."""
    for package in ("mock_server", "dayzero_mock_kit"):
        if not compileall.compile_dir(source / package, quiet=1):
            raise SystemExit(f"restart.py: cannot compile {source / package}")
    return source


def describe(path: Path) -> dict[str, object]:
    db = sqlite3.connect(path)
    kinds = dict(db.execute("SELECT kind, count(*) FROM events GROUP BY kind").fetchall())
    db.close()
    # The file and its write-ahead log (what is not checkpointed yet is only there).
    size = sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.exists())
    return {"size_mb": round(size / 2**20, 1), "events": sum(kinds.values()), "by_kind": kinds}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--packages", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--keep", type=Path, help="build the store here (and keep it) instead of a temp folder")
    parser.add_argument("--reuse", action="store_true", help="time the store at --keep as it is, without building")
    parser.add_argument("--rounds", type=int, default=3, help="restarts timed (per version)")
    parser.add_argument(
        "--against",
        type=Path,
        help="another checkout (e.g. `git archive REV | tar -x -C DIR`): its restarts timed too, alternating",
    )
    args = parser.parse_args()
    if args.against is not None and not (args.against / "mock_server" / "cli.py").is_file():
        parser.error(f"--against {args.against} is not a checkout of this repository (no mock_server/cli.py)")
    if args.reuse and not (args.keep and args.keep.is_file()):
        parser.error("--reuse needs --keep PATH of a store built before")
    folder = Path(tempfile.mkdtemp(prefix="dz-restart-"))
    path = args.keep or folder / "mock.db"
    started = time.perf_counter()
    if not args.reuse:
        path.unlink(missing_ok=True)
        build(path, args.packages, args.days)
    figures: dict[str, object] = {"packages": args.packages, "days": args.days}
    figures["build_seconds"] = round(time.perf_counter() - started, 1)
    figures["before_restart"] = describe(path)
    here = compiled(Path(__file__).resolve().parent.parent)
    against = compiled(args.against.resolve()) if args.against is not None else None
    empty = folder / "empty.db"  # the same start on an empty store: what the log adds
    # Each: [wall seconds to the first answer, CPU seconds of the mock's process by then].
    times: dict[str, list[tuple[float, float]]] = {"this": [], "against": [], "empty": []}
    for _ in range(args.rounds):
        if against is not None:
            times["against"].append(time_restart(path, against))
        times["this"].append(time_restart(path, here))
        times["empty"].append(time_restart(empty, here))
    figures["first_answer_wall_cpu_seconds"] = times["this"]
    figures["empty_store_wall_cpu_seconds"] = times["empty"]
    if against is not None:
        figures["against"] = str(args.against)
        figures["against_wall_cpu_seconds"] = times["against"]
    figures["load_average"] = [round(load, 1) for load in os.getloadavg()]
    figures["after_restarts"] = describe(path)
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
