"""The kit against the mock: clean on both tiers, and each fault caught by its check."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from conformance import CHECKS, Identity, KitSettings, run_conformance
from conformance.registry import MUST, SHOULD
from mock_server.bending.faults import FAULTS
from mock_server.settings import Settings
from mock_server.testing import ACME_ID, GLOBEX_ID, running_mock

FAULT_CHECKS = {
    "skip-first-on-next-page": "PAGINATION-WALK",
    "ignore-status-filter": "FILTER-STATUS",
    "leak-other-business": "TENANT-LIST-ISOLATION",
    "ready-regresses": "LIFECYCLE-FORWARD",
    "wrong-file-size": "ARTIFACT-ZIP-SIZE",
    "missing-report": "ARTIFACT-REPORTS",
    "cursor-500": "PAGINATION-GARBAGE-CURSOR",
    "accept-unknown-reports": "VALIDATION-UNKNOWN-REPORT",
    "has-next-on-last-page": "PAGINATION-FLAGS",
    "total-ignores-filter": "PAGINATION-TOTAL",
    "token-any-business": "AUTH-403-OTHER-BUSINESS",
    "ignore-period-dates": "CREATE-PERIOD-DATES",
    "period-overlap-accepted": "PERIOD-CREATE-OVERLAP-409",
    "period-cross-tenant": "TENANT-404-OTHER-PERIOD",
    "close-without-audit": "PERIOD-CLOSE",
    "close-twice-accepted": "PERIOD-CLOSE-TWICE",
    "closed-period-writable": "PERIOD-CLOSED-REFUSES-CHANGES",
    "reopen-without-audit": "PERIOD-REOPEN",
    "bulk-lock-unknown-404": "PERIOD-BULK-LOCK-SKIPS",
    "bulk-lock-miscounts": "PERIOD-BULK-LOCK-COUNTS",
    "ack-not-idempotent": "CHECKLIST-ACK-IDEMPOTENT",
    "score-out-of-range": "CLOSE-READINESS",
    "download-before-ready": "ARTIFACT-NOT-READY",
}
# Faults whose check is SHOULD-level: the contract only implies the behaviour they break.
SHOULD_FAULTS = {"download-before-ready", "closed-period-writable"}
FAST = {"queue_seconds": 0.1, "build_seconds": 0.2}
ENVELOPE_ONLY = "force is documented only on the envelope generation's close page"
# ARTIFACT-NOT-READY asks for a download right after the create; a package that is already ready
# by then makes it skip ("builds too fast to observe"). With FAST's 0.3 s that happened on a loaded
# 2-core machine (the smoke-envelope flake); 0.8 s leaves room for a stall of the test process.
UNHURRIED = {"queue_seconds": 0.6, "build_seconds": 0.2}


def fault_settings(fault: str) -> Settings:
    """The mock with one fault; where the check needs a package caught unfinished, one that stays queued
    for the whole check (download-before-ready's answer waits for a real zip build, ~2 s on a loaded
    machine, after which a 0.3 s package is ready and the check skips instead of failing)."""
    if fault in NEEDS_UNFINISHED:
        return Settings(faults=frozenset({fault}), queue_seconds=60.0, build_seconds=0.2)
    return Settings(faults=frozenset({fault}), **FAST)


NEEDS_UNFINISHED = {"download-before-ready"}


def kit_settings(base_url: str, **overrides: object) -> KitSettings:
    values = {
        "base_url": base_url,
        "identity": Identity("dz_demo_acme", ACME_ID),
        "other": Identity("dz_demo_globex", GLOBEX_ID),
        "ready_timeout": 20.0,
        **overrides,
    }
    return KitSettings(**values)  # type: ignore[arg-type]


def test_every_fault_has_a_check_that_catches_it() -> None:
    assert set(FAULT_CHECKS) == set(FAULTS)
    for fault, check_id in FAULT_CHECKS.items():
        assert CHECKS[check_id].level == (SHOULD if fault in SHOULD_FAULTS else MUST), fault


@pytest.mark.parametrize("generation", ["bare", "envelope"])
@pytest.mark.parametrize("tier", ["smoke", "full"])
def test_the_mock_conforms_on_both_tiers_in_both_generations(tier: str, generation: str) -> None:
    with running_mock(Settings(generation=generation, **UNHURRIED)) as mock:
        before = every_period(mock.base_url, mock.headers(), generation)
        run = run_conformance(kit_settings(mock.base_url, tier=tier))
        after = every_period(mock.base_url, mock.headers(), generation)
    failed = {r.check.id: [f.message for f in r.findings] for r in run.failed()}
    assert not failed, failed
    assert run.exit_code == 0
    not_passed = {r.check.id: r.skip_reason or r.status for r in run.results if r.status != "passed"}
    # force is documented on the envelope generation's page only: a bare server skips that check.
    assert not_passed == ({"PERIOD-CLOSE-FORCE-TWICE": ENVELOPE_ONLY} if generation == "bare" else {})
    assert run.generation == f"{generation} (detected from the first success body)"
    assert run.created and run.created_periods, "the kit lists what it created"
    made_here = {p["id"] for p in after} - {p["id"] for p in before}
    assert made_here and made_here <= set(run.created_periods), "every period the kit made is listed"
    assert [p for p in after if p["id"] not in run.created_periods] == before, (
        "the kit changed no period it did not make"
    )
    assert all(p["period_start"] >= "2100" for p in after if p["id"] in run.created_periods), "far from real books"


def every_period(base_url: str, headers: dict[str, str], generation: str) -> list[dict]:
    body = httpx.get(f"{base_url}/api/v1/accounting-periods", params={"limit": 1000}, headers=headers).json()
    return (body["data"] if generation == "envelope" else body)["items"]


def test_a_wrong_generation_is_a_finding_and_auto_says_what_it_detected() -> None:
    with running_mock(Settings(generation="envelope", **FAST)) as mock:
        wrong = run_conformance(kit_settings(mock.base_url, generation="bare", include=frozenset({"GENERATION-SHAPE"})))
        right = run_conformance(kit_settings(mock.base_url, include=frozenset({"GENERATION-SHAPE", "SIGN-OFF-REVOKE"})))
    [result] = wrong.results
    assert result.status == "failed" and "success body is the model" in result.findings[0].message
    assert wrong.generation == "bare (given)"
    assert right.generation == "envelope (detected from the first success body)" and right.exit_code == 0


@pytest.mark.parametrize("fault, check_id", sorted(FAULT_CHECKS.items()))
def test_each_fault_fails_exactly_its_check(fault: str, check_id: str) -> None:
    with running_mock(fault_settings(fault)) as mock:
        run = run_conformance(kit_settings(mock.base_url, include=frozenset({check_id})))
        crashes = httpx.get(f"{mock.base_url}/__mock/requests", params={"status": 500}).json()["items"]
    # A fault is one precise break, never a crash of the mock (but for the fault that is one).
    assert crashes == [] or fault == "cursor-500", [(r["method"], r["path"], r["query"]) for r in crashes]
    [result] = run.results
    assert result.status == "failed", f"{fault} not caught by {check_id}: {result.status} {result.skip_reason}"
    assert run.exit_code == (0 if fault in SHOULD_FAULTS else 1)
    finding = result.findings[0]
    assert finding.expected and finding.actual and finding.curl.startswith("curl ")


def test_read_only_skips_every_check_that_creates_data() -> None:
    with running_mock(Settings(**FAST)) as mock:
        run = run_conformance(kit_settings(mock.base_url, read_only=True))
        assert run.created == [] and run.created_periods == []
    assert any(note.startswith("--read-only: Schemathesis left out every operation that writes") for note in run.notes)
    skipped = {r.check.id for r in run.results if r.status == "skipped"}
    assert {c.id for c in CHECKS.values() if c.creates_data and "smoke" in c.tiers} <= skipped
    assert run.exit_code == 0


def test_checks_needing_a_second_identity_are_skipped_without_it() -> None:
    with running_mock(Settings(**FAST)) as mock:
        run = run_conformance(
            kit_settings(
                mock.base_url,
                other=None,
                include=frozenset({"AUTH-403-OTHER-BUSINESS", "TENANT-LIST-ISOLATION", "PAGINATION-WALK"}),
            )
        )
    statuses = {r.check.id: r.status for r in run.results}
    assert statuses == {
        "AUTH-403-OTHER-BUSINESS": "skipped",
        "TENANT-LIST-ISOLATION": "skipped",
        "PAGINATION-WALK": "passed",
    }


@pytest.fixture(autouse=True)
def user_cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The kit's default cache folder lives under $XDG_CACHE_HOME: keep the tests' out of $HOME."""
    home = tmp_path / "xdg-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    exe = str(Path(sys.executable).with_name("dayzero-conformance"))
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=300, cwd=cwd)


