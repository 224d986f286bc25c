"""The JSON reports, for machines and for ``--baseline``: a run's, and the traffic's (proxy, validate-har)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from conformance.results import Finding, RunResult
from conformance.traffic.rules import traffic_rule

if TYPE_CHECKING:
    from conformance.traffic.results import TrafficResult


def run_finding_json(finding: Finding, status: str) -> dict[str, Any]:
    """A finding of a check, as a run's report has always written it (``--baseline`` reads it back)."""
    return {
        "message": finding.message,
        "expected": finding.expected,
        "actual": finding.actual,
        "curl": finding.curl,
        "operation": finding.operation,
        "baseline": status,
    }


def as_dict(run: RunResult) -> dict[str, Any]:
    return {
        "base_url": run.base_url,
        "tier": run.tier,
        "seed": run.seed,
        "generation": run.generation,
        "notes": run.notes,
        "duration_seconds": round(run.duration, 2),
        "exit_code": run.exit_code,
        "counts": run.counts(),
        "checks": [
            {
                "id": r.check.id,
                "title": r.check.title,
                "level": r.check.level,
                "layer": r.check.layer,
                "rationale": r.check.rationale,
                "operations": list(r.check.operations),
                "status": r.status,
                "skip_reason": r.skip_reason or None,
                "duration_seconds": round(r.duration, 3),
                "findings": [run_finding_json(f, run.finding_status(r, f)) for f in r.findings],
            }
            for r in run.results
        ],
        "baseline": {
            "path": str(run.baseline.path) if run.baseline else None,
            **run.tally(),
            "fixed_checks": run.fixed(),
        },
        "created_package_ids": run.created,
        "created_period_ids": run.created_periods,
    }


def render_json(run: RunResult) -> str:
    return json.dumps(as_dict(run), indent=2)


def violation_json(finding: Finding) -> dict[str, str]:
    """A traffic finding as a record of the journal's shape lists it (openapi/control.yaml)."""
    return {
        "side": finding.side,
        "rule": finding.rule,
        "level": traffic_rule(finding.rule).level,
        "pointer": finding.pointer,
        "expected": finding.expected,
        "actual": finding.actual,
    }


def traffic_finding_json(finding: Finding, status: str) -> dict[str, Any]:
    """A traffic finding with its exchange, as the traffic report writes it (``--baseline`` reads it back)."""
    return {
        "exchange_id": finding.exchange_id,
        "operation_id": finding.operation_id,
        "request": finding.operation,
        **violation_json(finding),
        "curl": finding.curl,
        "baseline": status,
    }


def traffic_dict(result: TrafficResult) -> dict[str, Any]:
    """The traffic report; with a window, its records and findings are the last ones only (``window``)."""
    return {
        "generation": result.generation,
        "exchanges": result.exchanges,
        "window": result.window,
        "request_findings": result.count("request"),
        "response_findings": result.count("response"),
        "findings": [traffic_finding_json(f, result.status(f)) for f in result.findings],
        "baseline": {
            "path": str(result.baseline.path) if result.baseline else None,
            **result.tally(),
            "fixed_rules": result.fixed(),
        },
        "coverage": result.coverage.to_json(),
        "ignored": list(result.ignored),
        "records": result.records,
    }


def write_traffic_json(result: TrafficResult, path: Path) -> None:
    """The traffic report on disk; with a spool, every record and finding of the session streamed
    from it (the window only bounds memory, never the report)."""
    document = traffic_dict(result)
    if not result.spooled:
        path.write_text(json.dumps(document, indent=2))
        return
    document["window"] = None
    with path.open("w", encoding="utf-8") as out:
        out.write("{\n")
        for key, value in document.items():
            if key in ("findings", "records"):
                out.write(f'"{key}": [\n')
                first = True
                for item in result.spooled_items(key):
                    out.write(("" if first else ",\n") + item)
                    first = False
                out.write("\n],\n")
            else:
                out.write(f"{json.dumps(key)}: {json.dumps(value)},\n")
        out.write('"complete": true\n}\n')
