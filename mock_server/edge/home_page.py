"""The page at ``/``: what this server is and where to go next (the banner's first URL)."""

from __future__ import annotations

from html import escape

from starlette.responses import HTMLResponse

from dayzero_mock_kit.openapi.operations import Operation

# The demo identity of the bundled fixture, as the banner's curl line names it.
DEMO_TOKEN = "dz_demo_acme"
DEMO_BUSINESS_ID = "11111111-1111-4111-8111-111111111111"


def home_page(base_url: str, *, control: bool, generation: str) -> HTMLResponse:
    """A small page: what this is, the docs, the console, the documents and a curl line."""
    base = escape(base_url.rstrip("/"))
    curl = escape(
        f"curl -H 'Authorization: Bearer {DEMO_TOKEN}' -H 'x-business-id: {DEMO_BUSINESS_ID}' "
        f"'{base_url.rstrip('/')}{Operation.LIST_PERIODS.path}?limit=3'"
    )
    console = (
        '<li><a href="/__mock/ui">Console</a>: packages, periods, the clock, faults and the request journal</li>'
        '<li><a href="/__mock/openapi.json">/__mock/openapi.json</a>: the control API (ours)</li>'
        if control
        else ""
    )
    return HTMLResponse(
        f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>DayZero mock</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}}
code,pre{{background:#f4f4f4;border-radius:4px}}pre{{padding:.75rem;white-space:pre-wrap;overflow-wrap:anywhere}}</style>
</head><body>
<h1>DayZero mock</h1>
<p>A stateful mock of DayZero's month-end packages and accounting-periods API (all 17 published
operations; {escape(generation)} generation), served by <code>dayzero-mock</code> at <code>{base}</code>.</p>
<ul>
<li><a href="/docs">Docs</a>: every operation, with <em>Try it out</em> (press Authorize, paste
<code>{DEMO_TOKEN}</code>)</li>
{console}
<li><a href="/openapi.json">/openapi.json</a> and <a href="/openapi.yaml">/openapi.yaml</a>: the published
contract, unchanged</li>
<li><a href="/openapi.effective.json">/openapi.effective.json</a>: the contract aimed at this mock</li>
</ul>
<p>Try it:</p>
<pre>{curl}</pre>
</body></html>
"""
    )
