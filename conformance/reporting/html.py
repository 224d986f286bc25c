"""Self-contained HTML reports. A run's reads top-down: the verdict, the failing checks (with a
link to each one's details), the details, and last the operations-by-checks matrix in its own
scrolling box, so the page fits a 1280 px window. The traffic's: findings, coverage, what the
traffic never did, and what was outside the API."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from conformance.arguments import API_PREFIX
from conformance.baseline import KNOWN, NEW
from conformance.results import ERROR, FAILED, PASSED, SKIPPED, CheckResult, RunResult

if TYPE_CHECKING:
    from conformance.traffic.results import TrafficResult

STYLE = """
*{box-sizing:border-box}body{font-family:system-ui,sans-serif;margin:0 auto;padding:1.2rem 1.5rem;max-width:1240px;
color:#222;overflow-wrap:anywhere}h1{font-size:1.5rem;margin:.2rem 0 .6rem}h2{margin-top:1.8rem}
.verdict{display:inline-block;padding:.2rem .7rem;border-radius:.3rem;color:#fff}.ok{background:#2e7d32}
.bad{background:#c62828}.warn{background:#b26a00}table{border-collapse:collapse;margin:.6rem 0}
td,th{border:1px solid #ccc;padding:.3rem .5rem;font-size:.85rem;vertical-align:top;text-align:left}
th{background:#f4f4f4}.failing{width:100%}.passed{background:#dff5e1}.failed,.error{background:#fbdada}
.skipped{background:#fff4cc}.na{color:#bbb}.new{color:#c62828;font-weight:bold}.known{color:#8a6d00}
pre{background:#f6f6f6;padding:.6rem;white-space:pre-wrap;word-break:break-all;margin:.3rem 0}
.matrix{overflow-x:auto;max-width:100%;border:1px solid #ddd}.matrix th.op{font-weight:normal}
.matrix th,.matrix td{white-space:nowrap;overflow-wrap:normal}
.summary{font-size:.95rem;margin:.3rem 0}.detail{border-top:1px solid #eee;padding-top:.4rem}
"""
SYMBOL = {PASSED: "pass", FAILED: "FAIL", ERROR: "ERROR", SKIPPED: "skip"}


def _short(operation: str) -> str:
    """'GET <prefix>month-end-packages/{package_id}' -> 'GET packages/{id}' (the matrix's headers)."""
    method, _, path = operation.partition(" ")
    path = path.replace(API_PREFIX, "").replace("month-end-packages", "packages")
    path = path.replace("accounting-periods", "periods").replace("{package_id}", "{id}").replace("{period_id}", "{id}")
    return f"{method} {path}"


def _baseline(run: RunResult, result: CheckResult) -> str:
    if not result.findings:
        return NEW
    statuses = {run.finding_status(result, f) for f in result.findings}
    return NEW if NEW in statuses else KNOWN


def _failing_table(run: RunResult) -> str:
    failed = sorted(run.failed(), key=lambda r: (not (r.blocks and run.is_new(r)), r.check.level != "MUST"))
    if not failed:
        return "<p>No check failed.</p>"
    rows = "".join(
        f'<tr><td><a href="#{escape(r.check.id)}"><b>{escape(r.check.id)}</b></a></td><td>{r.check.level}</td>'
        f'<td class="{_baseline(run, r)}">{_baseline(run, r)}</td><td>{escape(r.check.title)}</td>'
        f"<td>{escape(r.findings[0].message) if r.findings else r.status}</td><td>{len(r.findings)}</td></tr>"
        for r in failed
    )
    return (
        '<table class="failing"><tr><th>check</th><th>level</th><th>baseline</th><th>rule</th>'
        f"<th>first finding</th><th>findings</th></tr>{rows}</table>"
    )


def _details(run: RunResult) -> str:
    sections = []
    for result in run.failed():
        items = "".join(
            f'<h4><span class="{run.finding_status(result, f)}">{run.finding_status(result, f)}</span> '
            f"{escape(f.message)} <small>{escape(f.operation)}</small></h4>"
            f"<p><b>expected:</b> {escape(f.expected)}<br><b>actual:</b> {escape(f.actual)}<br>"
            f"<b>seed:</b> {run.seed}</p><pre>{escape(f.curl)}</pre>"
            for f in result.findings
        )
        sections.append(
            f'<div class="detail" id="{escape(result.check.id)}"><h3>{escape(result.check.id)} '
            f"({result.check.level}) {escape(result.check.title)}</h3>"
            f"<p><b>source:</b> {escape(result.check.source)}<br><i>{escape(result.check.rationale)}</i></p>"
            f"{items}</div>"
        )
    return "".join(sections) or "<p>None.</p>"


def _matrix(run: RunResult) -> str:
    operations = sorted({op for r in run.results for op in r.check.operations})
    header = "".join(f'<th class="op" title="{escape(op)}">{escape(_short(op))}</th>' for op in operations)
    rows = []
    for result in run.results:
        cells = "".join(
            f'<td class="{result.status}">{SYMBOL[result.status]}</td>'
            if op in result.check.operations
            else '<td class="na">&middot;</td>'
            for op in operations
        )
        rows.append(
            f'<tr><th title="{escape(result.check.title)}">{escape(result.check.id)}</th>'
            f"<td>{result.check.level}</td>{cells}</tr>"
        )
    return f'<div class="matrix"><table><tr><th>check</th><th>level</th>{header}</tr>{"".join(rows)}</table></div>'


def render_html(run: RunResult) -> str:
    counts = run.counts()
    tally = run.tally()
    verdict = "CONFORMS" if run.exit_code == 0 else "DOES NOT CONFORM"
    tone = "bad" if run.exit_code else ("warn" if run.failed() else "ok")
    fixed = ", ".join(run.fixed()) or "none"
    baseline = (
        f"baseline <code>{escape(str(run.baseline.path))}</code>: {tally[NEW]} new, {tally[KNOWN]} known "
        f"findings; fixed: {escape(fixed)}"
        if run.baseline
        else f"{tally[NEW]} findings, all new (no baseline)"
    )
    skipped = "".join(
        f"<li>{escape(r.check.id)}: {escape(r.skip_reason)}</li>" for r in run.results if r.status == SKIPPED
    )
    created = escape(" ".join(run.created)) or "none"
    created_periods = escape(" ".join(run.created_periods)) or "none"
    notes = "".join(f"<li>{escape(note)}</li>" for note in run.notes)
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>DayZero conformance: {verdict}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style></head><body>
<h1>DayZero conformance: <span class="verdict {tone}" id="verdict">{verdict}</span></h1>
<p class="summary">{counts[FAILED] + counts[ERROR]} failing, {counts[PASSED]} passed, {counts[SKIPPED]} skipped;
{baseline}.</p>
<p class="summary">Target <code>{escape(run.base_url)}</code>, tier <b>{run.tier}</b>, seed <b>{run.seed}</b>,
generation <b>{escape(run.generation)}</b>, {run.duration:.1f} s. MUST failures fail the run; SHOULD ones only
with --strict. Curl lines read the token from <code>$DZ_TOKEN</code> (and <code>$DZ_OTHER_TOKEN</code>).</p>
<h2 id="failing">Failing checks</h2>{_failing_table(run)}
<h2>Details</h2>{_details(run)}
<h2>Checks by operation</h2>{_matrix(run)}
<h2>Skipped</h2><ul>{skipped or "<li>none</li>"}</ul>
<h2>How the run was done</h2><ul>{notes or "<li>nothing to note</li>"}</ul>
<h2>Created resources</h2><p>Packages: <code>{created}</code></p>
<p>Accounting periods: <code>{created_periods}</code></p>
</body></html>"""


def render_traffic_html(result: TrafficResult) -> str:
    coverage = result.coverage.to_json()
    rows = "".join(
        f"<tr><td>{escape(f.exchange_id)} {result.status(f)}</td><td>{escape(f.side)}</td>"
        f"<td>{escape(f.operation)}</td>"
        f"<td>{escape(f.rule)}</td><td><code>{escape(f.pointer)}</code></td>"
        f"<td>{escape(f.expected)}</td><td>{escape(f.actual)}</td>"
        f"<td><pre>{escape(f.curl)}</pre></td></tr>"
        for f in result.findings
    )
    operations = "".join(
        f"<tr><td>{escape(op['operation'])}</td><td>{op['calls']}</td><td>{' '.join(op['statuses_seen'])}</td>"
        f"<td>{' '.join(op['statuses_never'])}</td><td>{escape(', '.join(op['query_parameters_used']))}</td></tr>"
        for op in coverage["operations"].values()
    )
    hints = "".join(f"<li>{escape(hint)}</li>" for hint in coverage["hints"])
    ignored = "".join(f"<li>{escape(item)}</li>" for item in result.ignored)
    verdict = "violations found" if result.count() else "no violations"
    tally = result.tally()
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>DayZero traffic: {verdict}</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;
padding:4px;vertical-align:top;font-size:13px}}pre{{white-space:pre-wrap;margin:0}}</style></head><body>
<h1>DayZero traffic report: {verdict}</h1>
<p>{result.exchanges} exchanges, generation {escape(result.generation)};
{result.count("request")} request findings (the client), {result.count("response")} response findings (the upstream);
{tally[NEW]} new, {tally[KNOWN]} known, {tally["fixed"]} rules fixed
{escape("(baseline " + str(result.baseline.path) + ")" if result.baseline else "(no baseline: every finding is new)")}.
Curl lines read the token from <code>$DZ_TOKEN</code>.</p>
<h2>Findings</h2><table><tr><th>exchange</th><th>side</th><th>request</th><th>rule</th><th>pointer</th>
<th>expected</th><th>actual</th><th>reproduce</th></tr>{rows or '<tr><td colspan="8">none</td></tr>'}</table>
<h2>Coverage: {coverage["operations_called"]} of {coverage["operations_total"]} operations</h2>
<table><tr><th>operation</th><th>calls</th><th>statuses seen</th><th>never seen</th><th>query parameters</th></tr>
{operations}</table>
<h2>What the traffic never did</h2><ul>{hints or "<li>nothing: every documented status was seen</li>"}</ul>
<h2>Not checked (outside the API)</h2><ul>{ignored or "<li>none</li>"}</ul>
</body></html>"""
