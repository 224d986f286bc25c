"""``dayzero-mock serve``: run the mock on uvicorn (several workers with a shared ``--store``)."""

from __future__ import annotations

import argparse
import gc
import json
import os
import socket
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

from dayzero_mock_kit.openapi.operations import Operation
from mock_server import setting_values as values
from mock_server.bending.faults import FAULTS, UnknownFaultError, check_faults
from mock_server.domain.identities import FixtureError, load_fixtures
from mock_server.persistence import StoreError, open_log
from mock_server.persistence.records import from_record, to_record
from mock_server.setting_values import SettingError
from mock_server.settings import Settings

ENV_PREFIX = "DAYZERO_MOCK_"


class _Parser(argparse.ArgumentParser):
    """argparse, but a mistake gets one sentence and a tip instead of the whole usage."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message}\nTip: {self.prog} --help lists every option.\n")


def _argparse_type(check: Callable[[str], Any]) -> Callable[[str], Any]:
    """A setting's check as an argparse ``type``: its sentence becomes argparse's error (exit 2)."""

    def convert(text: str) -> Any:
        try:
            return check(text)
        except SettingError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    convert.__name__ = getattr(check, "__name__", "value")
    return convert


def _parser(env: Mapping[str, str]) -> argparse.ArgumentParser:
    defaults = Settings()

    def env_or(name: str, default: object, check: Callable[[str], Any] = str) -> Any:
        """The checked value of DAYZERO_MOCK_<name>, or ``default`` when it is not set."""
        if ENV_PREFIX + name not in env:
            return default
        text = env[ENV_PREFIX + name]
        try:
            return check(text)
        except SettingError as error:
            raise SettingError(f"{ENV_PREFIX}{name}={text!r}: {error}") from None

    parser = _Parser(prog="dayzero-mock", description="Stateful mock of DayZero's month-end packages API.")
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
    assert isinstance(serve, _Parser)
    serve.add_argument("--host", type=_argparse_type(values.host), default=env_or("HOST", defaults.host, values.host))
    serve.add_argument("--port", type=_argparse_type(values.port), default=env_or("PORT", defaults.port, values.port))
    serve.add_argument(
        "--seed",
        type=_argparse_type(values.seed),
        default=env_or("SEED", defaults.seed, values.seed),
        help="seed of periods, ids and report figures",
    )
    serve.add_argument(
        "--fixtures",
        type=Path,
        default=Path(env_or("FIXTURES", str(defaults.fixtures_path))),
        help="fixture file (businesses, users, tokens); default: the bundled demo fixture",
    )
    serve.add_argument(
        "--queue-seconds",
        type=_argparse_type(values.seconds),
        default=env_or("QUEUE_SECONDS", defaults.queue_seconds, values.seconds),
        help="seconds a package stays queued",
    )
    serve.add_argument(
        "--build-seconds",
        type=_argparse_type(values.seconds),
        default=env_or("BUILD_SECONDS", defaults.build_seconds, values.seconds),
        help="seconds a package stays in_progress",
    )
    serve.add_argument(
        "--no-control",
        action="store_true",
        default=env_or("NO_CONTROL", False, values.flag),
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
        default=env_or("ALLOW_OPEN_CONTROL", False, values.flag),
        help="listen beyond loopback with the control API open to anyone who reaches it (one-developer containers)",
    )
    serve.add_argument(
        "--cors-origin",
        action="append",
        dest="cors_origins",
        type=_argparse_type(values.cors_origin),
        metavar="ORIGIN",
        help=f"allowed browser origin (repeatable; env {ENV_PREFIX}CORS_ORIGIN, comma-separated); default: any origin",
    )
    serve.add_argument(
        "--clock",
        type=_argparse_type(values.clock),
        default=env_or("CLOCK", defaults.clock, values.clock),
        metavar="{real,frozen}",
        help="real: wall time; frozen: stands still until /__mock/clock/advance",
    )
    serve.add_argument(
        "--now",
        type=_argparse_type(values.instant),
        default=env_or("NOW", "", values.instant),
        metavar="DATE-TIME",
        help="start the mock clock at this instant, e.g. 2026-12-01T09:00:00Z (real: runs on from it; frozen: stands)",
    )
    serve.add_argument(
        "--generation",
        type=_argparse_type(values.generation),
        default=env_or("GENERATION", defaults.generation, values.generation),
        metavar="{bare,envelope}",
        help="bare: success bodies are the models (the seed docs); envelope: wrapped in SuccessEnvelope_<Model>_",
    )
    serve.add_argument(
        "--validate-responses",
        action="store_true",
        default=env_or("VALIDATE_RESPONSES", False, values.flag),
        help="check every response against the published schemas (slower)",
    )
    serve.add_argument(
        "--public-url",
        type=_argparse_type(values.public_url),
        default=env_or("PUBLIC_URL", "", values.public_url),
        help="base URL clients use to reach the mock (for download links behind a proxy)",
    )
    serve.add_argument(
        "--fault",
        action="append",
        dest="faults",
        metavar="NAME",
        help=f"switch on a fault (repeatable; env {ENV_PREFIX}FAULT, comma-separated; see the list below)",
    )
    serve.add_argument(
        "--latency",
        type=_argparse_type(values.latency),
        default=env_or("LATENCY", None, values.latency),
        metavar="MS[..MS]",
        help="delay every contract answer by a seeded draw in this range of milliseconds, e.g. 50..400",
    )
    serve.add_argument(
        "--chaos",
        type=_argparse_type(values.share),
        default=env_or("CHAOS", defaults.chaos, values.share),
        metavar="SHARE",
        help="that share of contract requests (0-1) answers 429 (with Retry-After), 500 or 503",
    )
    serve.add_argument(
        "--journal-size",
        type=_argparse_type(values.journal_size),
        default=env_or("JOURNAL_SIZE", defaults.journal_size, values.journal_size),
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
        type=_argparse_type(values.workers),
        default=env_or("WORKERS", defaults.workers, values.workers),
        help="worker processes (needs a sqlite or postgresql store)",
    )
    serve.add_argument(
        "--quiet",
        action="store_true",
        default=env_or("QUIET", False, values.flag),
        help="no access line per request (method, path, status, ms, operation, session)",
    )
    serve.add_argument(
        "--log-level",
        type=_argparse_type(values.log_level),
        default=env_or("LOG_LEVEL", "warning", values.log_level),
        metavar="{" + ",".join(values.LOG_LEVELS) + "}",
    )
    return parser


def settings_from_args(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> tuple[Settings, str]:
    """Resolve flags over environment over defaults into Settings (and the log level)."""
    env = os.environ if env is None else env
    args = _parser(env).parse_args(argv)
    # The repeatable flags replace their variable's list (flags win), never add to it.
    cors_origins = args.cors_origins or [
        _env_item(env, "CORS_ORIGIN", o, values.cors_origin) for o in _env_list(env, "CORS_ORIGIN")
    ]
    cors = tuple(cors_origins) if cors_origins else Settings().cors_origins
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
        now=args.now,
        access_log=not args.quiet,
        validate_responses=args.validate_responses,
        generation=args.generation,
        journal_size=args.journal_size,
        latency_ms=args.latency,
        chaos=args.chaos,
        public_base_url=args.public_url,
        faults=check_faults(args.faults or _env_list(env, "FAULT")),
        store=args.store,
        workers=args.workers,
    )
    return settings, args.log_level


def _env_item(env: Mapping[str, str], name: str, item: str, check: Callable[[str], Any]) -> Any:
    """One item of a comma-separated DAYZERO_MOCK_ variable, checked as its flag checks it."""
    try:
        return check(item)
    except SettingError as error:
        raise SettingError(f"{ENV_PREFIX}{name}={env[ENV_PREFIX + name]!r}: {error}") from None


def _env_list(env: Mapping[str, str], name: str) -> list[str]:
    """A comma-separated DAYZERO_MOCK_ variable as a list (empty items dropped)."""
    return [item.strip() for item in env.get(ENV_PREFIX + name, "").split(",") if item.strip()]


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
        f"-H 'x-business-id: 11111111-1111-4111-8111-111111111111' '{url}{Operation.LIST_PERIODS.path}?limit=3'\n"
        + (f"  console:  {url}/__mock/ui\n" if settings.control else "")
        + (f"  control:  {url}/__mock (reset, clock, faults, steering, requests)\n" if settings.control else "")
        + _control_line(settings)
        + (
            f"  generation: {settings.generation} (success bodies wrapped in SuccessEnvelope)\n"
            if settings.generation == "envelope"
            else ""
        )
        + (f"  clock:    starts at {settings.now} ({settings.clock})\n" if settings.now else "")
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


def tune_garbage_collector() -> None:
    """Keep full collections off the request path.

    Each request allocates many short-lived objects, and the default thresholds ran full
    collections over the app and the stored packages often enough to push p99 latency from
    ~30 ms to 65-95 ms under load (benchmarks/README.md). The state built at startup is
    frozen out of collection and the young generation collected less often. The collector is
    off while that state is built (the caller disables it): walking the growing state again and
    again took seconds of a restart on 100k packages, for a few thousand objects of garbage
    (frozen with the rest: a few hundred kB, once).
    """
    gc.freeze()
    gc.set_threshold(100_000, 50, 1000)
    gc.enable()


class WorkerApp:
    """The app of one ``--workers`` process, from the settings the parent resolved (picklable)."""

    def __init__(self, settings: Settings) -> None:
        self.record = json.dumps(to_record(settings))

    def __call__(self) -> Any:
        from mock_server.app import create_app

        gc.disable()  # until the state is built and frozen (tune_garbage_collector)
        app = create_app(from_record(Settings, json.loads(self.record)))
        tune_garbage_collector()
        return app


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _serve(argv)
    except KeyboardInterrupt:  # Ctrl-C before serving began (while the app is built)
        from mock_server.reports.builds import shutdown_builds

        shutdown_builds()
        print("dayzero-mock: stopped (SIGINT).", file=sys.stderr)
        return 0


def _serve(argv: Sequence[str] | None) -> int:
    try:
        settings, log_level = settings_from_args(argv)
        load_fixtures(settings.fixtures_path)
        open_log(settings.store).close()  # a bad URL or an unreachable database stops here
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

    from mock_server.serving import serve_in_this_process, serve_in_workers

    if settings.workers > 1:
        print(banner(settings), flush=True)
        return serve_in_workers(WorkerApp(settings), sock, settings.workers, log_level)

    from mock_server.app import create_app
    from mock_server.reports.builds import start_build_pool

    gc.disable()  # until the state is built and frozen (tune_garbage_collector)
    app = create_app(settings)
    tune_garbage_collector()
    # The zip builders start once the state is loaded: started beside the load, their imports
    # (~1 s of CPU each) slowed it on two cores more than they saved the first list
    # (benchmarks/README.md, a restart on 100k packages).
    start_build_pool()
    print(banner(settings), flush=True)
    return serve_in_this_process(app, sock, log_level)


if __name__ == "__main__":
    raise SystemExit(main())
