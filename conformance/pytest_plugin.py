"""Run the kit inside pytest: ``pytest --dz-base-url URL --dz-token T --dz-business-id B``.

Each check becomes one test of the ``dz_check`` fixture; write in your suite:

    def test_dayzero_contract(dz_check):
        dz_check.assert_conforms()
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conformance import arguments
from conformance.registry import MUST
from conformance.results import ERROR, FAILED, SKIPPED, CheckResult
from conformance.settings import Identity, KitSettings
from conformance.storage import default_cache_dir  # light: no Hypothesis import

# The checks (and Schemathesis) are imported inside the hooks below, only when a test asks for
# dz_check: this module is loaded by every pytest session of the environment.


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("dayzero", "DayZero conformance kit")
    group.addoption("--dz-base-url", help="API root of the implementation under test")
    group.addoption("--dz-token")
    group.addoption("--dz-business-id")
    group.addoption("--dz-other-token")
    group.addoption("--dz-other-business-id")
    group.addoption("--dz-tier", default="smoke", choices=("smoke", "full"))
    group.addoption("--dz-generation", default="auto", choices=("auto", "bare", "envelope"))
    group.addoption("--dz-seed", type=int, default=20261121)
    group.addoption("--dz-read-only", action="store_true")
    group.addoption("--dz-cache-dir", help="cache folder of the kit (default: the user cache directory)")


def _settings(config: pytest.Config) -> KitSettings | None:
    base_url = config.getoption("--dz-base-url")
    if not base_url:
        return None
    other_token, other_business = config.getoption("--dz-other-token"), config.getoption("--dz-other-business-id")
    try:
        if (other_token is None) != (other_business is None):
            raise arguments.ArgumentProblem("--dz-other-token and --dz-other-business-id go together.")
        identity = Identity(
            arguments.token("--dz-token", config.getoption("--dz-token")),
            arguments.business_id("--dz-business-id", config.getoption("--dz-business-id")),
        )
        other = None
        if other_token is not None:
            other = Identity(
                arguments.token("--dz-other-token", other_token),
                arguments.business_id("--dz-other-business-id", other_business),
            )
        return KitSettings(
            base_url=arguments.base_url("--dz-base-url", base_url),
            identity=identity,
            other=other,
            tier=config.getoption("--dz-tier"),
            generation=config.getoption("--dz-generation"),
            seed=config.getoption("--dz-seed"),
            read_only=config.getoption("--dz-read-only"),
            cache_dir=Path(config.getoption("--dz-cache-dir") or default_cache_dir()),
        )
    except ValueError as problem:  # bad arguments: a usage error of pytest, not failing tests
        raise pytest.UsageError(f"dayzero-conformance: {problem}") from None


def pytest_configure(config: pytest.Config) -> None:
    """Refuse bad --dz-* arguments before any test is collected or run."""
    _settings(config)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "dz_check" in metafunc.fixturenames:
        from conformance.runner import CHECKS, select_checks

        settings = _settings(metafunc.config)
        ids = [c.id for c in select_checks(settings)] if settings else sorted(CHECKS)
        metafunc.parametrize("dz_check_id", ids, ids=ids)


@dataclass
class DzCheck:
    result: CheckResult

    def assert_conforms(self) -> None:
        if self.result.status == SKIPPED:
            pytest.skip(self.result.skip_reason)
        if self.result.status in (FAILED, ERROR):
            text = "\n".join(
                f"{f.message}\n  expected: {f.expected}\n  actual: {f.actual}\n  reproduce: {f.curl}"
                for f in self.result.findings
            )
            if self.result.check.level == MUST:
                pytest.fail(f"{self.result.check.id}: {self.result.check.title}\n{text}", pytrace=False)
            pytest.xfail(f"SHOULD-level: {self.result.check.id}\n{text}")


@pytest.fixture(scope="session")
def dz_context(request: pytest.FixtureRequest) -> Any:
    from conformance.context import RunContext
    from conformance.runner import preflight
    from conformance.storage import kit_storage

    settings = _settings(request.config)
    if settings is None:
        pytest.skip("no --dz-base-url given")
    with kit_storage(settings.cache_dir) as storage:
        ctx = RunContext(settings, storage)
        try:
            preflight(ctx)
            yield ctx
        finally:
            ctx.close()


@pytest.fixture
def dz_check(dz_context: Any, dz_check_id: str) -> DzCheck:
    from conformance.runner import CHECKS, run_check

    return DzCheck(run_check(dz_context, CHECKS[dz_check_id]))
