"""Load benchmark of the mock: GET list (limit 20) and POST create, one uvicorn worker, loopback.

Usage: python benchmarks/load.py [--seconds 10] [--connections 32] [--validate-responses]
Needs wrk (Debian package `wrk`). Starts `dayzero-mock serve` itself, fills one business
with packages for the list scenario, runs each scenario with wrk for a bounded time, and
prints req/s and latency percentiles. Both scenarios run in one invocation so that their
figures can be compared side by side on a noisy machine.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ACME = "11111111-1111-4111-8111-111111111111"
HEADERS = {"Authorization": "Bearer dz_demo_acme", "x-business-id": ACME, "Content-Type": "application/json"}
CREATE_BODY = {"selected_reports": ["pl", "balance_sheet"], "period_start": "2026-10-01", "period_end": "2026-10-31"}

LUA = """
wrk.method = "{method}"
wrk.body = {body}
{headers}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, seconds: float = 20.0) -> None:
    """Return once ``url`` answers at all; exit the benchmark with a sentence if it never does."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise SystemExit(f"{url} did not start")


def lua_script(method: str, body: str | None) -> str:
    headers = "\n".join(f'wrk.headers["{k}"] = "{v}"' for k, v in HEADERS.items())
    return LUA.format(method=method, body=json.dumps(body) if body else "nil", headers=headers)


def parse_wrk(output: str) -> dict[str, float]:
    def ms(text: str) -> float:
        value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    percentiles = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)", output, re.M))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": rps,
        **{f"p{k}_ms": ms(v) for k, v in percentiles.items()},
        "non_2xx": float(non_2xx.group(1)) if non_2xx else 0.0,
        "socket_errors": 1.0 if errors else 0.0,
    }


def run_wrk(
    url: str, method: str, body: str | None, seconds: int, connections: int, *, threads: int = 2
) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua_script(method, body))
    result = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script.name, url],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    )
    Path(script.name).unlink()
    return parse_wrk(result.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--packages", type=int, default=200, help="packages created before the list scenario")
    parser.add_argument("--validate-responses", action="store_true")
    parser.add_argument("--journal-size", type=int, default=1000, help="the mock's request journal (0: off)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("benchmarks/load.py needs wrk: apt-get install wrk", file=sys.stderr)
        return 2

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    exe = Path(sys.executable).with_name("dayzero-mock")
    command = [
        str(exe),
        "serve",
        "--port",
        str(port),
        "--log-level",
        "error",
        "--quiet",
        "--journal-size",
        str(args.journal_size),
    ]
    if args.validate_responses:
        command.append("--validate-responses")
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        for _ in range(200):
            try:
                httpx.get(f"{base}/openapi.json", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        with httpx.Client(base_url=base, headers=HEADERS) as client:
            for _ in range(args.packages):
                client.post("/api/v1/month-end-packages", json=CREATE_BODY).raise_for_status()
            # Let them become ready (default 8 s) so the list shows finished packages, zips built.
            time.sleep(9)
            client.get("/api/v1/month-end-packages?limit=1000").raise_for_status()
        results = {
            "GET list (limit=20)": run_wrk(
                f"{base}/api/v1/month-end-packages?limit=20", "GET", None, args.seconds, args.connections
            ),
            "POST create": run_wrk(
                f"{base}/api/v1/month-end-packages", "POST", json.dumps(CREATE_BODY), args.seconds, args.connections
            ),
        }
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(
        f"one worker, wrk -t2 -c{args.connections} -d{args.seconds}s, loopback, "
        f"response validation {'on' if args.validate_responses else 'off'}, request validation on, "
        f"journal {args.journal_size or 'off'}"
    )
    print(f"{'scenario':<22}{'req/s':>10}{'p50 ms':>10}{'p90 ms':>10}{'p99 ms':>10}{'non-2xx':>10}")
    for name, figures in results.items():
        print(
            f"{name:<22}{figures['rps']:>10.0f}{figures.get('p50_ms', 0):>10.2f}{figures.get('p90_ms', 0):>10.2f}"
            f"{figures.get('p99_ms', 0):>10.2f}{figures['non_2xx']:>10.0f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
