"""``dayzero-mock serve``: run the mock on uvicorn (several workers with a shared ``--store``)."""

from __future__ import annotations

import argparse
import gc
import json
import os
import socket
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from mock_server.bending.faults import FAULTS, UnknownFaultError, check_faults
from mock_server.bending.steering import parse_latency
from mock_server.identities import FixtureError, load_fixtures
from mock_server.settings import Settings
from mock_server.stores import StoreError, open_store
from mock_server.stores.records import from_record, to_record

ENV_PREFIX = "DAYZERO_MOCK_"


def _parser(env: Mapping[str, str]) -> argparse.ArgumentParser:
    defaults = Settings()

    def env_or(name: str, default: object) -> object:
        return env.get(ENV_PREFIX + name, default)

    parser = argparse.ArgumentParser(
        prog="dayzero-mock", description="Stateful mock of DayZero's month-end packages API."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve",
        help="run the mock server",
        description="Run the mock server. Every option can also be set with an environment variable "
        f"{ENV_PREFIX}<OPTION> (e.g. {ENV_PREFIX}PORT=4011); flags win.",
        epilog="faults (for testing conformance tools; each breaks one behaviour):\n"
        + "\n".join(f"  {name:<26} {text}" for name, text in sorted(FAULTS.items())),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument("--host", default=env_or("HOST", defaults.host))
    serve.add_argument("--port", type=int, default=int(str(env_or("PORT", defaults.port))))
    serve.add_argument(
        "--seed",
        type=int,
        default=int(str(env_or("SEED", defaults.seed))),
        help="seed of periods, ids and report figures",
    )
    serve.add_argument(
        "--fixtures",
        type=Path,
        default=Path(str(env_or("FIXTURES", defaults.fixtures_path))),
        help="fixture file (businesses, users, tokens); default: the bundled demo fixture",
    )
    serve.add_argument(
        "--queue-seconds",
        type=float,
        default=float(str(env_or("QUEUE_SECONDS", defaults.queue_seconds))),
        help="seconds a package stays queued",
    )
    serve.add_argument(
        "--build-seconds",
        type=float,
        default=float(str(env_or("BUILD_SECONDS", defaults.build_seconds))),
        help="seconds a package stays in_progress",
    )
    serve.add_argument(
        "--no-control",
        action="store_true",
        default=env_or("NO_CONTROL", "") not in ("", "0"),
        help="do not serve the /__mock control API",
    )
    serve.add_argument(
        "--control-token",
        default=env_or("CONTROL_TOKEN", ""),
        metavar="TOKEN",
        help="every /__mock call must send 'Authorization: Bearer TOKEN' (needed to listen beyond loopback)",
    )
    serve.add_argument(
        "--allow-open-control",
        action="store_true",
        default=env_or("ALLOW_OPEN_CONTROL", "") not in ("", "0"),
        help="listen beyond loopback with the control API open to anyone who reaches it (one-developer containers)",
    )
    serve.add_argument(
        "--cors-origin",
        action="append",
        dest="cors_origins",
        metavar="ORIGIN",
        help="allowed browser origin (repeatable); default: any origin",
    )
    serve.add_argument(
        "--clock",
        choices=("real", "frozen"),
        default=env_or("CLOCK", defaults.clock),
        help="real: wall time; frozen: stands still until /__mock/clock/advance",
    )
    serve.add_argument(
        "--generation",
        choices=("bare", "envelope"),
        default=env_or("GENERATION", defaults.generation),
        help="bare: success bodies are the models (the seed docs); envelope: wrapped in SuccessEnvelope_<Model>_",
    )
    serve.add_argument(
        "--validate-responses",
        action="store_true",
        default=env_or("VALIDATE_RESPONSES", "") not in ("", "0"),
        help="check every response against the published schemas (slower)",
    )
    serve.add_argument(
        "--public-url",
        default=env_or("PUBLIC_URL", ""),
        help="base URL clients use to reach the mock (for download links behind a proxy)",
    )
    serve.add_argument(
        "--fault",
        action="append",
        dest="faults",
        default=[],
        metavar="NAME",
        help="switch on a fault (repeatable; see the list below)",
    )
    serve.add_argument(
        "--latency",
        default=env_or("LATENCY", ""),
        metavar="MS[..MS]",
        help="delay every contract answer by a seeded draw in this range of milliseconds, e.g. 50..400",
    )
    serve.add_argument(
        "--chaos",
        type=float,
        default=float(str(env_or("CHAOS", defaults.chaos))),
        metavar="SHARE",
        help="that share of contract requests (0-1) answers 429 (with Retry-After), 500 or 503",
    )
    serve.add_argument(
        "--journal-size",
        type=int,
        default=int(str(env_or("JOURNAL_SIZE", defaults.journal_size))),
        help="requests kept for GET /__mock/requests (0: no journal)",
    )
    serve.add_argument(
        "--store",
        default=env_or("STORE", defaults.store),
        metavar="URL",
        help="where state lives: memory (default: fresh on every start), sqlite:///path/to/mock.db "
        "(survives restarts; shared by the workers of one host) or postgresql://user@host/db (shared by replicas)",
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=int(str(env_or("WORKERS", defaults.workers))),
        help="worker processes (needs a sqlite or postgresql store)",
    )
    serve.add_argument("--log-level", default=env_or("LOG_LEVEL", "warning"))
    return parser


def settings_from_args(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> tuple[Settings, str]:
    """Resolve flags over environment over defaults into Settings (and the log level)."""
    args = _parser(os.environ if env is None else env).parse_args(argv)
    cors = tuple(args.cors_origins) if args.cors_origins else Settings().cors_origins
    settings = Settings(
        host=args.host,
        port=args.port,
        seed=args.seed,
        fixtures_path=args.fixtures,
        queue_seconds=args.queue_seconds,
        build_seconds=args.build_seconds,
        control=not args.no_control,
        control_token=args.control_token,
        allow_open_control=args.allow_open_control,
        cors_origins=cors,
        clock=args.clock,
        validate_responses=args.validate_responses,
        generation=args.generation,
        journal_size=args.journal_size,
        latency_ms=parse_latency(args.latency),
        chaos=args.chaos,
        public_base_url=args.public_url,
        faults=check_faults(args.faults),
        store=args.store,
        workers=args.workers,
    )
    return settings, args.log_level


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


def banner(settings: Settings) -> str:
    url = settings.base_url
    return (
        f"DayZero mock serving on {url}\n"
        f"  docs:     {url}/docs\n"
        f"  contract: {url}/openapi.json\n"
        f"  try:      curl -H 'Authorization: Bearer dz_demo_acme' "
        f"-H 'x-business-id: 11111111-1111-4111-8111-111111111111' '{url}/api/v1/accounting-periods?limit=3'\n"
        + (f"  console:  {url}/__mock/ui\n" if settings.control else "")
        + (f"  control:  {url}/__mock (reset, clock, faults, steering, requests)\n" if settings.control else "")
        + _control_line(settings)
        + (
            f"  generation: {settings.generation} (success bodies wrapped in SuccessEnvelope)\n"
            if settings.generation == "envelope"
            else ""
        )
        + (f"  FAULTS ON: {', '.join(sorted(settings.faults))}\n" if settings.faults else "")
        + (
            f"  LATENCY:  {settings.latency_ms[0]}..{settings.latency_ms[1]} ms per request\n"
            if settings.latency_ms
            else ""
        )
        + (f"  CHAOS:    {settings.chaos:.0%} of requests answer 429, 500 or 503\n" if settings.chaos else "")
        + (
            f"  store:    {settings.store}" + (f", {settings.workers} workers" if settings.workers > 1 else "") + "\n"
            if settings.store not in ("", "memory")
            else "  store:    memory (state is lost on restart; --store sqlite:///mock.db keeps it)\n"
        )
    )


def _control_line(settings: Settings) -> str:
    exposure = settings.control_exposure
    if exposure == "off":
        return ""
    if exposure == "token":
        return "  control:  protected: every /__mock call needs 'Authorization: Bearer <control token>'\n"
    if exposure == "loopback":
        return f"  control:  open to this machine only ({settings.host}); --control-token TOKEN protects it\n"
    return (
        f"  CONTROL OPEN to anyone who can reach {settings.host}:{settings.port} (--allow-open-control): "
        "they can reset the state and switch faults on; --control-token TOKEN protects it\n"
    )


def _tune_garbage_collector() -> None:
    """Keep full collections off the request path.

    Each request allocates many short-lived objects, and the default thresholds ran full
    collections over the app and the stored packages often enough to push p99 latency from
    ~30 ms to 65-95 ms under load (benchmarks/README.md). The state built at startup is
    frozen out of collection and the young generation collected less often.
    """
    gc.freeze()
    gc.set_threshold(100_000, 50, 1000)


# The settings of a worker process (--workers): resolved once by the parent, handed down as JSON.
WORKER_SETTINGS_ENV = "DAYZERO_MOCK_WORKER_SETTINGS"


def worker_app() -> Any:
    """The app of one worker process (uvicorn's factory, in each process --workers starts)."""
    from mock_server.app import create_app

    app = create_app(from_record(Settings, json.loads(os.environ[WORKER_SETTINGS_ENV])))
    _tune_garbage_collector()
    return app


def main(argv: Sequence[str] | None = None) -> int:
    try:
        settings, log_level = settings_from_args(argv)
        load_fixtures(settings.fixtures_path)
        open_store(settings.store).close()  # a bad URL or an unreachable database stops here
    except (FixtureError, UnknownFaultError, StoreError, ValueError) as error:
        print(f"dayzero-mock: {error}", file=sys.stderr)
        return 2
    try:
        sock = _bind(settings.host, settings.port)
    except OSError as error:
        print(
            f"dayzero-mock: cannot listen on {settings.host}:{settings.port} ({error.strerror}). "
            "Tip: pick another port with --port.",
            file=sys.stderr,
        )
        return 2

    import uvicorn

    access_log = log_level in ("info", "debug")
    if settings.workers > 1:
        from uvicorn.supervisors import Multiprocess

        os.environ[WORKER_SETTINGS_ENV] = json.dumps(to_record(settings))
        config = uvicorn.Config(
            "mock_server.cli:worker_app",
            factory=True,
            workers=settings.workers,
            log_level=log_level,
            lifespan="off",
            access_log=access_log,
        )
        print(banner(settings), flush=True)
        Multiprocess(config, sockets=[sock]).run()
        return 0

    from mock_server.app import create_app

    app = create_app(settings)
    _tune_garbage_collector()
    print(banner(settings), flush=True)
    config = uvicorn.Config(app, log_level=log_level, lifespan="off", access_log=access_log)
    uvicorn.Server(config).run(sockets=[sock])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
