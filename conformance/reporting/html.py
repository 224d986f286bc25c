"""A self-contained HTML report: operations x checks matrix, then every failure with its curl line."""

from __future__ import annotations

from html import escape

from conformance.results import ERROR, FAILED, PASSED, SKIPPED, RunResult

STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;margin:1rem 0}
td,th{border:1px solid #ccc;padding:.3rem .5rem;font-size:.85rem}th{background:#f4f4f4;text-align:left}
.passed{background:#dff5e1}.failed,.error{background:#fbdada}.skipped{background:#fff4cc}.na{color:#bbb}
pre{background:#f6f6f6;padding:.6rem;white-space:pre-wrap;word-break:break-all}.badge{font-weight:bold}
"""
SYMBOL = {PASSED: "pass", FAILED: "FAIL", ERROR: "ERROR", SKIPPED: "skip"}


def render_html(run: RunResult) -> str:
    counts = run.counts()
    operations = sorted({op for r in run.results for op in r.check.operations})
    rows = []
    for result in run.results:
        cells = "".join(
            f'<td class="{result.status}">{SYMBOL[result.status]}</td>'
            if op in result.check.operations
            else '<td class="na">&middot;</td>'
            for op in operations
        )
        rows.append(
            f'<tr><th title="{escape(result.check.rationale)}">{escape(result.check.id)}</th>'
            f"<td>{result.check.level}</td><td>{escape(result.check.title)}</td>{cells}</tr>"
        )
    header = "".join(f"<th>{escape(op)}</th>" for op in operations)
    failures = []
    for result in run.failed():
        items = "".join(
            f"<h4>{escape(f.message)} <small>{escape(f.operation)}</small></h4>"
            f"<p><b>expected:</b> {escape(f.expected)}<br><b>actual:</b> {escape(f.actual)}<br>"
            f"<b>seed:</b> {run.seed}</p>"
            f"<pre>{escape(f.curl)}</pre>"
            for f in result.findings
        )
        failures.append(
            f"<h3>{escape(result.check.id)} ({result.check.level}) {escape(result.check.title)}</h3>"
            f"<p><i>{escape(result.check.rationale)}</i></p>{items}"
        )
    verdict = "CONFORMS" if run.exit_code == 0 else "DOES NOT CONFORM"
    skipped = "".join(
        f"<li>{escape(r.check.id)}: {escape(r.skip_reason)}</li>" for r in run.results if r.status == SKIPPED
    )
    created = escape(" ".join(run.created)) or "none"
    created_periods = escape(" ".join(run.created_periods)) or "none"
    notes = "".join(f"<li>{escape(note)}</li>" for note in run.notes)
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>DayZero conformance: {verdict}</title>
<style>{STYLE}</style></head><body>
<h1>DayZero conformance report: <span class="badge">{verdict}</span></h1>
<p>Target <code>{escape(run.base_url)}</code>, tier <b>{run.tier}</b>, seed <b>{run.seed}</b>,
generation <b>{escape(run.generation)}</b>,
{run.duration:.1f} s. Passed {counts[PASSED]}, failed {counts[FAILED]}, errors {counts[ERROR]},
skipped {counts[SKIPPED]}.
Curl lines read the token from <code>$DZ_TOKEN</code> (and <code>$DZ_OTHER_TOKEN</code>).</p>
<h2>Checks by operation</h2>
<table><tr><th>check</th><th>level</th><th>title</th>{header}</tr>{"".join(rows)}</table>
<h2>Failures</h2>{"".join(failures) or "<p>None.</p>"}
<h2>Skipped</h2><ul>{skipped or "<li>none</li>"}</ul>
<h2>How the run was done</h2><ul>{notes or "<li>nothing to note</li>"}</ul>
<h2>Created resources</h2><p>Packages: <code>{created}</code></p>
<p>Accounting periods: <code>{created_periods}</code></p>
</body></html>"""
