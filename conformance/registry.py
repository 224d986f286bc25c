"""Every check the kit runs: a stable ID, a level, a layer, a one-line rationale citing the contract."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conformance.context import RunContext

MUST, SHOULD = "MUST", "SHOULD"
CONTRACT, BEHAVIOUR, ARTIFACTS = "contract", "behaviour", "artifacts"


@dataclass(frozen=True)
class Check:
    id: str
    title: str
    level: str
    layer: str
    rationale: str
    operations: tuple[str, ...]
    tiers: frozenset[str]
    creates_data: bool
    needs_other: bool
    run: Callable[[RunContext], None]


CHECKS: dict[str, Check] = {}

SMOKE_AND_FULL = frozenset({"smoke", "full"})
FULL_ONLY = frozenset({"full"})


def check(
    check_id: str,
    title: str,
    *,
    level: str,
    layer: str,
    rationale: str,
    operations: tuple[str, ...],
    tiers: frozenset[str] = SMOKE_AND_FULL,
    creates_data: bool = False,
    needs_other: bool = False,
) -> Callable[[Callable[[RunContext], None]], Callable[[RunContext], None]]:
    """Register a check function under a stable ID."""

    def register(function: Callable[[RunContext], None]) -> Callable[[RunContext], None]:
        if check_id in CHECKS:
            raise ValueError(f"Check ID {check_id} is registered twice.")
        CHECKS[check_id] = Check(
            check_id, title, level, layer, rationale, operations, tiers, creates_data, needs_other, function
        )
        return function

    return register
