"""Soak: a steady mixed load for a bounded time against one mock on SQLite and two replicas on
PostgreSQL, with 50 named sessions coming and going and the journal on.

Usage: python benchmarks/soak.py [--minutes 10] [--rate 100] [--targets sqlite,postgresql]
                                 [--outage-seconds 0]
Starts everything itself on loopback (the mocks with `dayzero-mock serve`, PostgreSQL as the
tests do: tests/postgres.py) and stops it at the end. Each target runs in turn for --minutes at
--rate requests a second (open loop: a request is sent every 1/rate s whatever the answers):
package creates, polls, lists followed through a cursor, downloads (the link, then the zip),
the period workflow (create, ack, sign-off, close score, close, reopen), in the shared state
and in 50 named sessions of which one resets or is replaced by a new name every 3 s (a
session that goes is checked, then resets, as a test worker cleaning up; so the sessions'
state stays bounded and memory growth after warm-up is a leak, not state).
`--outage-seconds N` stops PostgreSQL for N s in the middle of its run (the issue's 20 s).

Reports per target: answers by status (5xx apart; with an outage, its 503s apart), packages
and periods whose 201 went out that are missing or listed twice afterwards (on every replica),
resident memory of each mock process (sampled every 5 s; growth from the end of warm-up, the
first 20%, to the end) and p50/p99 latency of the first and the last minute.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import signal
import socket
import sys
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from mock_server.testing import ACME_ID, server_process  # noqa: E402

HEADERS = {"Authorization": "Bearer dz_demo_acme", "x-business-id": ACME_ID}
PACKAGES = "/api/v1/month-end-packages"
PERIODS = "/api/v1/accounting-periods"
BODY = {"selected_reports": ["pl", "balance_sheet"], "period_start": "2026-10-01", "period_end": "2026-10-31"}
SESSIONS = 50


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class Session:
    name: str | None
    packages: list[str] = field(default_factory=list)  # 201s since its last reset
    periods: list[str] = field(default_factory=list)
    ready: list[str] = field(default_factory=list)
    workflow: list[str] = field(default_factory=list)  # the period in progress: [id, end, step]


@dataclass
class Run:
    answers: list[tuple[float, float, int]] = field(default_factory=list)  # (sent, seconds, status)
    outage: tuple[float, float] | None = None
    months = 0


class Soak:
    def __init__(self, urls: list[str], rate: float, seconds: float, seed: int = 16) -> None:
        self.urls = urls
        self.rate = rate
        self.seconds = seconds
        self.rng = random.Random(seed)
        self.run = Run()
        self.shared = Session(None)
        self.sessions = [Session(f"soak-0-{i}") for i in range(SESSIONS)]
        self.checked = self.missing = self.duplicated = self.unchecked = 0
        self.generation = 0
        self.lag = 0.0  # how far behind its schedule the generator fell (s)
        self.clients = [
            httpx.AsyncClient(base_url=u, timeout=30, limits=httpx.Limits(max_connections=64)) for u in urls
        ]

    def _client(self) -> httpx.AsyncClient:
        return self.rng.choice(self.clients)

    async def _call(self, method: str, path: str, session: Session, **kwargs: object) -> httpx.Response | None:
        headers = {**HEADERS, **({"x-mock-session": session.name} if session.name else {})}
        sent = time.monotonic()
        try:
            response = await self._client().request(method, path, headers=headers, **kwargs)  # type: ignore[arg-type]
        except httpx.HTTPError:
            self.run.answers.append((sent, time.monotonic() - sent, 0))
            return None
        self.run.answers.append((sent, time.monotonic() - sent, response.status_code))
        return response

    async def action(self, tick: int) -> None:
        session = self.shared if tick % 4 == 0 else self.rng.choice(self.sessions)
        kind = tick % 10
        if kind in (0, 5):
            r = await self._call("POST", PACKAGES, session, json=BODY)
            if r is not None and r.status_code == 201:
                session.packages.append(r.json()["package"]["id"])
        elif kind in (1, 6) and session.packages:
            package_id = self.rng.choice(session.packages[-20:])
            r = await self._call("GET", f"{PACKAGES}/{package_id}", session)
            if r is not None and r.status_code == 200 and r.json()["status"] == "ready":
                session.ready.append(package_id)
        elif kind in (2, 7):
            r = await self._call("GET", PACKAGES, session, params={"limit": 5})
            if r is not None and r.status_code == 200 and r.json()["next_cursor"]:
                await self._call("GET", PACKAGES, session, params={"limit": 5, "cursor": r.json()["next_cursor"]})
        elif kind == 3 and session.ready:
            r = await self._call("GET", f"{PACKAGES}/{session.ready[-1]}/download", session)
            if r is not None and r.status_code == 200:
                sent = time.monotonic()
                try:
                    zipped = await self._client().get(r.json()["download_url"])
                    self.run.answers.append((sent, time.monotonic() - sent, zipped.status_code))
                except httpx.HTTPError:
                    self.run.answers.append((sent, time.monotonic() - sent, 0))
        else:
            await self.period_step(session)

    async def period_step(self, session: Session) -> None:
        if not session.workflow:
            self.run.months += 1
            year, month = 2040 + self.run.months // 12, self.run.months % 12 + 1
            body = {"period_start": f"{year}-{month:02d}-01", "period_end": f"{year}-{month:02d}-28"}
            r = await self._call("POST", PERIODS, session, json=body)
            if r is not None and r.status_code == 201:
                period = r.json()
                session.periods.append(period["id"])
                session.workflow = [period["id"], period["period_end"], "ack"]
            return
        period_id, end, step = session.workflow
        following = {"ack": "sign", "sign": "score", "score": "close", "close": "reopen", "reopen": ""}
        if step == "ack":
            await self._call(
                "PUT", f"{PERIODS}/{period_id}/checklist-acks/trial_balance_review", session, json={"notes": "soak"}
            )
        elif step == "sign":
            await self._call("POST", f"{PERIODS}/{period_id}/sign-offs", session, json={"role": "preparer"})
        elif step == "score":
            await self._call("GET", f"{PERIODS}/{period_id}/close-score", session)
        elif step == "close":
            await self._call("POST", f"{PERIODS}/close", session, json={"period_end": end})
        elif step == "reopen":
            await self._call("POST", f"{PERIODS}/{period_id}/reopen", session, json={"reopen_reason": "soak"})
        session.workflow = [period_id, end, following[step]] if following[step] else []

    async def churn(self) -> None:
        """Every 3 s one named session resets, or goes and a new name takes its place."""
        index = self.rng.randrange(SESSIONS)
        session = self.sessions[index]
        if self.rng.random() < 0.5:
            r = await self._call("POST", "/__mock/reset", session)
            if r is not None and r.status_code == 200:
                session.packages, session.periods, session.ready, session.workflow = [], [], [], []
        else:
            # A worker that is done: its packages and periods are checked, then it cleans up
            # after itself (a reset), and a new name takes its place.
            self.generation += 1
            self.sessions[index] = Session(f"soak-{self.generation}-{index}")
            await self._check_session(self._client(), session)
            await self._call("POST", "/__mock/reset", session)

    async def drive(self, on_tick: object = None) -> None:
        started = time.monotonic()
        tasks: set[asyncio.Task[None]] = set()
        tick = 0
        next_churn = started + 3
        while (now := time.monotonic()) < started + self.seconds:
            due = started + tick / self.rate
            self.lag = max(self.lag, now - due)
            await asyncio.sleep(max(due - now, 0))  # behind schedule: still let the requests run
            task = asyncio.create_task(self.action(tick))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            if time.monotonic() >= next_churn:
                next_churn += 3
                churn = asyncio.create_task(self.churn())
                tasks.add(churn)
                churn.add_done_callback(tasks.discard)
            tick += 1
        await asyncio.gather(*tasks)

    async def _check_session(self, client: httpx.AsyncClient, session: Session) -> None:
        """The session's packages and periods whose 201 went out: each listed once."""
        headers = {**HEADERS, **({"x-mock-session": session.name} if session.name else {})}
        for path, ids in ((PACKAGES, list(session.packages)), (PERIODS, list(session.periods))):
            try:
                counted = Counter(await _all_ids(client, path, headers))
            except (httpx.HTTPError, KeyError, ValueError):
                self.unchecked += len(ids)  # the store away (an outage): not counted either way
                continue
            self.missing += sum(1 for i in ids if counted[i] == 0)
            self.duplicated += sum(1 for i in ids if counted[i] > 1)
            self.checked += len(ids)

    async def check(self) -> dict[str, int]:
        """Every package and period whose 201 went out, listed once, on every replica (the
        retired sessions were checked as they went)."""
        for client in self.clients:
            for session in [self.shared, *self.sessions]:
                await self._check_session(client, session)
        return {
            "checked": self.checked,
            "missing": self.missing,
            "duplicated": self.duplicated,
            "unchecked": self.unchecked,
        }


