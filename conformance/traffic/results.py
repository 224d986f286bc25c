"""What the traffic showed: every exchange judged, as records (the journal's shape), findings and
coverage, with counts and the verdict over the whole session; ``reporting/`` renders it."""

from __future__ import annotations

import json
from collections import Counter, deque
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from conformance.baseline import KNOWN, NEW, Baseline
from conformance.http import Exchange
from conformance.reporting.json_report import traffic_finding_json, violation_json
from conformance.results import REQUEST, RESPONSE, Finding
from conformance.traffic.coverage import Coverage
from conformance.traffic.validator import TrafficValidator, Verdict


class TrafficResult:
    """Everything seen so far; ``add`` judges one exchange and remembers it."""

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
        self._findings: deque[Finding] = deque(maxlen=window)
        self.ignored: deque[str] = deque(maxlen=window)  # requests outside the API (presigned files, other hosts)
        self.exchanges = 0
        self._sides: Counter[str] = Counter()
        self._statuses: Counter[str] = Counter()  # new / known, per finding
        self._new_sides: Counter[str] = Counter()
        self._rules: set[str] = set()
        self._spool = _Spool(spool) if spool is not None else None

    @property
    def generation(self) -> str:
        """The generation bodies were read with, and how it was chosen."""
        return self.validator.generation.describe()

    def add(self, exchange: Exchange, *, outside: bool = False) -> Verdict:
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
            "violations": [violation_json(f) for f in verdict.findings],
        }
        self._records.append(record)
        for finding in verdict.findings:
            status = self.status(finding)
            self._findings.append(finding)
            self._sides[finding.side] += 1
            self._statuses[status] += 1
            if status == NEW:
                self._new_sides[finding.side] += 1
            self._rules.add(finding.rule)
            if self._spool is not None:
                self._spool.add("findings", traffic_finding_json(finding, status))
        if self._spool is not None:
            self._spool.add("records", record)
        return verdict

    @property
    def records(self) -> list[dict[str, Any]]:
        """The records in memory (the last ``window`` ones)."""
        return list(self._records)

    @property
    def findings(self) -> list[Finding]:
        """The findings in memory (the last ``window`` ones); counts cover the whole session."""
        return list(self._findings)

    def count(self, side: str | None = None) -> int:
        """Findings of one side (all findings without one), over the whole session (not only the window)."""
        return sum(self._sides.values()) if side is None else self._sides[side]

    def status(self, finding: Finding) -> str:
        """new, or known (in the baseline): matched by rule, side, operation and pointer, never by ids."""
        return NEW if self.baseline is None else self.baseline.status(finding.key)

    def fixed(self) -> list[str]:
        """Rules the baseline's traffic broke that this traffic did not."""
        if self.baseline is None:
            return []
        return sorted(self.baseline.failed - self._rules)

    def tally(self) -> dict[str, int]:
        return {NEW: self._statuses[NEW], KNOWN: self._statuses[KNOWN], "fixed": len(self.fixed())}

    def exit_code(self, fail_on: str) -> int:
        """1 when new findings (not in the baseline) of the chosen side(s) exist, 0 otherwise."""
        sides = (REQUEST, RESPONSE) if fail_on == "any" else (fail_on,)
        return 1 if any(self._new_sides[side] for side in sides) else 0

    @property
    def spooled(self) -> bool:
        """Whether every record and finding of the session is on disk (not only the window)."""
        return self._spool is not None

    def spooled_items(self, name: str) -> Iterator[str]:
        """The spooled ``records`` or ``findings``, one JSON text each, in the order they came."""
        assert self._spool is not None
        return self._spool.items(name)

    def close(self) -> None:
        if self._spool is not None:
            self._spool.close()


class _Spool:
    """Records and findings as JSON lines in a folder, appended as they come."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._files: dict[str, IO[str]] = {
            name: (folder / f"{name}.jsonl").open("w+", encoding="utf-8") for name in ("records", "findings")
        }

    def add(self, name: str, item: dict[str, Any]) -> None:
        self._files[name].write(json.dumps(item) + "\n")

    def items(self, name: str) -> Iterator[str]:
        self._files[name].flush()
        with open(self._files[name].name, encoding="utf-8") as spooled:
            for line in spooled:
                yield line.rstrip("\n")

    def close(self) -> None:
        for handle in self._files.values():
            handle.close()
