"""A full Schemathesis run (all phases, all checks, all 17 operations) against the mock in both
generations of the docs: zero failures."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mock_server.settings import Settings
from mock_server.testing import ACME_ID, running_mock

CONFIG = Path(__file__).with_name("schemathesis.toml")


@pytest.mark.parametrize("generation", ["bare", "envelope"])
def test_schemathesis_finds_no_failure_in_any_phase(tmp_path, generation: str) -> None:
    st = shutil.which("st", path=str(Path(sys.executable).parent)) or "st"
    settings = Settings(queue_seconds=0.2, build_seconds=0.3, validate_responses=True, generation=generation)
    with running_mock(settings) as mock:
        result = subprocess.run(
            [
                st,
                "--config-file",
                str(CONFIG),
                "run",
                f"{mock.base_url}/openapi.json",
                "--url",
                mock.base_url,
                "--checks",
                "all",
                "--phases",
                "examples,coverage,fuzzing,stateful",
                "--seed",
                "20261121",
                "--max-examples",
                "60",
                "--report",
                "junit",
                "--report-dir",
                str(tmp_path),
                "--no-color",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            cwd=tmp_path,  # Schemathesis writes .schemathesis/ into its working folder
            env={**os.environ, "DZ_TOKEN": "dz_demo_acme", "DZ_BUSINESS_ID": ACME_ID},
        )
    summary = result.stdout[-4000:]
    assert result.returncode == 0, summary
    assert "0 failures" in summary or "passed" in summary
    assert "Stateful" in summary and "Fuzzing" in summary and "Coverage" in summary
    assert "Tested: 17" in summary, "every published operation was exercised"
