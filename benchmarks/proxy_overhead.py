"""Overhead of `dayzero-conformance proxy`: the same load on the mock directly and through the proxy.

Usage: python benchmarks/proxy_overhead.py [--seconds 10] [--connections 32]
Needs wrk. Starts `dayzero-mock serve` and `dayzero-conformance proxy --upstream` it (both one
process, loopback), creates `--packages` packages and lets them become ready (so that both list
runs page 20 real items), then runs with wrk GET list (limit 20) directly and through the proxy,
then POST create directly and through the proxy, in one invocation, and prints req/s, p99 and
the proxy/direct ratios. Both servers are quiet (no access log).
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import CREATE_BODY, HEADERS, free_port, run_wrk, wait_for  # noqa: E402

BIN = Path(sys.executable).parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--packages", type=int, default=200, help="packages created before the list runs")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("benchmarks/proxy_overhead.py needs wrk: apt-get install wrk", file=sys.stderr)
        return 2
    mock_port, proxy_port = free_port(), free_port()
    direct, proxied = f"http://127.0.0.1:{mock_port}", f"http://127.0.0.1:{proxy_port}"
    mock = subprocess.Popen(
        [
            str(BIN / "dayzero-mock"),
            "serve",
            "--port",
            str(mock_port),
            "--log-level",
            "error",
            "--quiet",
            "--journal-size",
            "0",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    proxy = None
    try:
        wait_for(f"{direct}/openapi.json")
        proxy = subprocess.Popen(
            [str(BIN / "dayzero-conformance"), "proxy", "--upstream", direct, "--port", str(proxy_port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        wait_for(f"{proxied}/__proxy/report")
        with httpx.Client(base_url=direct, headers=HEADERS) as client:
            for _ in range(args.packages):
                client.post("/api/v1/month-end-packages", json=CREATE_BODY).raise_for_status()
            time.sleep(9)  # ready (default 8 s): the list shows finished packages, zips built
            client.get("/api/v1/month-end-packages?limit=1000").raise_for_status()
        results: dict[str, dict[str, dict[str, float]]] = {"direct": {}, "proxy": {}}
        # Both lists before any create: the same 20-item page directly and through the proxy.
        scenarios = (
            ("GET list (limit=20)", "/api/v1/month-end-packages?limit=20", "GET", None),
            ("POST create", "/api/v1/month-end-packages", "POST", json.dumps(CREATE_BODY)),
        )
        for scenario, path, method, body in scenarios:
            for name, base in (("direct", direct), ("proxy", proxied)):
                results[name][scenario] = run_wrk(f"{base}{path}", method, body, args.seconds, args.connections)
    finally:
        if proxy is not None:
            proxy.send_signal(signal.SIGINT)
            proxy.wait(timeout=60)
        mock.terminate()
        mock.wait(timeout=10)
    print(f"wrk -t2 -c{args.connections} -d{args.seconds}s, loopback; mock one worker, proxy one process")
    print(
        f"{'scenario':<22}{'direct req/s':>14}{'proxy req/s':>13}{'ratio':>8}{'direct p99':>12}{'proxy p99':>11}"
        f"{'non-2xx d/p':>14}"
    )
    for scenario in results["direct"]:
        d, p = results["direct"][scenario], results["proxy"][scenario]
        non_2xx = f"{d['non_2xx']:.0f}/{p['non_2xx']:.0f}"
        print(
            f"{scenario:<22}{d['rps']:>14.0f}{p['rps']:>13.0f}{p['rps'] / d['rps']:>8.2f}"
            f"{d.get('p99_ms', 0):>12.1f}{p.get('p99_ms', 0):>11.1f}{non_2xx:>14}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
