"""What a run found: per check a status and, for failures, findings a developer can replay."""

from __future__ import annotations

from dataclasses import dataclass, field

from conformance.baseline import KNOWN, NEW, Baseline, check_key
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
    baseline: Baseline | None = None  # --baseline: findings already in it are known, not new

    def failed(self) -> list[CheckResult]:
        return [r for r in self.results if r.status in (FAILED, ERROR)]

    def finding_status(self, result: CheckResult, finding: Finding) -> str:
        """new or known (in the baseline); every finding is new without a baseline."""
        if self.baseline is None:
            return NEW
        return self.baseline.status(check_key(result.check.id, finding.message, finding.operation))

    def is_new(self, result: CheckResult) -> bool:
        """Whether a failed check has a finding the baseline does not have."""
        return any(self.finding_status(result, f) == NEW for f in result.findings) or not result.findings

    def fixed(self) -> list[str]:
        """Checks that failed in the baseline and passed in this run."""
        if self.baseline is None:
            return []
        return [r.check.id for r in self.results if r.status == PASSED and r.check.id in self.baseline.failed]

    def tally(self) -> dict[str, int]:
        """How many findings are new, known (in the baseline), and how many checks are fixed."""
        statuses = [self.finding_status(r, f) for r in self.failed() for f in r.findings]
        return {NEW: statuses.count(NEW), KNOWN: statuses.count(KNOWN), "fixed": len(self.fixed())}

    @property
    def exit_code(self) -> int:
        """1 when a MUST check failed (any check with --strict) with a finding the baseline lacks; else 0."""
        return 1 if any((r.blocks or self.strict) and self.is_new(r) for r in self.failed()) else 0

    def counts(self) -> dict[str, int]:
        counts = {PASSED: 0, FAILED: 0, SKIPPED: 0, ERROR: 0}
        for result in self.results:
            counts[result.status] += 1
        return counts
