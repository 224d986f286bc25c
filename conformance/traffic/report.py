"""The traffic verdict: records, findings and coverage, as JSON, HTML, JUnit and console text."""

from __future__ import annotations

import json
from collections import Counter, deque
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from rich.console import Console

from conformance.baseline import KNOWN, NEW, Baseline, traffic_key
from conformance.traffic.coverage import Coverage
from conformance.traffic.exchange import TrafficExchange
from conformance.traffic.validator import TrafficValidator
from conformance.traffic.violations import Verdict, Violation


@dataclass(frozen=True)
class TrafficFinding:
    exchange_id: str
    operation_id: str | None
    request: str  # "METHOD /path"
    violation: Violation
    curl: str

    def to_json(self) -> dict[str, Any]:
        return {
            "exchange_id": self.exchange_id,
            "operation_id": self.operation_id,
            "request": self.request,
            **self.violation.to_json(),
            "curl": self.curl,
        }


class TrafficReport:
    """Everything seen so far; `add` validates one exchange and remembers it."""

    def __init__(
        self,
        validator: TrafficValidator,
        baseline: Baseline | None = None,
        *,
        window: int | None = None,
        spool: Path | None = None,
    ) -> None:
        """``window``: keep only the last N records and findings in memory (the proxy's long
        sessions); the counts, coverage and verdict are aggregates of everything. ``spool``: a
        folder where every record and finding is appended as it comes, for the JSON report."""
        self.validator = validator
        self.baseline = baseline  # --baseline: findings already in it are known, not new
        self.coverage = Coverage()
        self.window = window
        self._records: deque[dict[str, Any]] = deque(maxlen=window)
        self._findings: deque[TrafficFinding] = deque(maxlen=window)
        self.ignored: deque[str] = deque(maxlen=window)  # requests outside the API (presigned files, other hosts)
        self.exchanges = 0
        self._sides: Counter[str] = Counter()
        self._statuses: Counter[str] = Counter()  # new / known, per finding
        self._new_sides: Counter[str] = Counter()
        self._rules: set[str] = set()
        self._spool = _Spool(spool) if spool is not None else None

    def add(self, exchange: TrafficExchange, *, outside: bool = False) -> Verdict:
        """Judge one exchange; ``outside``: it went to another host than the API's (only a presigned
        file handed out by a download answer is judged there)."""
        verdict = self.validator.check_outside(exchange) if outside else self.validator.check(exchange)
        if not verdict.in_api:
            self.ignored.append(f"{exchange.method} {exchange.url.split('?')[0]}")
        self.coverage.add(exchange, verdict.operation_id)
        self.exchanges += 1
        record = {
            "id": exchange.id,
            "at": datetime.fromtimestamp(exchange.at, UTC).isoformat().replace("+00:00", "Z"),
            "method": exchange.method,
            "path": exchange.path,
            "query": exchange.query,
            "status": exchange.status,
            "duration_ms": round(exchange.duration_ms, 3),
            "operation_id": verdict.operation_id,
            "violations": [v.to_json() for v in verdict.violations],
        }
        self._records.append(record)
        request = f"{exchange.method} {exchange.path}"
        for violation in verdict.violations:
            finding = TrafficFinding(exchange.id, verdict.operation_id, request, violation, exchange.curl())
            status = self.status(finding)
            self._findings.append(finding)
            self._sides[violation.side] += 1
            self._statuses[status] += 1
            if status == NEW:
                self._new_sides[violation.side] += 1
            self._rules.add(violation.rule)
            if self._spool is not None:
                self._spool.finding({**finding.to_json(), "baseline": status})
        if self._spool is not None:
            self._spool.record(record)
        return verdict

    @property
    def records(self) -> list[dict[str, Any]]:
        """The records in memory (the last ``window`` ones)."""
        return list(self._records)

    @property
    def findings(self) -> list[TrafficFinding]:
        """The findings in memory (the last ``window`` ones); counts cover the whole session."""
        return list(self._findings)

    def count(self, side: str) -> int:
        """Findings of one side, over the whole session (not only the window)."""
        return self._sides[side]

    def status(self, finding: TrafficFinding) -> str:
        """new, or known (in the baseline): matched by rule, side, operation and pointer, never by ids."""
        if self.baseline is None:
            return NEW
        v = finding.violation
        return self.baseline.status(traffic_key(v.rule, v.side, finding.operation_id, v.pointer))

    def fixed(self) -> list[str]:
        """Rules the baseline's traffic broke that this traffic did not."""
        if self.baseline is None:
            return []
        return sorted(self.baseline.failed - self._rules)

    def tally(self) -> dict[str, int]:
        return {NEW: self._statuses[NEW], KNOWN: self._statuses[KNOWN], "fixed": len(self.fixed())}

    def exit_code(self, fail_on: str) -> int:
        """1 when new findings (not in the baseline) of the chosen side(s) exist, 0 otherwise."""
        sides = ("request", "response") if fail_on == "any" else (fail_on,)
        return 1 if any(self._new_sides[side] for side in sides) else 0

    def to_json(self) -> dict[str, Any]:
        """The report; with a window, its records and findings are the last ones only (``window``)."""
        return {
            "generation": self.validator.generation.describe(),
            "exchanges": self.exchanges,
            "window": self.window,
            "request_findings": self.count("request"),
            "response_findings": self.count("response"),
            "findings": [{**f.to_json(), "baseline": self.status(f)} for f in self._findings],
            "baseline": {
                "path": str(self.baseline.path) if self.baseline else None,
                **self.tally(),
                "fixed_rules": self.fixed(),
            },
            "coverage": self.coverage.to_json(),
            "ignored": list(self.ignored),
            "records": list(self._records),
        }

    def write_json(self, path: Path) -> None:
        """The JSON report on disk; with a spool, every record and finding of the session streamed
        from it (the window only bounds memory, never the report)."""
        document = self.to_json()
        if self._spool is None:
            path.write_text(json.dumps(document, indent=2))
            return
        self._spool.flush()
        document["window"] = None
        with path.open("w", encoding="utf-8") as out:
            out.write("{\n")
            for key, value in document.items():
                if key in ("findings", "records"):
                    out.write(f'"{key}": [\n')
                    self._spool.copy(key, out)
                    out.write("],\n")
                else:
                    out.write(f"{json.dumps(key)}: {json.dumps(value)},\n")
            out.write('"complete": true\n}\n')

    def close(self) -> None:
        if self._spool is not None:
            self._spool.close()

    def to_junit(self) -> str:
        suite = ElementTree.Element(
            "testsuite", name="dayzero-traffic", tests=str(self.exchanges), failures=str(sum(self._sides.values()))
        )
        by_exchange: dict[str, list[TrafficFinding]] = {}
        for finding in self._findings:
            by_exchange.setdefault(finding.exchange_id, []).append(finding)
        for record in self._records:
            case = ElementTree.SubElement(
                suite,
                "testcase",
                classname=record["operation_id"] or "outside-the-api",
                name=f"{record['id']} {record['method']} {record['path']}",
            )
            for finding in by_exchange.get(record["id"], []):
                v = finding.violation
                where = f"[{self.status(finding)}] {v.side}: {v.rule} at {v.pointer or '/'}"
                if self.status(finding) == KNOWN:
                    ElementTree.SubElement(case, "skipped", message=f"known in the baseline: {where}")
                    continue
                failure = ElementTree.SubElement(case, "failure", message=where)
                failure.text = f"expected: {v.expected}\nactual: {v.actual}\nreproduce: {finding.curl}"
        return ElementTree.tostring(suite, encoding="unicode")

    def to_html(self) -> str:
        coverage = self.coverage.to_json()
        rows = "".join(
            f"<tr><td>{escape(f.exchange_id)} {self.status(f)}</td><td>{escape(f.violation.side)}</td>"
            f"<td>{escape(f.request)}</td>"
            f"<td>{escape(f.violation.rule)}</td><td><code>{escape(f.violation.pointer)}</code></td>"
            f"<td>{escape(f.violation.expected)}</td><td>{escape(f.violation.actual)}</td>"
            f"<td><pre>{escape(f.curl)}</pre></td></tr>"
            for f in self._findings
        )
        operations = "".join(
            f"<tr><td>{escape(op['operation'])}</td><td>{op['calls']}</td><td>{' '.join(op['statuses_seen'])}</td>"
            f"<td>{' '.join(op['statuses_never'])}</td><td>{escape(', '.join(op['query_parameters_used']))}</td></tr>"
            for op in coverage["operations"].values()
        )
        hints = "".join(f"<li>{escape(hint)}</li>" for hint in coverage["hints"])
        ignored = "".join(f"<li>{escape(item)}</li>" for item in self.ignored)
        verdict = "violations found" if self._sides else "no violations"
        tally = self.tally()
        return f"""<!doctype html><html><head><meta charset="utf-8"><title>DayZero traffic: {verdict}</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;
padding:4px;vertical-align:top;font-size:13px}}pre{{white-space:pre-wrap;margin:0}}</style></head><body>
<h1>DayZero traffic report: {verdict}</h1>
<p>{self.exchanges} exchanges, generation {escape(self.validator.generation.describe())};
{self.count("request")} request findings (the client), {self.count("response")} response findings (the upstream);
{tally[NEW]} new, {tally[KNOWN]} known, {tally["fixed"]} rules fixed
{escape("(baseline " + str(self.baseline.path) + ")" if self.baseline else "(no baseline: every finding is new)")}.
Curl lines read the token from <code>$DZ_TOKEN</code>.</p>
<h2>Findings</h2><table><tr><th>exchange</th><th>side</th><th>request</th><th>rule</th><th>pointer</th>
<th>expected</th><th>actual</th><th>reproduce</th></tr>{rows or '<tr><td colspan="8">none</td></tr>'}</table>
<h2>Coverage: {coverage["operations_called"]} of {coverage["operations_total"]} operations</h2>
<table><tr><th>operation</th><th>calls</th><th>statuses seen</th><th>never seen</th><th>query parameters</th></tr>
{operations}</table>
<h2>What the traffic never did</h2><ul>{hints or "<li>nothing: every documented status was seen</li>"}</ul>
<h2>Not checked (outside the API)</h2><ul>{ignored or "<li>none</li>"}</ul>
</body></html>"""

    def print_summary(self, console: Console) -> None:
        coverage = self.coverage.to_json()
        console.print(
            f"{self.exchanges} exchanges ({self.validator.generation.describe()}): "
            f"{self.count('request')} request findings, {self.count('response')} response findings; "
            f"{coverage['operations_called']} of {coverage['operations_total']} operations exercised."
        )
        tally = self.tally()
        where = f" (baseline {self.baseline.path})" if self.baseline else ""
        console.print(f"findings: {tally[NEW]} new, {tally[KNOWN]} known, {tally['fixed']} rules fixed{where}")
        if self.fixed():
            console.print(f"[green]fixed[/] since the baseline: {', '.join(self.fixed())}")
        for finding in list(self._findings)[:20]:
            v = finding.violation
            mark = "[red]new[/]" if self.status(finding) == NEW else "[yellow]known[/]"
            console.print(
                f"{mark} [red]{v.side}[/] {finding.exchange_id} {finding.request}  {v.rule} at {v.pointer or '/'}"
            )
            console.print(
                f"  expected: {v.expected}\n  actual:   {v.actual}\n  reproduce: {finding.curl}", soft_wrap=True
            )
        total = sum(self._sides.values())
        if total > 20:
            console.print(f"... and {total - 20} more (see the JSON report)")
        for hint in coverage["hints"][:15]:
            console.print(f"[dim]coverage:[/] {hint}")


def write_reports(
    report: TrafficReport, *, json_path: Any = None, html_path: Any = None, junit_path: Any = None
) -> None:
    for path, render in (
        (html_path, report.to_html),
        (junit_path, report.to_junit),
    ):
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(render())
    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        report.write_json(json_path)


class _Spool:
    """Records and findings as JSON lines in a folder, appended as they come."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._files = {
            name: (folder / f"{name}.jsonl").open("w+", encoding="utf-8") for name in ("records", "findings")
        }

    def record(self, record: dict[str, Any]) -> None:
        self._files["records"].write(json.dumps(record) + "\n")

    def finding(self, finding: dict[str, Any]) -> None:
        self._files["findings"].write(json.dumps(finding) + "\n")

    def flush(self) -> None:
        for handle in self._files.values():
            handle.flush()

    def copy(self, name: str, out: Any) -> None:
        """Write the spooled items as the elements of a JSON array (comma-separated)."""
        with open(self._files[name].name, encoding="utf-8") as spooled:
            first = True
            for line in spooled:
                out.write(("" if first else ",\n") + line.rstrip("\n"))
                first = False
        out.write("\n")

    def close(self) -> None:
        for handle in self._files.values():
            handle.close()