async def _all_ids(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> list[str]:
    ids: list[str] = []
    cursor = None
    while True:
        params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = (await client.get(path, params=params, headers=headers)).json()
        ids += [item["id"] for item in page["items"]]
        if not page["has_next"]:
            return ids
        cursor = page["next_cursor"]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(len(ordered) * share), len(ordered) - 1)] * 1000 if ordered else 0.0


def _summary(
    soak: Soak, started: float, rss: dict[int, list[tuple[float, float]]], outage: tuple[float, float] | None
) -> dict[str, object]:
    answers = soak.run.answers
    in_outage = (lambda sent: outage[0] <= sent <= outage[1] + 5) if outage else (lambda sent: False)
    statuses = Counter(status for sent, _, status in answers if not in_outage(sent))
    first = [s for sent, s, _ in answers if sent - started < 60]
    last = [s for sent, s, _ in answers if sent - started > soak.seconds - 60]
    memory = {}
    for pid, samples in rss.items():
        warm = [m for t, m in samples if t - started >= 0.2 * soak.seconds]
        memory[str(pid)] = {
            "after_warm_up_mb": round(warm[0], 1) if warm else None,
            "end_mb": round(samples[-1][1], 1),
            "max_mb": round(max(m for _, m in samples), 1),
            "growth_after_warm_up": f"{(warm[-1] - warm[0]) / warm[0]:+.1%}" if warm else None,
        }
    result: dict[str, object] = {
        "requests": len(answers),
        "req_per_s": round(len(answers) / soak.seconds, 1),
        "statuses": dict(sorted(statuses.items())),
        "5xx": sum(n for s, n in statuses.items() if s >= 500 or s == 0),
        "p50_first_minute_ms": round(_percentile(first, 0.5), 1),
        "p99_first_minute_ms": round(_percentile(first, 0.99), 1),
        "p50_last_minute_ms": round(_percentile(last, 0.5), 1),
        "p99_last_minute_ms": round(_percentile(last, 0.99), 1),
        "memory": memory,
        "sessions_used": SESSIONS + soak.generation,
        "generator_max_lag_s": round(soak.lag, 2),
    }
    if outage:
        during = [(sent, s, status) for sent, s, status in answers if in_outage(sent)]
        result["outage"] = {
            "seconds": round(outage[1] - outage[0], 1),
            "statuses_until_5_s_after": dict(Counter(status for *_, status in during)),
            "slowest_answer_s": round(max((s for _, s, _ in during), default=0), 2),
        }
    return result


