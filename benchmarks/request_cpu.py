"""CPU time per request through the mock's ASGI app, in this process: no server, no socket.

Usage: python benchmarks/request_cpu.py [--requests 5000] [--profile]
The figure wrk gives depends on what else runs on the machine; this one (process CPU time,
``time.process_time``) hardly does, so it shows what a change to the request path is worth.
It builds the app as ``dayzero-mock serve`` does (memory store, request validation on, the
garbage collector tuned as the server tunes it), creates 200 packages for Acme, then times
GET list (limit 20) and POST create, each called ``--requests`` times in a row.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import time
from collections.abc import Callable
from typing import Any

from mock_server.app import create_app
from mock_server.cli import tune_garbage_collector
from mock_server.settings import Settings

ACME = "11111111-1111-4111-8111-111111111111"
HEADERS = [
    (b"host", b"127.0.0.1:4010"),
    (b"authorization", b"Bearer dz_demo_acme"),
    (b"x-business-id", ACME.encode()),
    (b"content-type", b"application/json"),
]
BODY = json.dumps(
    {"selected_reports": ["pl", "balance_sheet"], "period_start": "2026-10-01", "period_end": "2026-10-31"}
)
PACKAGES = "/api/v1/month-end-packages"


def _caller(app: Any, method: str, path: str, query: bytes = b"", body: bytes = b"") -> Callable[[], Any]:
    async def call() -> int:
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query,
            "root_path": "",
            "headers": list(HEADERS),
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 4010),
            "state": {},
        }
        await app(scope, receive, send)
        return int(sent[0]["status"])

    return call


def serving_app() -> Any:
    """The app as ``dayzero-mock serve`` builds it (memory store, request validation on, the
    garbage collector tuned as the server tunes it)."""
    app = create_app(Settings())
    tune_garbage_collector()
    return app


async def scenarios(app: Any) -> dict[str, Callable[[], Any]]:
    """200 packages created for Acme, then the scenarios' callers by name."""
    create = _caller(app, "POST", PACKAGES, body=BODY.encode())
    for _ in range(200):
        assert await create() == 201
    return {"GET list (limit=20)": _caller(app, "GET", PACKAGES, b"limit=20"), "POST create": create}


async def _main(requests: int, profile: bool) -> None:
    app = serving_app()
    for name, call in (await scenarios(app)).items():
        assert await call() in (200, 201)
        profiler = cProfile.Profile() if profile else None
        started = time.process_time()
        if profiler:
            profiler.enable()
        for _ in range(requests):
            await call()
        if profiler:
            profiler.disable()
        took = time.process_time() - started
        print(f"{name:<22}{took / requests * 1e6:8.1f} us of CPU per request ({requests} requests)")
        if profiler:
            pstats.Stats(profiler).sort_stats("tottime").print_stats(15)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--profile", action="store_true", help="also print cProfile's top functions")
    args = parser.parse_args()
    asyncio.run(_main(args.requests, args.profile))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