def test_the_kit_leaves_the_folder_it_runs_in_as_it_found_it(tmp_path: Path, user_cache_home: Path) -> None:
    project = tmp_path / "their-repository"
    project.mkdir()
    report = tmp_path / "reports" / "run.json"
    with running_mock(Settings(**FAST)) as mock:
        identity = ["--base-url", mock.base_url, "--token", "dz_demo_acme", "--business-id", ACME_ID]
        checks = ["--include-check", "CT-NO-SERVER-ERROR", "--include-check", "CREATE-SHAPE"]
        default = cli("run", *identity, *checks, "--json", str(report), cwd=project)
        chosen = cli("run", *identity, *checks, "--cache-dir", str(tmp_path / "chosen"), cwd=project)
        nowhere = cli("run", *identity, *checks, "--no-cache", cwd=project)
    for result in (default, chosen, nowhere):
        assert result.returncode == 0, result.stdout + result.stderr
    assert list(project.iterdir()) == [], "nothing written where the kit was run"
    written = json.loads(report.read_text())
    assert written["checks"], "reports go where they are asked to"
    assert written["generation"] == "bare (detected from the first success body)"
    assert any("negative (schema-violating) data" in note for note in written["notes"])
    assert written["created_package_ids"] and "created_period_ids" in written
    for cache in (user_cache_home / "dayzero-conformance", tmp_path / "chosen"):
        assert {"schemathesis", "examples", "hypothesis"} <= {p.name for p in cache.iterdir()}, cache
    assert "--no-cache" in cli("run", "--help").stdout


