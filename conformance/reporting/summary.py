"""The run as a short Markdown summary, from the JSON report: the verdict and the failing
checks, for a CI page (``$GITHUB_STEP_SUMMARY``) or a job log.

``dayzero-conformance summary REPORT.json`` prints it; a missing report (the kit could not
run, exit 2) gives a summary that says so, pointing at the log.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FAILING = ("failed", "error")


def _cell(text: str, limit: int = 160) -> str:
    flat = " ".join(str(text).split()).replace("|", "\\|")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def render_summary(report: dict[str, Any]) -> str:
    """Markdown: verdict line, counts, and a table of the failing checks with their first finding."""
    counts = report["counts"]
    failing = [check for check in report["checks"] if check["status"] in FAILING]
    verdict = "passed" if report["exit_code"] == 0 else "failed"
    icon = "✅" if verdict == "passed" else "❌"
    lines = [
        f"## DayZero conformance: {icon} {verdict}",
        "",
        f"{report['tier']} tier against `{report['base_url']}`, generation {report['generation']}, "
        f"seed {report['seed']}: {counts['passed']} passed, {counts['failed']} failed, "
        f"{counts['error']} errors, {counts['skipped']} skipped ({report['duration_seconds']} s).",
    ]
    if failing:
        lines += ["", "| check | level | what failed |", "|---|---|---|"]
        for check in failing:
            first = check["findings"][0] if check["findings"] else None
            what = f"{first['message']} (expected {first['expected']}, got {first['actual']})" if first else ""
            lines.append(f"| `{check['id']}` | {check['level']} | {_cell(check['title'] + ': ' + what)} |")
        lines += ["", "Every finding, with a curl line to repeat it, is in the HTML report (artifact)."]
    return "\n".join(lines) + "\n"


def summary_of(path: Path) -> str:
    """The summary of the report at ``path``, or a note that there is none."""
    try:
        report = json.loads(path.read_text())
    except FileNotFoundError:
        return (
            "## DayZero conformance: ⚠️ did not run\n\n"
            f"No report at `{path}`: the kit could not work (exit 2). Its log says why.\n"
        )
    return render_summary(report)
