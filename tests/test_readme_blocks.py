"""Every command block of the README, run as it stands (bash and curl, Python, pytest) against a
real `dayzero-mock serve`; a block that cannot run here is skipped with its reason, visibly."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mock_server.testing import server_process
from tests.test_end_to_end import free_port

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
VENV = Path(sys.executable).parent.parent

# Blocks that do not run here, by a phrase in them, with the reason shown in the test report.
NOT_RUN_HERE = {
    ".venv/bin/pip install -e . && .venv/bin/dayzero-mock serve": (
        "creates a venv and installs from PyPI: .ci/run does exactly this before the suite"
    ),
    "python -m pytest": "it is this test suite (.ci/run runs it)",
    "<!-- close-workflow -->": "tests/test_readme_close_workflow.py runs it in both generations",
    "npm ci && npx openapi-typescript": (
        "npm ci needs the npm registry; tests/test_clients.py runs both generators end to end"
    ),
    "docker build -t dayzero-mock-kit": (
        "needs a container engine and an image; tests/test_container_image.py builds the Containerfile "
        "with podman and runs it"
    ),
    "uvx --from dayzero-mock-kit": (
        "dayzero-mock-kit is not on PyPI yet; tests/test_one_line_runs.py runs `uv tool run --from` the checkout"
    ),
    "from dayzero_mock_kit.testcontainers import": (
        "needs a container engine; tests/test_testcontainers.py runs it through podman's Docker socket"
    ),
    "<!-- ci-conformance -->": "tests/test_ci_templates.py runs it with the inputs as environment variables",
    "dayzero-conformance proxy --upstream": (
        "a walkthrough whose [...] mark optional flags and whose step 2 is your own client; "
        "tests/conformance/traffic/test_traffic.py runs the proxy and validate-har"
    ),
}


def blocks() -> list[tuple[str, str, str]]:
    """(language, code, the text just before it) of every ```bash and ```python block."""
    text = README.read_text()
    found = []
    for match in re.finditer(r"```(bash|python)\n(.*?)```", text, re.S):
        before = text[max(0, match.start() - 40) : match.start()]
        found.append((match.group(1), match.group(2), before))
    return found


def _id(block: tuple[str, str, str]) -> str:
    first = next(line for line in block[1].splitlines() if line.strip() and not line.startswith("#"))
    return f"{block[0]}:{first[:40]}"


@pytest.mark.parametrize("block", blocks(), ids=_id)
def test_the_readme_block_runs_as_it_stands(block: tuple[str, str, str], tmp_path: Path) -> None:
    language, code, before = block
    for phrase, reason in NOT_RUN_HERE.items():
        if phrase in code or phrase in before:
            pytest.skip(reason)
    if language == "bash" and not (shutil.which("bash") and shutil.which("curl")):
        pytest.skip("needs bash and curl")
    (tmp_path / ".venv").symlink_to(VENV)  # the README's commands run from a checkout with .venv
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [str(VENV / "bin" / "dayzero-mock"), "serve", "--port", str(port), "--quiet"]
    with server_process([*command, "--queue-seconds", "0.2", "--build-seconds", "0.3"], f"{base}/openapi.json"):
        code = code.replace("http://127.0.0.1:4010", base)
        if language == "bash":
            run = [shutil.which("bash") or "bash", "-c", "set -euo pipefail\n" + code]
        elif "def test_" in code:  # the pytest plugin's example: a test file of your suite
            (tmp_path / "test_dayzero.py").write_text(code)
            run = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_dayzero.py"]
            run += ["--dz-base-url", base, "--dz-token", "dz_demo_acme"]
            run += ["--dz-business-id", "11111111-1111-4111-8111-111111111111"]
        else:
            run = [sys.executable, "-c", code]
        result = subprocess.run(run, cwd=tmp_path, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
