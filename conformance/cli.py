"""``dayzero-conformance run``: check an implementation against the DayZero contract.

Exit codes: 0 every MUST check passed; 1 a check failed; 2 the tool could not do its job.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from conformance import arguments, rules_table
from conformance.http import ToolError
from conformance.reporting.console import ConsoleReporter
from conformance.reporting.html import render_html
from conformance.reporting.json_report import render_json
from conformance.reporting.junit import render_junit
from conformance.reporting.summary import summary_of
from conformance.results import RunResult
from conformance.settings import Identity, KitSettings
from conformance.storage import default_cache_dir
from conformance.traffic.commands import add_commands, serve_proxy, validate_har


class UsageError(Exception):
    """Bad arguments; argparse-style message."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def _rate(text: str) -> float:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(?:/s)?\s*", text)
    if not match or float(match.group(1)) <= 0:
        raise argparse.ArgumentTypeError(f"rate limit must look like 10/s, not {text!r}")
    return float(match.group(1))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="dayzero-conformance", description="Check a DayZero API implementation against the contract.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run the checks")
    run.add_argument("--base-url", required=True, help="API root, e.g. https://staging.example.com")
    run.add_argument("--token", required=True)
    run.add_argument("--business-id", required=True)
    run.add_argument("--other-token", help="a second identity, for tenant checks")
    run.add_argument("--other-business-id", help="a business the first token may NOT use")
    run.add_argument("--tier", choices=("smoke", "full"), default="smoke")
    run.add_argument(
        "--generation",
        choices=("auto", "bare", "envelope"),
        default="auto",
        help="which generation of the docs the server speaks; auto: decided from the first success body",
    )
    run.add_argument("--seed", type=int, default=20261121)
    run.add_argument("--junit", type=Path)
    run.add_argument("--json", type=Path)
    run.add_argument("--html", type=Path)
    run.add_argument("--ready-timeout", type=float, default=120.0, help="seconds to wait for a package to finish")
    run.add_argument("--read-only", action="store_true", help="skip every check that creates data")
    run.add_argument("--rate-limit", type=_rate, help="cap the request rate, e.g. 10/s")
    run.add_argument("--include-check", action="append", default=[], metavar="ID")
    run.add_argument("--exclude-check", action="append", default=[], metavar="ID")
    run.add_argument("--strict", action="store_true", help="SHOULD failures fail the run too")
    run.add_argument(
        "--baseline",
        type=Path,
        help="the --json report of an earlier run: its findings are known and do not fail this run",
    )
    caches = run.add_mutually_exclusive_group()
    caches.add_argument(
        "--cache-dir",
        type=Path,
        default=default_cache_dir(),
        help="where Schemathesis and Hypothesis keep caches and failing examples (default: %(default)s); "
        "nothing is written to the current folder",
    )
    caches.add_argument(
        "--no-cache", action="store_const", const=None, dest="cache_dir", help="keep caches in a temporary folder"
    )
    listing = commands.add_parser("list", help="list every rule: check, traffic rule, level and source")
    listing.add_argument(
        "--format", choices=("text", "markdown"), default="text", help="markdown: the table of docs/RULES.md"
    )
    summary = commands.add_parser("summary", help="print a JSON report's verdict and failing checks as Markdown")
    summary.add_argument("report", type=Path, help="the file `run --json` wrote")
    add_commands(commands)
    return parser


def settings_from_args(args: argparse.Namespace) -> KitSettings:
    if (args.other_token is None) != (args.other_business_id is None):
        raise UsageError("--other-token and --other-business-id go together.")
    try:
        identity = Identity(
            arguments.token("--token", args.token), arguments.business_id("--business-id", args.business_id)
        )
        other = None
        if args.other_token is not None:
            other = Identity(
                arguments.token("--other-token", args.other_token),
                arguments.business_id("--other-business-id", args.other_business_id),
            )
        return KitSettings(
            base_url=arguments.base_url("--base-url", args.base_url),
            identity=identity,
            other=other,
            tier=args.tier,
            generation=args.generation,
            seed=args.seed,
            ready_timeout=args.ready_timeout,
            read_only=args.read_only,
            rate_limit=args.rate_limit,
            include=frozenset(args.include_check),
            exclude=frozenset(args.exclude_check),
            strict=args.strict,
            junit=args.junit,
            json=args.json,
            html=args.html,
            cache_dir=args.cache_dir,
            baseline=args.baseline,
        )
    except ValueError as error:
        raise UsageError(str(error)) from None


def write_reports(run: RunResult, settings: KitSettings) -> None:
    for path, render in ((settings.junit, render_junit), (settings.json, render_json), (settings.html, render_html)):
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(render(run))


_COMMANDS = ("run", "list", "summary", "proxy", "validate-har")


def main(argv: Sequence[str] | None = None) -> int:
    from conformance.runner import run_conformance  # registers every check

    console = Console(highlight=False)
    errors = Console(stderr=True, highlight=False)
    try:
        args = build_parser().parse_args(argv)
        if args.command == "list":
            table = rules_table.markdown() if args.format == "markdown" else rules_table.text()
            sys.stdout.write(table if table.endswith("\n") else table + "\n")
            return 0
        if args.command == "summary":
            sys.stdout.write(summary_of(args.report))
            return 0
        if args.command == "proxy":
            return serve_proxy(args, console)
        if args.command == "validate-har":
            return validate_har(args, console)
        settings = settings_from_args(args)
        reporter = ConsoleReporter(console)
        console.print(f"dayzero-conformance: {settings.tier} tier against {settings.base_url} (seed {settings.seed})")
        run = run_conformance(settings, progress=reporter.progress)
        reporter.summary(run)
        write_reports(run, settings)
        return run.exit_code
    except UsageError as error:
        command = next((a for a in argv or sys.argv[1:] if a in _COMMANDS), "COMMAND")
        errors.print(f"dayzero-conformance: {error} Tip: dayzero-conformance {command} --help", soft_wrap=True)
        return 2
    except ToolError as error:
        errors.print(f"dayzero-conformance: {error}", soft_wrap=True)
        return 2
    except KeyboardInterrupt:
        errors.print("dayzero-conformance: interrupted.", soft_wrap=True)
        return 2


if __name__ == "__main__":
    sys.exit(main())
