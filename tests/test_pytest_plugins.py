"""Both pytest plugins as QA would use them in their own suites."""

import re
import subprocess
import sys
import textwrap
from pathlib import Path

from mock_server.settings import Settings
from mock_server.testing import ACME_ID, GLOBEX_ID, RunningMock, running_mock


def test_dayzero_mock_fixture_gives_a_reset_mock_with_a_frozen_clock(dayzero_mock: RunningMock) -> None:
    import httpx

    url = f"{dayzero_mock.base_url}/api/v1/month-end-packages"
    body = {"selected_reports": ["pl"], "period_start": "2026-10-01", "period_end": "2026-10-31"}
    package = httpx.post(url, json=body, headers=dayzero_mock.headers()).json()["package"]
    assert httpx.get(f"{url}/{package['id']}", headers=dayzero_mock.headers()).json()["status"] == "queued"
    dayzero_mock.advance(10)
    assert httpx.get(f"{url}/{package['id']}", headers=dayzero_mock.headers()).json()["status"] == "ready"


def test_conformance_plugin_runs_each_check_as_a_pytest_test(tmp_path: Path) -> None:
    (tmp_path / "test_contract.py").write_text(
        textwrap.dedent("""
        def test_dayzero(dz_check):
            dz_check.assert_conforms()
    """)
    )
    # The envelope generation, said on the command line: every check reads bodies through it.
    with running_mock(Settings(queue_seconds=0.1, build_seconds=0.2, generation="envelope")) as mock:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-v",
                "-p",
                "no:cacheprovider",
                str(tmp_path),
                "--dz-base-url",
                mock.base_url,
                "--dz-token",
                "dz_demo_acme",
                "--dz-business-id",
                ACME_ID,
                "--dz-other-token",
                "dz_demo_globex",
                "--dz-other-business-id",
                GLOBEX_ID,
                "--dz-cache-dir",
                str(tmp_path.parent / f"{tmp_path.name}-cache"),
                "--dz-generation",
                "envelope",
                "-k",
                "PAGINATION or AUTH or ARTIFACT-ZIP or PERIOD-CLOSE or GENERATION-SHAPE",
            ],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=tmp_path,
        )
    assert result.returncode == 0, result.stdout[-3000:]
    # A SHOULD failure would be an xfail, never "failed"; the mock has none.
    assert "passed" in result.stdout and not re.search(r"\bfailed\b", result.stdout)
    for check_id in ("GENERATION-SHAPE", "PERIOD-CLOSE", "ARTIFACT-ZIP-SIZE"):
        assert f"test_dayzero[{check_id}] PASSED" in result.stdout, check_id
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "__pycache__") == ["test_contract.py"]
