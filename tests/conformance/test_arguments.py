"""Bad arguments are the tool's errors: exit 2 (a usage error in pytest) with one sentence naming
the argument, before any request is made."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conformance.cli import main
from mock_server.testing import ACME_ID

GOOD = ["--base-url", "http://127.0.0.1:9", "--token", "dz_demo_acme", "--business-id", ACME_ID]
BAD = {
    "--business-id": (["--business-id", "acme"], "--business-id must be the business's UUID"),
    "--other-business-id": (
        ["--other-token", "dz_demo_globex", "--other-business-id", "globex"],
        "--other-business-id must be the business's UUID",
    ),
    "--token spaces": (["--token", "Bearer dz_demo_acme"], "--token has spaces in it"),
    "--token empty": (["--token", ""], "--token is empty"),
    "--other-token empty": (["--other-token", " ", "--other-business-id", ACME_ID], "--other-token is empty"),
    "--base-url api": (["--base-url", "https://api.example.com/api/v1/"], "--base-url points into the API"),
    "--base-url page": (
        ["--base-url", "https://staging.example.com/docs/reference/x"],
        "--base-url points at a page (https://staging.example.com/docs/reference/x); give the API root, "
        "e.g. https://staging.example.com.",
    ),
    "--base-url scheme": (["--base-url", "api.example.com"], "--base-url must be an http(s) URL"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_run_refuses_a_bad_argument_in_one_sentence_before_any_check(
    case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    override, message = BAD[case]
    args = list(GOOD)
    for flag, value in zip(override[::2], override[1::2], strict=True):
        if flag in args:
            args[args.index(flag) + 1] = value
        else:
            args += [flag, value]
    assert main(["run", *args]) == 2
    out = capsys.readouterr()
    # Nothing listens on port 9: a check that ran would have said so ("Cannot reach") instead.
    assert out.out == "" and message in out.err and out.err.count("\n") == 1, out.err
    assert "Traceback" not in out.err
    assert out.err.rstrip().endswith("Tip: dayzero-conformance run --help"), out.err


def test_proxy_and_validate_har_refuse_a_bad_identity_before_reaching_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["proxy", "--upstream", "http://127.0.0.1:9", "--identity", f"dz bad={ACME_ID}"]) == 2
    assert "The token of --identity" in capsys.readouterr().err
    assert main(["proxy", "--upstream", "http://127.0.0.1:9", "--identity", "dz_demo_acme=acme"]) == 2
    assert "The business in --identity 'dz_demo_acme=acme' must be the business's UUID" in capsys.readouterr().err
    assert main(["proxy", "--upstream", "http://127.0.0.1:9/api/v1"]) == 2
    assert "--upstream points into the API" in capsys.readouterr().err
    missing = tmp_path / "none.har"
    assert main(["validate-har", str(missing), "--identity", "dz_demo_acme="]) == 2
    assert "--identity 'dz_demo_acme=' should look like TOKEN=BUSINESS" in capsys.readouterr().err


def test_the_pytest_plugin_makes_a_bad_argument_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "test_contract.py").write_text("def test_dayzero(dz_check):\n    dz_check.assert_conforms()\n")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            str(tmp_path),
            "--dz-base-url",
            "http://127.0.0.1:9",
            "--dz-token",
            "dz_demo_acme",
            "--dz-business-id",
            "acme",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == pytest.ExitCode.USAGE_ERROR, result.stdout + result.stderr
    assert "--dz-business-id must be the business's UUID" in result.stderr
    assert "passed" not in result.stdout and "failed" not in result.stdout
