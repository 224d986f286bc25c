"""The run as JSON, for machines."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from conformance.results import RunResult


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
                "findings": [{**asdict(f), "baseline": run.finding_status(r, f)} for f in r.findings],
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
