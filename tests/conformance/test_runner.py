"""Which checks a run selects, and what its verdict is (no server needed)."""

from __future__ import annotations

import pytest

from conformance import CHECKS, Identity, KitSettings, select_checks
from conformance.http import ToolError
from conformance.results import FAILED, PASSED, CheckResult, RunResult


def settings(**overrides: object) -> KitSettings:
    return KitSettings(base_url="http://x", identity=Identity("t", "b"), **overrides)  # type: ignore[arg-type]


def test_tiers_include_and_exclude_select_checks() -> None:
    smoke = {c.id for c in select_checks(settings())}
    full = {c.id for c in select_checks(settings(tier="full"))}
    assert "MODEL-STATE-MACHINE" in full - smoke and smoke < full
    assert [c.id for c in select_checks(settings(include=frozenset({"FILTER-STATUS"})))] == ["FILTER-STATUS"]
    assert "FILTER-STATUS" not in {c.id for c in select_checks(settings(exclude=frozenset({"FILTER-STATUS"})))}
    layers = [c.layer for c in select_checks(settings())]
    assert layers == sorted(layers, key=("behaviour", "artifacts", "contract").index), "long Schemathesis run last"
    with pytest.raises(ToolError, match="NOPE"):
        select_checks(settings(exclude=frozenset({"NOPE"})))


@pytest.mark.parametrize(
    "failed_check, strict, exit_code",
    [
        ("FILTER-STATUS", False, 1),  # MUST fails the run
        ("AUTH-WWW-AUTHENTICATE", False, 0),  # SHOULD is reported, the run still passes
        ("AUTH-WWW-AUTHENTICATE", True, 1),  # ... unless --strict
        (None, True, 0),
    ],
)
def test_verdict_follows_levels_and_strict(failed_check: str | None, strict: bool, exit_code: int) -> None:
    results = [
        CheckResult(CHECKS[i], FAILED if i == failed_check else PASSED)
        for i in ("FILTER-STATUS", "AUTH-WWW-AUTHENTICATE")
    ]
    run = RunResult(base_url="http://x", tier="smoke", seed=1, results=results, created=[], duration=0, strict=strict)
    assert run.exit_code == exit_code