async def _soak(
    urls: list[str], pids: list[int], args: argparse.Namespace, cluster: object = None
) -> dict[str, object]:
    seconds = args.minutes * 60
    soak = Soak(urls, args.rate, seconds)
    started = time.monotonic()
    rss: dict[int, list[tuple[float, float]]] = {pid: [] for pid in pids}
    outage: list[float] = []

    async def sample() -> None:
        while time.monotonic() < started + seconds:
            for pid in pids:
                rss[pid].append((time.monotonic(), rss_mb(pid)))
            await asyncio.sleep(5)

    async def stop_and_start() -> None:
        await asyncio.sleep(seconds / 2)
        outage.append(time.monotonic())
        await asyncio.to_thread(cluster.stop)  # type: ignore[attr-defined]
        await asyncio.sleep(args.outage_seconds)
        await asyncio.to_thread(cluster.start)  # type: ignore[attr-defined]
        outage.append(time.monotonic())

    jobs = [soak.drive(), sample()]
    if cluster is not None and args.outage_seconds:
        jobs.append(stop_and_start())
    await asyncio.gather(*jobs)
    summary = _summary(soak, started, rss, (outage[0], outage[1]) if len(outage) == 2 else None)
    summary["lost_or_duplicated"] = await soak.check()
    for client in soak.clients:
        await client.aclose()
    return summary


def _mock(stack: ExitStack, store: str) -> tuple[str, int]:
    port = free_port()
    exe = str(Path(sys.executable).with_name("dayzero-mock"))
    command = [exe, "serve", "--port", str(port), "--store", store, "--queue-seconds", "1", "--build-seconds", "2"]
    url = f"http://127.0.0.1:{port}"
    process, _ = stack.enter_context(server_process(command, f"{url}/openapi.json"))
    return url, process.pid


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the mocks and PostgreSQL on the way out
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--rate", type=float, default=100, help="requests a second (each target)")
    parser.add_argument("--targets", default="sqlite,postgresql")
    parser.add_argument("--outage-seconds", type=float, default=0, help="stop PostgreSQL this long mid-run")
    args = parser.parse_args()
    results: dict[str, object] = {"minutes": args.minutes, "rate": args.rate}
    for target in args.targets.split(","):
        with ExitStack() as stack:
            cluster = None
            if target == "sqlite":
                folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="dz-soak-"))
                mocks = [_mock(stack, f"sqlite:///{folder}/soak.db")]
            else:
                from tests.postgres import fresh_database, stoppable_cluster

                cluster = stack.enter_context(stoppable_cluster())
                store = stack.enter_context(fresh_database(cluster.url))
                mocks = [_mock(stack, store), _mock(stack, store)]
            urls, pids = [u for u, _ in mocks], [p for _, p in mocks]
            results[target] = asyncio.run(_soak(urls, pids, args, cluster))
            print(json.dumps({target: results[target]}, indent=2), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
