"""Wall time of `dayzero-conformance run` against a local mock, per tier and generation.

Usage: python benchmarks/conformance_timing.py [--tiers smoke,full] [--generations bare,envelope]
Starts one `dayzero-mock serve` per generation (the README's fast builds: 0.2 s queued, 0.3 s
building), runs the kit's CLI against it as a user would (both identities), and prints the
seconds each run took and its verdict. Every run is bounded by --timeout.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import httpx

ACME = "11111111-1111-4111-8111-111111111111"
GLOBEX = "22222222-2222-4222-8222-222222222222"
BIN = Path(sys.executable).parent


def serve(port: int, generation: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [str(BIN / "dayzero-mock"), "serve", "--port", str(port), "--quiet", "--generation", generation]
        + ["--queue-seconds", "0.2", "--build-seconds", "0.3"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(200):
        try:
            httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=1)
            return process
        except httpx.TransportError:
            time.sleep(0.05)
    process.terminate()
    raise SystemExit("the mock did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tiers", default="smoke,full")
    parser.add_argument("--generations", default="bare,envelope")
    parser.add_argument("--port", type=int, default=4019)
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    print(f"{'generation':<10} {'tier':<6} {'seconds':>8}  verdict")
    for generation in args.generations.split(","):
        process = serve(args.port, generation)
        try:
            for tier in args.tiers.split(","):
                started = time.monotonic()
                result = subprocess.run(
                    [str(BIN / "dayzero-conformance"), "run", "--base-url", f"http://127.0.0.1:{args.port}"]
                    + ["--token", "dz_demo_acme", "--business-id", ACME, "--tier", tier, "--no-cache"]
                    + ["--other-token", "dz_demo_globex", "--other-business-id", GLOBEX],
                    capture_output=True,
                    text=True,
                    timeout=args.timeout,
                )
                seconds = time.monotonic() - started
                verdict = "CONFORMS" if result.returncode == 0 else f"exit {result.returncode}"
                print(f"{generation:<10} {tier:<6} {seconds:>8.1f}  {verdict}", flush=True)
        finally:
            process.terminate()
            process.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
