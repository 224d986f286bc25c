"""Instructions per request through the mock's ASGI app, counted by valgrind: the same on a
busy machine as on a quiet one, so a change to the request path can be judged by it alone.

Usage: python benchmarks/request_instructions.py [--requests 1000]
Needs valgrind (Debian ``valgrind``). For each scenario (GET list with limit 20, POST create) it
runs this script under ``valgrind --tool=callgrind`` twice, building the app as
``request_cpu.py`` does and then making 100 and 100 + ``--requests`` requests, and prints the
difference divided by ``--requests``: start-up and warm-up cancel out. Each run takes about a
minute (valgrind runs Python some 50 times slower). Build processes are not counted (the zip
builds run in the pool's processes, which valgrind does not follow).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from request_cpu import scenarios, serving_app  # noqa: E402

WARM_UP = 100
SCENARIOS = {"get": "GET list (limit=20)", "post": "POST create"}  # --inner KIND -> request_cpu's scenario


async def _run(requests: int, scenario: str) -> None:
    app = serving_app()
    call = (await scenarios(app))[scenario]
    for _ in range(requests):
        assert await call() in (200, 201)


def _inner(requests: int, kind: str) -> None:
    from mock_server.reports.builds import shutdown_builds

    asyncio.run(_run(requests, SCENARIOS[kind]))
    shutdown_builds()


def _count(requests: int, kind: str) -> int:
    """The instructions valgrind counts for a run of ``requests`` requests of ``kind``."""
    command = [
        *("valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"),
        *(sys.executable, __file__, "--inner", kind, "--requests", str(requests)),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"benchmarks/request_instructions.py: the run under valgrind failed:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--inner", choices=sorted(SCENARIOS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.requests < 1:
        parser.error("--requests must be at least 1")
    if args.inner:
        _inner(args.requests, args.inner)
        return 0
    if shutil.which("valgrind") is None:
        print("benchmarks/request_instructions.py needs valgrind: apt-get install valgrind", file=sys.stderr)
        return 2
    for kind, name in SCENARIOS.items():
        per_request = (_count(WARM_UP + args.requests, kind) - _count(WARM_UP, kind)) / args.requests
        print(f"{name:<22}{per_request / 1000:8.1f} k instructions per request ({args.requests} requests)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
