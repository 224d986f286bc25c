"""The proxy's memory over a long session: N exchanges through `dayzero-conformance proxy`.

Usage: python benchmarks/proxy_memory.py [--exchanges 100000] [--max-seconds 900]
Needs wrk. Starts the mock (one worker, journal off) and the proxy with --har and --json (to a
temporary folder), drives wrk through the proxy with a rotation of requests (a list page of 20,
a get of one package, a period list, and one bad request in ten, which makes a finding) until
--exchanges answers have come back or --max-seconds passed, samples the proxy's resident memory
(VmRSS) every half second, stops it with Ctrl-C (SIGINT) so it writes its reports, and prints the
peak, the exchanges counted in the JSON report and the sizes of the HAR and JSON files.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import ACME, CREATE_BODY, HEADERS, free_port, wait_for  # noqa: E402

BIN = Path(sys.executable).parent
LUA = """
local paths = {{"/api/v1/month-end-packages?limit=20", "/api/v1/month-end-packages/{package}",
  "/api/v1/accounting-periods?limit=20", "/api/v1/month-end-packages?limit=20",
  "/api/v1/month-end-packages/{package}", "/api/v1/accounting-periods?limit=20",
  "/api/v1/month-end-packages?limit=20", "/api/v1/month-end-packages/{package}",
  "/api/v1/month-end-packages?limit=20", "/api/v1/month-end-packages?limit=lots"}}
local i, seen = 0, 0
wrk.headers["Authorization"] = "Bearer dz_demo_acme"
wrk.headers["x-business-id"] = "{business}"
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
response = function()
  seen = seen + 1
  if seen >= {per_thread} then wrk.thread:stop() end
