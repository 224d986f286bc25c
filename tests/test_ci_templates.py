"""The CI templates (``action.yml``, ``ci/dayzero-conformance.gitlab-ci.yml``) run exactly the
commands README.md documents, those commands work against the mock with the inputs as
environment variables, and both files are valid against their published schemas."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from mock_server.settings import Settings
from mock_server.testing import ACME_ID, GLOBEX_ID, running_mock

ROOT = Path(__file__).resolve().parents[1]
ACTION = ROOT / "action.yml"
GITLAB = ROOT / "ci" / "dayzero-conformance.gitlab-ci.yml"
BIN = Path(sys.executable).parent


def readme_commands() -> str:
    text = (ROOT / "README.md").read_text()
    [block] = re.findall(r"<!-- ci-conformance -->\n```bash\n(.*?)```\n<!-- /ci-conformance -->", text, re.S)
    return block


def action_step(name: str) -> dict:
    [step] = [step for step in yaml.safe_load(ACTION.read_text())["runs"]["steps"] if step.get("name") == name]
    return step


def test_the_action_and_the_gitlab_job_run_the_readme_commands() -> None:
    commands = readme_commands()
    step = action_step("Run the kit")
    assert step["run"] == commands and step["shell"] == "bash"
    job = yaml.safe_load(GITLAB.read_text())[".dayzero-conformance"]
    assert job["script"] == [commands]
    # Every input reaches the commands as the variable they read, in both templates.
    inputs = yaml.safe_load(ACTION.read_text())["inputs"]
    read = set(re.findall(r"\$\{?(DZ_[A-Z_]+)", commands))
    given = {name for name, value in step["env"].items() if value.startswith("${{ inputs.")}
    assert given == read - {"DZ_KIT_SPEC"}, "the action installs the kit itself"
    assert {value.removeprefix("${{ inputs.").removesuffix(" }}") for value in step["env"].values()} <= set(inputs)
    assert {"DZ_TIER", "DZ_GENERATION", "DZ_BASELINE", "DZ_READ_ONLY", "DZ_REPORTS"} <= set(job["variables"])
    assert job["artifacts"]["reports"]["junit"] == "${DZ_REPORTS}/junit.xml" and job["artifacts"]["when"] == "always"
    upload = action_step("Keep the reports")
    assert upload["if"] == "always()" and upload["with"]["path"] == "${{ inputs.reports }}"


@pytest.mark.parametrize(
    ("path", "schema"),
    [(ACTION, "vendor.github-actions"), (GITLAB, "vendor.gitlab-ci"), (ROOT / "compose.yaml", "vendor.compose-spec")],
)
def test_templates_are_valid_against_their_published_schemas(path: Path, schema: str, tmp_path: Path) -> None:
    checker = [str(BIN / "check-jsonschema"), "--builtin-schema", schema]
    done = subprocess.run([*checker, str(path)], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    # The same check refuses a broken file (it is not a check that cannot fail).
    broken = yaml.safe_load(path.read_text())
    broken["dz-not-a-key"] = {"runs": 3}
    (tmp_path / path.name).write_text(yaml.safe_dump(broken))
    refused = subprocess.run([*checker, str(tmp_path / path.name)], capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0


def run_commands(tmp_path: Path, **inputs: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    """The README's commands in bash (as the action's step runs them), inputs as environment variables."""
    summary = tmp_path / "step-summary.md"
    env = {
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "DZ_REPORTS": str(tmp_path / "reports"),
        **inputs,
    }
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", readme_commands()],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    return done, summary


def identities(base_url: str) -> dict[str, str]:
    return {
        "DZ_BASE_URL": base_url,
        "DZ_TOKEN": "dz_demo_acme",
        "DZ_BUSINESS_ID": ACME_ID,
        "DZ_OTHER_TOKEN": "dz_demo_globex",
        "DZ_OTHER_BUSINESS_ID": GLOBEX_ID,
    }


def test_the_commands_pass_against_the_mock_and_keep_reports_and_a_summary(tmp_path: Path) -> None:
    with running_mock(Settings(queue_seconds=0.2, build_seconds=0.3)) as mock:
        done, summary = run_commands(tmp_path, **identities(mock.base_url), DZ_TIER="smoke")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    reports = tmp_path / "reports"
    assert 'failures="0"' in (reports / "junit.xml").read_text()
    assert "<html" in (reports / "report.html").read_text().lower()
    assert json.loads((reports / "report.json").read_text())["tier"] == "smoke"
    assert summary.read_text().startswith("## DayZero conformance: ✅ passed")
    assert (tmp_path / "output").read_text() == "exit-code=0\n"


def test_a_failing_check_fails_the_step_and_is_named_in_the_summary(tmp_path: Path) -> None:
    settings = Settings(queue_seconds=0.2, build_seconds=0.3, faults=frozenset({"wrong-file-size"}))
    with running_mock(replace(settings)) as mock:
        done, summary = run_commands(tmp_path, **identities(mock.base_url), DZ_READ_ONLY="false")
    assert done.returncode == 1, done.stdout[-4000:] + done.stderr[-2000:]
    report = json.loads((tmp_path / "reports" / "report.json").read_text())
    failing = [check["id"] for check in report["checks"] if check["status"] == "failed"]
    text = summary.read_text()
    assert failing and text.startswith("## DayZero conformance: ❌ failed")
    assert all(f"| `{check_id}` |" in text for check_id in failing)
    assert (tmp_path / "output").read_text() == "exit-code=1\n"


def test_inputs_map_to_the_kit_s_flags_and_optional_ones_only_when_set(tmp_path: Path) -> None:
    """A stand-in dayzero-conformance first on PATH records the arguments it was given."""
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    record = tmp_path / "argv.json"
    stand_in = fake_bin / "dayzero-conformance"
    stand_in.write_text(
        f"#!{sys.executable}\nimport json, sys\nopen({str(record)!r}, 'a').write(json.dumps(sys.argv[1:]) + '\\n')\n"
    )
    stand_in.chmod(0o755)
    base = {"DZ_BASE_URL": "https://staging.example.com", "DZ_TOKEN": "t1", "DZ_BUSINESS_ID": "b1"}

    def argv_for(**inputs: str) -> list[str]:
        record.unlink(missing_ok=True)
        summary = tmp_path / "s.md"
        env = {
            "PATH": f"{fake_bin}{os.pathsep}{os.environ['PATH']}",
            "GITHUB_STEP_SUMMARY": str(summary),
            **base,
            **inputs,
        }
        subprocess.run(
            ["bash", "-eo", "pipefail", "-c", readme_commands()], cwd=tmp_path, env=env, check=True, timeout=30
        )
        run, summarize = (json.loads(line) for line in record.read_text().splitlines())
        assert summarize[0] == "summary"
        return run

    reports = "dayzero-conformance"
    assert argv_for() == [
        "run", "--base-url", "https://staging.example.com", "--token", "t1", "--business-id", "b1",
        "--tier", "smoke", "--generation", "auto",
        "--junit", f"{reports}/junit.xml", "--html", f"{reports}/report.html", "--json", f"{reports}/report.json",
    ]  # fmt: skip
    full = argv_for(
        DZ_TIER="full", DZ_GENERATION="envelope", DZ_BASELINE="baseline.json", DZ_READ_ONLY="true",
        DZ_OTHER_TOKEN="t2", DZ_OTHER_BUSINESS_ID="b2", DZ_REPORTS="out",
    )  # fmt: skip
    assert full[full.index("--tier") + 1] == "full" and full[full.index("--generation") + 1] == "envelope"
    assert full[full.index("--baseline") + 1] == "baseline.json" and "--read-only" in full
    assert full[full.index("--other-token") + 1] == "t2" and full[full.index("--other-business-id") + 1] == "b2"
    assert full[full.index("--junit") + 1] == "out/junit.xml"
    # The empty strings a template passes for unset inputs leave the optional flags out.
    empty = argv_for(DZ_BASELINE="", DZ_READ_ONLY="false", DZ_OTHER_TOKEN="", DZ_OTHER_BUSINESS_ID="")
    assert "--baseline" not in empty and "--read-only" not in empty and "--other-token" not in empty
