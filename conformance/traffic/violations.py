"""What the traffic validator reports: violations, side by side, per exchange."""

from __future__ import annotations

from dataclasses import dataclass, field

from conformance.traffic.rules import violation_rule


@dataclass(frozen=True)
class Violation:
    """One break of the contract, on the request (client) or the response (upstream) side."""

    side: str
    rule: str
    pointer: str
    expected: str
    actual: str

    def __post_init__(self) -> None:
        violation_rule(self.rule)

    @property
    def level(self) -> str:
        return violation_rule(self.rule).level

    def to_json(self) -> dict[str, str]:
        return {
            "side": self.side,
            "rule": self.rule,
            "level": self.level,
            "pointer": self.pointer,
            "expected": self.expected,
            "actual": self.actual,
        }


@dataclass
class Verdict:
    """What the validator made of one exchange."""

    operation_id: str | None
    in_api: bool
    violations: list[Violation] = field(default_factory=list)