def test_the_same_seed_finds_the_same_failing_example_without_any_cache() -> None:
    def findings() -> list[str]:
        with running_mock(Settings(faults=frozenset({"cursor-500"}), **FAST)) as mock:
            run = run_conformance(kit_settings(mock.base_url, include=frozenset({"CT-NO-SERVER-ERROR"})))
        [result] = run.results
        assert result.status == "failed"
        return [f"{f.operation} {f.message}" for f in result.findings]

    assert findings() == findings()


def test_cli_writes_every_report_and_exits_1_on_a_failure(tmp_path: Path) -> None:
    with running_mock(Settings(faults=frozenset({"total-ignores-filter"}), **FAST)) as mock:
        result = cli(
            "run",
            "--base-url",
            mock.base_url,
            "--token",
            "dz_demo_acme",
            "--business-id",
            ACME_ID,
            "--include-check",
            "PAGINATION-TOTAL",
            "--include-check",
            "PAGINATION-LIMIT",
            "--junit",
            str(tmp_path / "r.xml"),
            "--json",
            str(tmp_path / "r.json"),
            "--html",
            str(tmp_path / "r.html"),
            "--rate-limit",
            "50/s",
        )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "PAGINATION-TOTAL" in result.stdout and "reproduce: curl" in result.stdout
    report = json.loads((tmp_path / "r.json").read_text())
    statuses = {c["id"]: c["status"] for c in report["checks"]}
    assert statuses == {"PAGINATION-LIMIT": "passed", "PAGINATION-TOTAL": "failed"}
    assert (
        "$DZ_TOKEN" in report["checks"][1]["findings"][0]["curl"]
        or "$DZ_TOKEN" in report["checks"][0]["findings"][0]["curl"]
    )
    assert "dz_demo_acme" not in (tmp_path / "r.json").read_text()
    assert 'failures="1"' in (tmp_path / "r.xml").read_text()
    html = (tmp_path / "r.html").read_text()
    assert "DOES NOT CONFORM" in html and "PAGINATION-TOTAL" in html and "curl" in html


def test_cli_tool_errors_exit_2_in_one_sentence() -> None:
    unreachable = cli("run", "--base-url", "http://127.0.0.1:9", "--token", "t", "--business-id", ACME_ID)
    assert unreachable.returncode == 2 and "Cannot reach" in unreachable.stderr
    assert "Traceback" not in unreachable.stderr
    bad = cli("run", "--base-url", "http://x", "--token", "t")
    assert bad.returncode == 2 and "--business-id" in bad.stderr
    same = cli(
        "run",
        "--base-url",
        "http://x",
        "--token",
        "t",
        "--business-id",
        ACME_ID,
        "--other-token",
        "u",
        "--other-business-id",
        ACME_ID,
    )
    assert same.returncode == 2 and "share a business" in same.stderr
    with running_mock(Settings(**FAST)) as mock:
        refused = cli("run", "--base-url", mock.base_url, "--token", "dz_wrong", "--business-id", ACME_ID)
        unknown = cli(
            "run",
            "--base-url",
            mock.base_url,
            "--token",
            "dz_demo_acme",
            "--business-id",
            ACME_ID,
            "--include-check",
            "NOPE",
        )
    assert refused.returncode == 2 and "refused the identity" in refused.stderr
    assert unknown.returncode == 2 and "NOPE" in unknown.stderr


