"""What the kit found: ``Finding`` (one break of the contract, by a check of ``run`` or a traffic
rule of ``proxy`` and ``validate-har``), and per check of a run its status and findings."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from conformance.baseline import KNOWN, NEW, Baseline, check_key, traffic_key
from conformance.registry import MUST, Check

PASSED, FAILED, SKIPPED, ERROR = "passed", "failed", "skipped", "error"
REQUEST, RESPONSE = "request", "response"  # the side of a traffic finding: the client's, the upstream's


@dataclass(frozen=True)
class Finding:
    """One observed break of the contract: what was expected, what came, a curl line to repeat it.

    ``rule`` is the check (``run``) or the traffic rule that found it. A traffic finding also says
    which side broke the contract (``side``: the client's request or the upstream's response), where
    in the exchange (``pointer``), and which exchange and operation it was seen on."""

    message: str
    expected: str
    actual: str
    curl: str = ""
    operation: str = ""  # METHOD /path (a run's may carry the query; the baseline key leaves it out)
    rule: str = ""
    side: str = ""  # traffic only: REQUEST or RESPONSE
    pointer: str = ""  # traffic only: /body/items/0/status, /headers/authorization, /status, ...
    exchange_id: str = ""  # traffic only
    operation_id: str | None = None  # traffic only: the operation routing reached (None: none)

    @property
    def key(self) -> tuple[str, ...]:
        """What the finding is about, without the ids, times and hosts of the run that made it:
        the same break found again has the same key (``--baseline`` matches by it)."""
        if self.side:
            return traffic_key(self.rule, self.side, self.operation_id, self.pointer)
        return check_key(self.rule, self.message, self.operation)


@dataclass
class CheckResult:
    check: Check
    status: str
    findings: list[Finding] = field(default_factory=list)
    skip_reason: str = ""
    duration: float = 0.0

    def __post_init__(self) -> None:
        # A check's findings are the check's: its id is their rule (and part of their baseline key).
        self.findings = [f if f.rule else replace(f, rule=self.check.id) for f in self.findings]

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
        return self.baseline.status(finding.key)

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