end
"""


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--exchanges", type=int, default=100_000)
    parser.add_argument("--max-seconds", type=int, default=900)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="feed the exchanges straight to what the proxy keeps (report, window, HAR writer), without HTTP",
    )
    args = parser.parse_args()
    if args.in_process:
        return in_process(args.exchanges)
    if shutil.which("wrk") is None:
        print("benchmarks/proxy_memory.py needs wrk: apt-get install wrk", file=sys.stderr)
        return 2
    mock_port, proxy_port = free_port(), free_port()
    direct, proxied = f"http://127.0.0.1:{mock_port}", f"http://127.0.0.1:{proxy_port}"
    folder = Path(tempfile.mkdtemp(prefix="dz-proxy-memory-"))
    mock = subprocess.Popen(
        [str(BIN / "dayzero-mock"), "serve", "--port", str(mock_port), "--log-level", "error", "--journal-size", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    proxy = None
    peak, samples, started = 0.0, [], time.monotonic()
    try:
        wait_for(f"{direct}/openapi.json")
        package = httpx.post(f"{direct}/api/v1/month-end-packages", json=CREATE_BODY, headers=HEADERS).json()
        for _ in range(30):
            httpx.post(f"{direct}/api/v1/month-end-packages", json=CREATE_BODY, headers=HEADERS)
        proxy = subprocess.Popen(
            [
                str(BIN / "dayzero-conformance"),
                "proxy",
                "--upstream",
                direct,
                "--port",
                str(proxy_port),
                "--har",
                str(folder / "p.har"),
                "--json",
                str(folder / "p.json"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        wait_for(f"{proxied}/__proxy/report")
        script = folder / "rotation.lua"
        threads = 2
        script.write_text(
            LUA.format(package=package["package"]["id"], business=ACME, per_thread=args.exchanges // threads)
        )
        stop = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not stop.is_set():
                value = rss_mb(proxy.pid)
                peak = max(peak, value)
                samples.append((round(time.monotonic() - started), round(value)))
                stop.wait(0.5)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        wrk = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{args.connections}", f"-d{args.max_seconds}s", "-s", str(script), proxied],
            capture_output=True,
            text=True,
        )
        stop.set()
        sampler.join()
        proxy.send_signal(signal.SIGINT)
        proxy.wait(timeout=300)
        report = json.loads((folder / "p.json").read_text())
        har_entries = len(json.loads((folder / "p.har").read_text())["log"]["entries"])
        rate = [line for line in wrk.stdout.splitlines() if "Requests/sec" in line]
        print(
            f"exchanges in the JSON report {report['exchanges']}, records {len(report['records'])}, "
            f"findings {len(report['findings'])}, HAR entries {har_entries}"
        )
        print(f"peak proxy RSS {peak:.0f} MB over {time.monotonic() - started:.0f} s; {' '.join(rate)}")
        print(f"RSS samples (s, MB), every 30th: {samples[::30]}")
        sizes = {name: (folder / name).stat().st_size / 1e6 for name in ("p.har", "p.json")}
        print(f"files: HAR {sizes['p.har']:.0f} MB, JSON {sizes['p.json']:.0f} MB")
    finally:
        if proxy is not None and proxy.poll() is None:
            proxy.send_signal(signal.SIGINT)
            proxy.wait(timeout=60)
        mock.terminate()
        mock.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)
    return 0


def in_process(count: int) -> int:
    """What the proxy holds per exchange, at the proxy's own code but without the HTTP in front:
    a rotation of real exchanges (recorded through a proxy in a thread) fed ``count`` times."""
    from dataclasses import replace

    from conformance.reporting.json_report import write_traffic_json
    from conformance.traffic.commands import WINDOW
    from conformance.traffic.har import HarWriter
    from conformance.traffic.proxy import TrafficProxy
    from conformance.traffic.results import TrafficResult
    from conformance.traffic.validator import TrafficValidator
    from mock_server.settings import Settings
    from mock_server.testing import running_mock, serving_in_thread

    with running_mock(Settings(queue_seconds=0.1, build_seconds=0.2)) as mock:
        package = httpx.post(f"{mock.base_url}/api/v1/month-end-packages", json=CREATE_BODY, headers=HEADERS).json()
        recorder = TrafficProxy(mock.base_url, TrafficResult(TrafficValidator()))
        with serving_in_thread(recorder.app(), lifespan="on") as url, httpx.Client(headers=HEADERS) as client:
            for path in (
                "month-end-packages?limit=20",
                f"month-end-packages/{package['package']['id']}",
                "accounting-periods?limit=20",
                "month-end-packages?limit=lots",
            ):
                client.get(f"{url}/api/v1/{path}")
    rotation = list(recorder.exchanges)
    folder = Path(tempfile.mkdtemp(prefix="dz-proxy-memory-"))
    try:
        report = TrafficResult(TrafficValidator(), window=WINDOW, spool=folder / "spool")
        har = HarWriter(folder / "p.har")
        kept: deque = deque(maxlen=WINDOW)
        before, peak, started = rss_mb_self(), 0.0, time.monotonic()
        for index in range(count):
            seen = replace(rotation[index % len(rotation)], id=f"x{index:07d}", at=time.time())
            report.add(seen)
            har.add(seen)
            kept.append(seen)
            if index % 5000 == 0:
                peak = max(peak, rss_mb_self())
                print(f"  {index:>7} exchanges: RSS {rss_mb_self():.0f} MB", flush=True)
        har.close()
        write_traffic_json(report, folder / "p.json")
        peak = max(peak, rss_mb_self())
        print(
            f"{count} exchanges in process: RSS {before:.0f} MB before, peak {peak:.0f} MB "
            f"({time.monotonic() - started:.0f} s); JSON {(folder / 'p.json').stat().st_size / 1e6:.0f} MB, "
            f"HAR {(folder / 'p.har').stat().st_size / 1e6:.0f} MB on disk"
        )
        report.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


def rss_mb_self() -> float:
    return rss_mb(os.getpid())


if __name__ == "__main__":
    raise SystemExit(main())
