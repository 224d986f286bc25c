"""The DayZero conformance kit: checks any implementation against the published contract."""

from conformance.results import CheckResult, Finding, RunResult
from conformance.runner import CHECKS, Check, run_conformance, select_checks
from conformance.settings import Identity, KitSettings

__all__ = [
    "CHECKS",
    "Check",
    "CheckResult",
    "Finding",
    "Identity",
    "KitSettings",
    "RunResult",
    "run_conformance",
    "select_checks",
]
