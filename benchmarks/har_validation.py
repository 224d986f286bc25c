"""How long `dayzero-conformance validate-har` takes on a large capture.

Usage: python benchmarks/har_validation.py [--entries 10000]
Records one round of real traffic (lists of 20, gets, creates, period reads, bad requests)
through the proxy in front of the mock, repeats it to --entries HAR entries (fresh timestamps,
so every entry is judged), writes the HAR to a temporary folder and times the command on it,
end to end (start-up, reading, validating, the JSON report). Bounded: one run of the command.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from conformance.traffic.har import har_document
from conformance.traffic.proxy import TrafficProxy
from conformance.traffic.results import TrafficResult
from conformance.traffic.validator import TrafficValidator
from mock_server.settings import Settings
from mock_server.testing import ACME_ID, running_mock, serving_in_thread

HEADERS = {"Authorization": "Bearer dz_demo_acme", "x-business-id": ACME_ID}
CREATE = {"selected_reports": ["pl", "balance_sheet"], "period_start": "2026-10-01", "period_end": "2026-10-31"}


def one_round(url: str) -> None:
    """A mix of what a client does: creates, list pages of 20, gets, period reads, a bad request."""
    with httpx.Client(base_url=url, headers=HEADERS) as client:
        made = [client.post("/api/v1/month-end-packages", json=CREATE).json()["package"]["id"] for _ in range(25)]
        page = client.get("/api/v1/month-end-packages", params={"limit": 20}).json()
        client.get("/api/v1/month-end-packages", params={"limit": 20, "cursor": page["next_cursor"]})
        for package_id in made[:10]:
            client.get(f"/api/v1/month-end-packages/{package_id}")
        periods = client.get("/api/v1/accounting-periods", params={"limit": 20}).json()["items"]
        for period in periods[:5]:
            client.get(f"/api/v1/accounting-periods/{period['id']}")
            client.get(f"/api/v1/accounting-periods/{period['id']}/close-score")
        client.get("/api/v1/month-end-packages", params={"limit": "lots"})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=10_000)
    args = parser.parse_args()
    with running_mock(Settings(queue_seconds=0.1, build_seconds=0.2)) as mock:
        proxy = TrafficProxy(mock.base_url, TrafficResult(TrafficValidator()))
        with serving_in_thread(proxy.app(), lifespan="on") as url:
            one_round(url)
    entries = har_document(proxy.exchanges)["log"]["entries"]
    document = har_document(proxy.exchanges)
    document["log"]["entries"] = [dict(entries[i % len(entries)]) for i in range(args.entries)]
    with tempfile.TemporaryDirectory() as folder:
        har, report = Path(folder) / "big.har", Path(folder) / "report.json"
        har.write_text(json.dumps(document))
        exe = Path(sys.executable).with_name("dayzero-conformance")
        started = time.perf_counter()
        result = subprocess.run(
            [str(exe), "validate-har", str(har), "--json", str(report)], capture_output=True, text=True, timeout=600
        )
        seconds = time.perf_counter() - started
        judged = json.loads(report.read_text())["exchanges"]
        size = har.stat().st_size
    print(
        f"validate-har: {args.entries} entries ({size / 1e6:.1f} MB), "
        f"{judged} judged, exit {result.returncode}, {seconds:.1f} s ({args.entries / seconds:.0f} entries/s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
