"""What named sessions cost in memory: 200 live sessions, then churn (resets and new names).

Usage: python benchmarks/sessions_memory.py [--sessions 200] [--rounds 3] [--store URL]
Starts `dayzero-mock serve` itself (loopback), warms the shared state up, reads the process's
resident memory (VmRSS), then gives each of N sessions a little of everything (a list, a
package, a close score, an ack), reads it again, then runs `--rounds` rounds in which every
session resets and does the same again, and as many new names come and go (the old ones
expire by the LRU limit), reading it after each round. Prints the figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from mock_server.testing import server_process  # noqa: E402

ACME = "11111111-1111-4111-8111-111111111111"
HEADERS = {"Authorization": "Bearer dz_demo_acme", "x-business-id": ACME}
BODY = {"selected_reports": ["pl", "balance_sheet"], "period_start": "2026-10-01", "period_end": "2026-10-31"}


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def use(client: httpx.Client, session: str | None) -> None:
    headers = {**HEADERS, **({"x-mock-session": session} if session else {})}
    periods = client.get("/api/v1/accounting-periods", params={"limit": 24}, headers=headers).json()["items"]
    client.post("/api/v1/month-end-packages", json=BODY, headers=headers).raise_for_status()
    client.get("/api/v1/month-end-packages", params={"limit": 20}, headers=headers).raise_for_status()
    open_period = next(p for p in periods if p["status"] == "open")
    client.get(f"/api/v1/accounting-periods/{open_period['id']}/close-score", headers=headers).raise_for_status()
    client.put(
        f"/api/v1/accounting-periods/{open_period['id']}/checklist-acks/trial_balance_review",
        json={"notes": "tied out"},
        headers=headers,
    ).raise_for_status()
    closed = next(p for p in periods if p["status"] != "open")
    client.get(f"/api/v1/accounting-periods/{closed['id']}/score-history", headers=headers).raise_for_status()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--store", default="memory")
    args = parser.parse_args()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    exe = str(Path(sys.executable).with_name("dayzero-mock"))
    command = [exe, "serve", "--port", str(port), "--store", args.store, "--journal-size", "1000"]
    figures: dict[str, object] = {"sessions": args.sessions, "store": args.store}
    with (
        server_process(command, f"{url}/openapi.json") as (process, _),
        httpx.Client(base_url=url, timeout=30) as client,
    ):
        for _ in range(20):
            use(client, None)
        time.sleep(0.5)
        base = rss_mb(process.pid)
        figures["rss_without_sessions_mb"] = round(base, 1)
        started = time.perf_counter()
        for i in range(args.sessions):
            use(client, f"worker-{i}")
        figures["seconds_to_fill"] = round(time.perf_counter() - started, 1)
        live = rss_mb(process.pid)
        figures["rss_with_sessions_mb"] = round(live, 1)
        figures["above_without_sessions_mb"] = round(live - base, 1)
        rounds = []
        for r in range(args.rounds):
            for i in range(args.sessions):
                name = f"worker-{i}"
                client.post("/__mock/reset", headers={"x-mock-session": name}).raise_for_status()
                use(client, name)
                use(client, f"round-{r}-{i}")  # a new name; past --max-sessions the oldest goes
            rounds.append(round(rss_mb(process.pid), 1))
        figures["rss_after_each_round_mb"] = rounds
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
