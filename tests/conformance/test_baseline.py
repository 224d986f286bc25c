"""--baseline: CI fails only on new findings; known ones and fixed checks are shown in every report."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import pytest

from conformance.baseline import check_key, subject
from conformance.cli import main
from conformance.traffic.har import har_document
from mock_server.settings import Settings
from mock_server.testing import ACME_ID, running_mock
from tests.conformance.traffic.test_traffic import FAST, proxied

CHECKS = ["--include-check", "PAGINATION-TOTAL", "--include-check", "PAGINATION-FLAGS"]


def run(base_url: str, tmp_path: Path, name: str, *extra: str) -> tuple[int, dict, str]:
    out = tmp_path / f"{name}.json"
    junit = tmp_path / f"{name}.xml"
    args = ["run", "--base-url", base_url, "--token", "dz_demo_acme", "--business-id", ACME_ID, *CHECKS]
    code = main([*args, "--json", str(out), "--junit", str(junit), *extra])
    return code, json.loads(out.read_text()), junit.read_text()


def test_known_findings_pass_new_ones_fail_and_fixed_checks_are_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with running_mock(Settings(faults=frozenset({"total-ignores-filter"}), **FAST)) as mock:
        first, report, _ = run(mock.base_url, tmp_path, "first")
    assert first == 1 and report["baseline"]["new"] >= 1
    # What a finding is about, not the ids the run made: give every id in the baseline another value.
    baseline = tmp_path / "baseline.json"
    text = json.dumps(report)
    baseline.write_text(
        re.sub(
            r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", lambda _: str(uuid.uuid4()), text
        )
    )
    capsys.readouterr()
    with running_mock(Settings(faults=frozenset({"total-ignores-filter"}), **FAST)) as mock:
        again, known, junit = run(mock.base_url, tmp_path, "again", "--baseline", str(baseline))
    console = capsys.readouterr().out
    assert again == 0, console
    assert known["baseline"]["new"] == 0 and known["baseline"]["known"] == report["baseline"]["new"]
    assert {f["baseline"] for c in known["checks"] for f in c["findings"]} == {"known"}
    assert "known" in console and "0 new" in console
    assert "known: every finding is in the baseline" in junit and "<failure" not in junit
    with running_mock(Settings(faults=frozenset({"has-next-on-last-page"}), **FAST)) as mock:
        other, new, junit = run(mock.base_url, tmp_path, "other", "--baseline", str(baseline))
    assert other == 1 and new["baseline"]["new"] >= 1
    assert new["baseline"]["fixed_checks"] == ["PAGINATION-TOTAL"]
    assert "<failure" in junit and 'name="baseline.fixed" value="PAGINATION-TOTAL"' in junit
    assert "fixed since the baseline: PAGINATION-TOTAL" in capsys.readouterr().out


def test_a_finding_is_matched_by_what_it_is_about() -> None:
    one = check_key("TENANT-404-OTHER-PACKAGE", "get is not found", f"GET /api/v1/month-end-packages/{uuid.uuid4()}")
    two = check_key("TENANT-404-OTHER-PACKAGE", "get is not found", f"GET /api/v1/month-end-packages/{uuid.uuid4()}")
    assert one == two
    assert subject("at 2026-12-01T10:00:00Z on http://127.0.0.1:4010/x") == "at <time> on <host>/x"


def test_a_baseline_that_cannot_be_read_is_a_tool_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bad.json").write_text("{not json")
    args = ["run", "--base-url", "http://127.0.0.1:9", "--token", "t", "--business-id", ACME_ID]
    assert main([*args, "--baseline", str(tmp_path / "bad.json")]) == 2
    assert "is not JSON" in capsys.readouterr().err
    assert main([*args, "--baseline", str(tmp_path / "missing.json")]) == 2
    assert "Cannot read the baseline" in capsys.readouterr().err


def test_validate_har_and_proxy_take_the_same_baseline(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with proxied(Settings(faults=frozenset({"has-next-on-last-page"}), **FAST)) as p:
        main(
            [
                "run",
                "--base-url",
                p.url,
                "--token",
                "dz_demo_acme",
                "--business-id",
                ACME_ID,
                "--include-check",
                "PAGINATION-FLAGS",
            ]
        )
    har = tmp_path / "capture.har"
    har.write_text(json.dumps(har_document(p.proxy.exchanges)))
    first = tmp_path / "first.json"
    assert main(["validate-har", str(har), "--json", str(first), "--fail-on", "response"]) == 1
    again = tmp_path / "again.json"
    code = main(["validate-har", str(har), "--json", str(again), "--fail-on", "response", "--baseline", str(first)])
    report = json.loads(again.read_text())
    assert code == 0 and report["baseline"]["new"] == 0 and report["baseline"]["known"] > 0
    assert "0 new" in capsys.readouterr().out
    with running_mock(Settings(**FAST)) as mock:  # the proxy reads --baseline (a bad one stops it at start)
        assert main(["proxy", "--upstream", mock.base_url, "--baseline", str(tmp_path / "missing.json")]) == 2
    assert "Cannot read the baseline" in capsys.readouterr().err
