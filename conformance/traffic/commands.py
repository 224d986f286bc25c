"""The ``proxy`` and ``validate-har`` commands: arguments in, reports out, an exit code back."""

from __future__ import annotations

import argparse
import contextlib
import socket
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from conformance import arguments
from conformance.baseline import Baseline
from conformance.http import ToolError

if TYPE_CHECKING:
    from conformance.traffic.results import TrafficResult
    from conformance.traffic.validator import TrafficValidator

# openapi-core and the proxy load only when one of these commands runs.
FAIL_ON = ("request", "response", "any")


# The proxy keeps its last WINDOW exchanges and findings in memory (the live report, HTML, JUnit);
# counts, coverage and the verdict cover the whole session; --json and --har stream to disk.
WINDOW = 1000


def add_report_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--generation", choices=("auto", "bare", "envelope"), default="auto")
    parser.add_argument("--report", type=Path, metavar="HTML", help="write the HTML report here")
    parser.add_argument("--json", type=Path, help="write the JSON report here")
    parser.add_argument("--junit", type=Path, help="write a JUnit XML report here")
    parser.add_argument("--fail-on", choices=FAIL_ON, default="any", help="which findings make the exit code 1")
    parser.add_argument(
        "--baseline", type=Path, help="the --json report of earlier traffic: its findings are known, not failures"
    )
    parser.add_argument(
        "--min-poll-interval", type=float, metavar="SECONDS", help="report polls of one package closer than this"
    )
    parser.add_argument(
        "--identity",
        action="append",
        default=[],
        metavar="TOKEN=BUSINESS[,BUSINESS]",
        help="a token and the businesses it may use: a 2xx for any other business is the upstream's finding",
    )


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    proxy = commands.add_parser(
        "proxy",
        help="forward a client's traffic to an upstream and validate both sides",
        description="Point your client at the proxy; it forwards every request to --upstream and validates "
        "requests (your client) and answers (the upstream) against the contract. Stop it with Ctrl-C for the "
        "summary and the reports.",
    )
    proxy.add_argument("--upstream", required=True, help="the API root to forward to")
    proxy.add_argument("--host", default="127.0.0.1")
    proxy.add_argument("--port", type=int, default=4011)
    proxy.add_argument("--har", type=Path, help="write every exchange as HAR 1.2 here on stop")
    proxy.add_argument("--quiet-headers", action="store_true", help=f"do not add {'x-dayzero-contract'} to answers")
    add_report_arguments(proxy)
    har = commands.add_parser(
        "validate-har",
        help="validate traffic captured in a HAR file",
        description="Check the API exchanges of a HAR file (browser devtools, Playwright, Charles, mitmproxy, "
        "or the proxy's --har) against the contract, offline. Requests to other hosts are listed and ignored.",
    )
    har.add_argument("file", type=Path)
    har.add_argument(
        "--base-url",
        help=f"the API root in the capture (default: the host most {arguments.API_PREFIX} requests went to)",
    )
    add_report_arguments(har)


def validator_from(args: argparse.Namespace) -> TrafficValidator:
    from conformance.traffic.validator import TrafficValidator

    identities = parse_identities(args.identity)
    return TrafficValidator(args.generation, min_poll_interval=args.min_poll_interval, identities=identities)


def parse_identities(texts: list[str]) -> dict[str, frozenset[str]]:
    """--identity TOKEN=BUSINESS[,BUSINESS] values; a malformed one is a tool error naming it."""
    identities: dict[str, frozenset[str]] = {}
    for text in texts:
        token, _, businesses = text.partition("=")
        if not token or not businesses:
            raise ToolError(f"--identity {text!r} should look like TOKEN=BUSINESS[,BUSINESS].")
        try:
            arguments.token(f"The token of --identity {text!r}", token)
            chosen = [
                arguments.business_id(f"The business in --identity {text!r}", b)
                for b in businesses.split(",")
                if b.strip()
            ]
        except arguments.ArgumentProblem as problem:
            raise ToolError(str(problem)) from None
        identities[token] = frozenset(b.lower() for b in chosen)
    return identities


def finish(result: TrafficResult, args: argparse.Namespace, console: Console) -> int:
    """The summary on the terminal, the reports asked for on disk, and the exit code."""
    from conformance.reporting.console import print_traffic_summary
    from conformance.reporting.html import render_traffic_html
    from conformance.reporting.json_report import write_traffic_json
    from conformance.reporting.junit import render_traffic_junit

    print_traffic_summary(result, console)
    for path, render in ((args.report, render_traffic_html), (args.junit, render_traffic_junit)):
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(render(result))
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        write_traffic_json(result, args.json)
    return result.exit_code(args.fail_on)


def validate_har(args: argparse.Namespace, console: Console) -> int:
    from conformance.traffic.har import read_har
    from conformance.traffic.results import TrafficResult

    validator = validator_from(args)  # bad arguments first, before the file is read
    baseline = Baseline.load(args.baseline) if args.baseline else None
    if args.base_url is not None:
        args.base_url = _checked_url("--base-url", args.base_url)
    exchanges, others = read_har(args.file, args.base_url)
    result = TrafficResult(validator, baseline)
    for exchange, outside in sorted(
        [(e, False) for e in exchanges] + [(e, True) for e in others], key=lambda pair: pair[0].at
    ):
        result.add(exchange, outside=outside)
    if others:
        console.print(f"[dim]{len(others)} requests to other hosts: judged only as presigned files, else listed[/]")
    return finish(result, args, console)


def _checked_url(flag: str, text: str) -> str:
    try:
        return arguments.base_url(flag, text)
    except arguments.ArgumentProblem as problem:
        raise ToolError(str(problem)) from None


def serve_proxy(args: argparse.Namespace, console: Console) -> int:
    import httpx
    import uvicorn

    from conformance.traffic.har import HarWriter
    from conformance.traffic.proxy import TrafficProxy
    from conformance.traffic.results import TrafficResult

    validator = validator_from(args)  # bad arguments first, before the upstream is reached
    baseline = Baseline.load(args.baseline) if args.baseline else None
    args.upstream = _checked_url("--upstream", args.upstream)
    try:
        httpx.get(args.upstream, timeout=10)
    except httpx.HTTPError as error:
        raise ToolError(f"Cannot reach the upstream {args.upstream} ({error.__class__.__name__}).") from None
    sock = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((args.host, args.port))
    except OSError as error:
        raise ToolError(f"Cannot listen on {args.host}:{args.port} ({error.strerror}). Tip: --port.") from None
    spool = tempfile.TemporaryDirectory(prefix="dayzero-proxy-")
    result = TrafficResult(validator, baseline, window=WINDOW, spool=Path(spool.name))
    har = HarWriter(args.har) if args.har is not None else None
    proxy = TrafficProxy(args.upstream, result, quiet_headers=args.quiet_headers, har=har, window=WINDOW)
    console.print(
        f"dayzero-conformance proxy on http://{args.host}:{args.port} -> {args.upstream}\n"
        f"  live report: http://{args.host}:{args.port}/__proxy/report   stop: Ctrl-C"
    )
    server = uvicorn.Server(uvicorn.Config(proxy.app(), log_level="warning", lifespan="on"))
    with contextlib.suppress(KeyboardInterrupt):  # uvicorn re-raises the Ctrl-C it handled: the normal end here
        server.run(sockets=[sock])
    try:
        if har is not None:
            har.close()
        return finish(result, args, console)
    finally:
        result.close()
        spool.cleanup()
