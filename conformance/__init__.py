"""The DayZero conformance kit: checks any implementation against the published contract."""

from conformance.registry import CHECKS, Check
from conformance.results import CheckResult, Finding, RunResult
from conformance.settings import Identity, KitSettings

__all__ = ["CHECKS", "Check", "CheckResult", "Finding", "Identity", "KitSettings", "RunResult", "run_conformance"]


def run_conformance(settings: KitSettings, progress=None) -> RunResult:  # type: ignore[no-untyped-def]
    """Run the kit against ``settings.base_url`` (see conformance.runner)."""
    from conformance.runner import run_conformance as run

    return run(settings, progress)
