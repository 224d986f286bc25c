"""Progress and verdict on the terminal (rich): a run's, and the traffic's."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from conformance.baseline import KNOWN, NEW
from conformance.results import ERROR, FAILED, PASSED, SKIPPED, CheckResult, RunResult

if TYPE_CHECKING:
    from conformance.traffic.results import TrafficResult

SHOWN = 20  # traffic findings printed; the JSON report has them all

MARKS = {PASSED: "[green]PASS[/]", FAILED: "[red]FAIL[/]", ERROR: "[red]ERROR[/]", SKIPPED: "[yellow]SKIP[/]"}


class ConsoleReporter:
    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(highlight=False)

    def progress(self, result: CheckResult) -> None:
        note = f"  [dim]{result.skip_reason}[/]" if result.status == SKIPPED else ""
        self.console.print(
            f"{MARKS[result.status]} {result.check.id:<28} [dim]{result.check.level:<6}[/] {result.check.title}"
            f" [dim]({result.duration:.1f}s)[/]{note}"
        )

    def summary(self, run: RunResult) -> None:
        for result in run.failed():
            self.console.rule(f"[red]{result.check.id}[/] ({result.check.level}) {result.check.title}")
            self.console.print(f"[dim]why:[/] {result.check.rationale}")
            for finding in result.findings[:5]:
                mark = "[red]new[/]" if run.finding_status(result, finding) == NEW else "[yellow]known[/]"
                self.console.print(f"{mark} [bold]{finding.message}[/]  [dim]{finding.operation}[/]")
                self.console.print(f"  expected: {finding.expected}")
                self.console.print(f"  actual:   {finding.actual}")
                self.console.print(f"  seed:     {run.seed}")
                if finding.curl:
                    self.console.print(f"  reproduce: {finding.curl}", soft_wrap=True)
            if len(result.findings) > 5:
                self.console.print(f"  ... and {len(result.findings) - 5} more (see the JSON or HTML report)")
        counts = run.counts()
        table = Table(title="Verdict", show_header=True)
        for column in ("passed", "failed", "errors", "skipped", "seconds"):
            table.add_column(column, justify="right")
        table.add_row(
            str(counts[PASSED]), str(counts[FAILED]), str(counts[ERROR]), str(counts[SKIPPED]), f"{run.duration:.1f}"
        )
        self.console.print(table)
        tally = run.tally()
        where = f" (baseline {run.baseline.path})" if run.baseline else " (no baseline: every finding is new)"
        self.console.print(f"findings: {tally[NEW]} new, {tally[KNOWN]} known, {tally['fixed']} checks fixed{where}")
        if run.fixed():
            self.console.print(f"[green]fixed[/] since the baseline: {', '.join(run.fixed())}", soft_wrap=True)
        for note in run.notes:
            self.console.print(f"[dim]note:[/] {note}", soft_wrap=True)
        for what, ids in (("package", run.created), ("accounting period", run.created_periods)):
            if ids:
                self.console.print(f"Created {len(ids)} {what}(s) on {run.base_url}:")
                self.console.print("  " + " ".join(ids), soft_wrap=True)
        verdict = "[green]CONFORMS[/]" if run.exit_code == 0 else "[red]DOES NOT CONFORM[/]"
        if run.exit_code == 0 and run.failed():
            verdict += (
                " [yellow](failures above are SHOULD-level or known in the baseline; --strict fails on SHOULD)[/]"
            )
        self.console.print(
            f"{verdict}  tier={run.tier} seed={run.seed} generation={run.generation}"
            "  Tip: export DZ_TOKEN=... to run the curl lines."
        )


def print_traffic_summary(result: TrafficResult, console: Console) -> None:
    coverage = result.coverage.to_json()
    console.print(
        f"{result.exchanges} exchanges ({result.generation}): "
        f"{result.count('request')} request findings, {result.count('response')} response findings; "
        f"{coverage['operations_called']} of {coverage['operations_total']} operations exercised."
    )
    tally = result.tally()
    where = f" (baseline {result.baseline.path})" if result.baseline else ""
    console.print(f"findings: {tally[NEW]} new, {tally[KNOWN]} known, {tally['fixed']} rules fixed{where}")
    if result.fixed():
        console.print(f"[green]fixed[/] since the baseline: {', '.join(result.fixed())}")
    for finding in result.findings[:SHOWN]:
        mark = "[red]new[/]" if result.status(finding) == NEW else "[yellow]known[/]"
        console.print(
            f"{mark} [red]{finding.side}[/] {finding.exchange_id} {finding.operation}  "
            f"{finding.rule} at {finding.pointer or '/'}"
        )
        console.print(
            f"  expected: {finding.expected}\n  actual:   {finding.actual}\n  reproduce: {finding.curl}",
            soft_wrap=True,
        )
    if result.count() > SHOWN:
        console.print(f"... and {result.count() - SHOWN} more (see the JSON report)")
    for hint in coverage["hints"][:15]:
        console.print(f"[dim]coverage:[/] {hint}")
