"""The one registry of what the kit tests: every check ``run`` runs (a stable ID, a level, a layer, the
source of its rule, a one-line rationale), every traffic rule ``proxy`` and ``validate-har`` apply
(registered in ``conformance.traffic.rules``), and the documented points neither can test. The
published table of rules (``rules_table``) is read from here.

The level follows the source: a rule written anywhere on the published pages (schema, an
operation's description, a field's text, a guide or feature page) is MUST; a rule the kit
infers, or a decision of ours, is SHOULD. A source that starts with ``inferred`` or ``ours``
says so; registering a check whose level disagrees with its source is an error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conformance.context import RunContext

MUST, SHOULD = "MUST", "SHOULD"
CONTRACT, BEHAVIOUR, ARTIFACTS = "contract", "behaviour", "artifacts"
NOT_DOCUMENTED = ("inferred", "ours")


def level_of(source: str) -> str:
    """MUST for a rule the published pages state; SHOULD for one inferred or ours."""
    return SHOULD if source.lower().startswith(NOT_DOCUMENTED) else MUST


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
    source: str = ""
    traffic: tuple[str, ...] = ()  # traffic rules (conformance.traffic.rules) that watch the same rule


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
    source: str,
    operations: tuple[str, ...],
    traffic: tuple[str, ...] = (),
    tiers: frozenset[str] = SMOKE_AND_FULL,
    creates_data: bool = False,
    needs_other: bool = False,
) -> Callable[[Callable[[RunContext], None]], Callable[[RunContext], None]]:
    """Register a check function under a stable ID."""

    def register(function: Callable[[RunContext], None]) -> Callable[[RunContext], None]:
        if check_id in CHECKS:
            raise ValueError(f"Check ID {check_id} is registered twice.")
        if level != level_of(source):
            raise ValueError(f"Check {check_id} is {level} but its source says {level_of(source)}: {source}")
        CHECKS[check_id] = Check(
            check_id,
            title,
            level,
            layer,
            rationale,
            operations,
            tiers,
            creates_data,
            needs_other,
            function,
            source,
            traffic,
        )
        return function

    return register


@dataclass(frozen=True)
class TrafficRule:
    id: str
    side: str  # request (the client's) or response (the upstream's)
    level: str
    source: str
    operations: tuple[str, ...]
    rationale: str


TRAFFIC_RULES: dict[str, TrafficRule] = {}


def rule(rule_id: str, side: str, level: str, source: str, operations: tuple[str, ...], rationale: str) -> None:
    """Register a traffic rule under a stable ID (the level follows the source, as for checks)."""
    if rule_id in TRAFFIC_RULES:
        raise ValueError(f"Traffic rule {rule_id} is registered twice.")
    if level != level_of(source):
        raise ValueError(f"Traffic rule {rule_id} is {level} but its source says {level_of(source)}: {source}")
    TRAFFIC_RULES[rule_id] = TrafficRule(rule_id, side, level, source, operations, rationale)


@dataclass(frozen=True)
class Unchecked:
    """A documented point that neither a check nor a traffic rule can test, and why."""

    rule: str
    source: str
    reason: str


UNCHECKED: list[Unchecked] = []


def unchecked(rule: str, *, source: str, reason: str) -> None:
    """Write down a documented point the kit cannot test, with the reason (it shows in the table)."""
    UNCHECKED.append(Unchecked(rule, source, reason))
