"""The README's close workflow, run as it stands through bash and curl against a real
`dayzero-mock serve` process, in both generations of the docs."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mock_server.testing import server_process
from tests.test_end_to_end import free_port

README = Path(__file__).resolve().parents[1] / "README.md"


def close_workflow() -> str:
    text = README.read_text()
    match = re.search(r"<!-- close-workflow -->\n```bash\n(.*?)```\n<!-- /close-workflow -->", text, re.S)
    assert match, "the README has a close-workflow block"
    return match.group(1)


@pytest.mark.parametrize("generation", ["bare", "envelope"])
def test_the_readme_close_workflow_works_with_curl(generation: str) -> None:
    bash, curl = shutil.which("bash"), shutil.which("curl")
    if not (bash and curl):
        pytest.skip("needs bash and curl")
    port = free_port()
    exe = Path(sys.executable).with_name("dayzero-mock")
    base = f"http://127.0.0.1:{port}"
    command = [str(exe), "serve", "--port", str(port), "--generation", generation]
    with server_process(command, f"{base}/openapi.json"):  # fails if the mock leaves a process behind
        # Each curl's answer on its own line, so that the test can read them one by one.
        script = 'set -euo pipefail\ncurl() { command curl "$@"; echo; }\n' + close_workflow().replace(
            "http://127.0.0.1:4010", base
        )
        result = subprocess.run([bash, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    bodies = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    if generation == "envelope":
        assert all(body["success"] is True for body in bodies)
        bodies = [body["data"] for body in bodies]
    readiness, score, ack, sign_off, rescored, closed, locked, reopened, history = bodies
    assert {item["status"] for item in readiness["items"]} <= {"pass", "warning", "fail"}
    assert ack["step_id"] == "trial_balance_review" and sign_off["role"] == "preparer"
    assert rescored["score"] > score["score"], "acknowledging and signing off raise the score"
    assert closed["status"] == "closed" and closed["closed_by_user_id"] and closed["closed_at"]
    assert locked["locked_count"] == 1 and locked["skipped_count"] == 0
    assert reopened["status"] == "open" and reopened["reopen_reason"] == "Late vendor invoice"
    assert history["items"] and history["items"][-1]["score"] < 100, "reopened: not done any more"
