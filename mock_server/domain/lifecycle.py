"""Where a package stands at an instant: a pure function of its timings and the clock.

queued -> in_progress -> ready | failed. Nothing is stored per transition: the state is
derived, so it can only move forward when the clock does, and every timestamp is set exactly
when the status says so.
"""

from __future__ import annotations

from dataclasses import dataclass

QUEUED, IN_PROGRESS, READY, FAILED = "queued", "in_progress", "ready", "failed"
STATUS_ORDER = (QUEUED, IN_PROGRESS, READY, FAILED)


@dataclass(frozen=True)
class Timeline:
    """The timings of one build, fixed when the package is created."""

    created_at: float
    queue_seconds: float
    build_seconds: float
    fails: bool

    @property
    def started_at(self) -> float:
        return self.created_at + self.queue_seconds

    @property
    def finished_at(self) -> float:
        return self.started_at + self.build_seconds


@dataclass(frozen=True)
class Stage:
    """The derived lifecycle fields at one instant."""

    status: str
    started_at: float | None
    ready_at: float | None
    updated_at: float

    @property
    def finished(self) -> bool:
        return self.status in (READY, FAILED)


def stage_at(timeline: Timeline, now: float) -> Stage:
    """The package's status and lifecycle timestamps at ``now``."""
    if now < timeline.started_at:
        return Stage(QUEUED, None, None, timeline.created_at)
    if now < timeline.finished_at:
        return Stage(IN_PROGRESS, timeline.started_at, None, timeline.started_at)
    if timeline.fails:
        return Stage(FAILED, timeline.started_at, None, timeline.finished_at)
    return Stage(READY, timeline.started_at, timeline.finished_at, timeline.finished_at)


def failing_now(timeline: Timeline, now: float) -> Timeline:
    """The timeline of the same build failing at ``now`` (started now if it was still queued).

    Only for a build that has not finished: a finished one never changes its outcome.
    """
    started = min(timeline.started_at, now)
    return Timeline(
        created_at=timeline.created_at,
        queue_seconds=started - timeline.created_at,
        build_seconds=now - started,
        fails=True,
    )