def test_curl_lines_of_both_layers_expand_the_token_when_pasted_into_a_shell() -> None:
    import shutil

    from conformance.checks_contract import shareable_curl
    from conformance.http import Exchange

    from_schemathesis = shareable_curl(
        "curl -X GET -H 'Authorization: [Filtered]' -H 'x-business-id: b1' 'http://h/api/v1/x?cursor=%C3'", {}
    )
    from_behaviour = Exchange(
        "POST",
        "http://h/api/v1/x?a=1&b=2",
        {"Authorization": "Bearer dz_secret", "x-business-id": "b1"},
        b'{"selected_reports": ["pl"]}',
        422,
        {},
        b"",
    ).curl({"dz_secret": "$DZ_TOKEN"})
    assert "dz_secret" not in from_behaviour
    bash = shutil.which("bash")
    assert bash
    for line in (from_schemathesis, from_behaviour):
        # Run the line as a user would, with `curl` swapped for a printer of its arguments.
        echoed = subprocess.run(
            [bash, "-c", "curl() { printf '%s\\n' \"$@\"; }; " + line],
            env={"DZ_TOKEN": "tok123"},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "Authorization: Bearer tok123" in echoed.splitlines(), echoed


def test_list_checks_do_not_cry_wolf_on_a_listing_larger_than_one_page() -> None:
    import httpx

    checks = {"PAGINATION-WALK", "PAGINATION-LIMIT", "PAGINATION-FLAGS", "PAGINATION-TOTAL"}
    with running_mock(Settings(**FAST)) as mock, httpx.Client(base_url=mock.base_url, headers=mock.headers()) as http:
        body = {"selected_reports": ["pl"], "period_start": "2026-10-01", "period_end": "2026-10-31"}
        for _ in range(1005):  # more than the documented maximum page size (1000)
            http.post("/api/v1/month-end-packages", json=body).raise_for_status()
        run = run_conformance(kit_settings(mock.base_url, include=frozenset(checks)))
    assert {r.check.id: r.status for r in run.results} == dict.fromkeys(checks, "passed")


def test_a_build_that_never_finishes_fails_after_ready_timeout_and_says_so() -> None:
    with running_mock(Settings(queue_seconds=3600, build_seconds=3600)) as mock:
        run = run_conformance(kit_settings(mock.base_url, ready_timeout=1.0, include=frozenset({"LIFECYCLE-FORWARD"})))
    [result] = run.results
    assert result.status == "failed" and "--ready-timeout" in result.findings[0].message
    assert result.findings[0].actual == "status queued" and result.duration < 10


def test_a_server_that_never_finishes_a_build_costs_one_ready_timeout_not_one_per_check() -> None:
    with running_mock(Settings(queue_seconds=86400, build_seconds=86400)) as mock:
        run = run_conformance(kit_settings(mock.base_url, ready_timeout=3.0))
    timed_out = [r for r in run.results if any("--ready-timeout" in f.message for f in r.findings)]
    assert len(timed_out) == 1, [r.check.id for r in timed_out]
    needs_ready = {"ARTIFACT-DOWNLOAD-URL", "ARTIFACT-ZIP-SIZE", "ARTIFACT-REPORTS", "ARTIFACT-FILENAME"}
    later = [r for r in run.results if r.check.id in needs_ready and r is not timed_out[0]]
    assert later and all(r.status == "skipped" and "not waiting --ready-timeout again" in r.skip_reason for r in later)
    assert run.duration < 60 + 3


def test_every_check_names_operations_of_the_contract() -> None:
    from dayzero_mock_kit.openapi import load_contract

    paths = load_contract().bundle["paths"]
    known = {f"{method.upper()} {path}" for path, item in paths.items() for method in item}
    for item in CHECKS.values():
        assert set(item.operations) <= known | {"all published operations"}, item.id


def test_cli_generation_flag_judges_the_server_by_the_generation_given() -> None:
    with running_mock(Settings(**FAST)) as mock:
        identity = ["--base-url", mock.base_url, "--token", "dz_demo_acme", "--business-id", ACME_ID, "--no-cache"]
        wrong = cli("run", *identity, "--generation", "envelope", "--include-check", "GENERATION-SHAPE")
        right = cli("run", *identity, "--generation", "bare", "--include-check", "GENERATION-SHAPE")
    assert wrong.returncode == 1 and "generation=envelope (given)" in wrong.stdout.replace("\n", " ")
    assert right.returncode == 0, right.stdout
