"""The DayZero conformance kit: checks any implementation against the published contract.

The check catalogue (and Schemathesis behind it) loads on first use, not on import: this
package's pytest plugin is imported by every pytest session of an environment that installs
the kit, and must not slow down suites that never ask for it.
"""

from __future__ import annotations

from typing import Any

from conformance.results import CheckResult, Finding, RunResult
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

_FROM_RUNNER = {"CHECKS", "Check", "run_conformance", "select_checks"}


def __getattr__(name: str) -> Any:
    if name in _FROM_RUNNER:
        from conformance import runner

        return getattr(runner, name)
    raise AttributeError(f"module 'conformance' has no attribute {name!r}")
