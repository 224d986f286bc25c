"""What a run found: per check a status and, for failures, findings a developer can replay."""

from __future__ import annotations

from dataclasses import dataclass, field

from conformance.registry import MUST, Check

PASSED, FAILED, SKIPPED, ERROR = "passed", "failed", "skipped", "error"


@dataclass(frozen=True)
class Finding:
    """One observed break of the contract."""

    message: str
    expected: str
    actual: str
    curl: str
    operation: str = ""


@dataclass
class CheckResult:
    check: Check
    status: str
    findings: list[Finding] = field(default_factory=list)
    skip_reason: str = ""
    duration: float = 0.0

    @property
    def blocks(self) -> bool:
        """Whether this result fails the run on its own (a failed MUST check)."""
        return self.status in (FAILED, ERROR) and self.check.level == MUST


@dataclass
class RunResult:
    base_url: str
    tier: str
    seed: int
    results: list[CheckResult]
    created: list[str]
    duration: float
    strict: bool = False
    created_periods: list[str] = field(default_factory=list)
    generation: str = "bare"  # the generation bodies were read with, and how it was chosen
    notes: list[str] = field(default_factory=list)  # how the run was done (e.g. data kept negative)

    def failed(self) -> list[CheckResult]:
        return [r for r in self.results if r.status in (FAILED, ERROR)]

    @property
    def exit_code(self) -> int:
        """1 when a MUST check failed, or any check with --strict; 0 otherwise."""
        return 1 if any(r.blocks or self.strict for r in self.failed()) else 0

    def counts(self) -> dict[str, int]:
        counts = {PASSED: 0, FAILED: 0, SKIPPED: 0, ERROR: 0}
        for result in self.results:
            counts[result.status] += 1
        return counts
