"""Month-end package records and how one is shown at an instant."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from mock_server.domain.lifecycle import READY, Stage, Timeline, stage_at
from mock_server.domain.timestamps import date_as_instant, iso_instant

_encode = json.JSONEncoder(separators=(",", ":")).encode  # one encoder for every rendering


@dataclass(frozen=True)
class ArtifactInfo:
    """What the finished zip looks like from outside."""

    filename: str
    size: int


@dataclass(frozen=True)
class Package:
    """A package as created; everything that changes later is derived from ``timeline``."""

    id: str
    business_id: str
    accounting_period_id: str | None
    period_start: date
    period_end: date
    report_format: str
    selected_reports: tuple[str, ...]
    workflow_id: str
    requested_by_user_id: str
    timeline: Timeline
    error_message: str | None
    # Per phase of the timeline (queued, building, finished: see _phase), the Stage and the
    # rendered JSON, made on first use: within a phase neither depends on the instant. Not
    # fields but set per instance in __post_init__: a copy made with dataclasses.replace
    # starts with its own, empty caches, and the stores' records leave them out.
    _stages: ClassVar[dict[int, Stage]]
    _json_by_phase: ClassVar[dict[int, str]]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_stages", {})
        object.__setattr__(self, "_json_by_phase", {})

    def _phase(self, now: float) -> int:
        timeline = self.timeline
        return 0 if now < timeline.started_at else 1 if now < timeline.finished_at else 2

    def stage(self, now: float) -> Stage:
        phase = self._phase(now)
        stage = self._stages.get(phase)
        if stage is None:
            stage = self._stages[phase] = stage_at(self.timeline, now)
        return stage

    def sort_value(self, column: str, now: float) -> Any:
        if column == "created_at":
            return self.timeline.created_at
        if column in ("period_start", "period_end"):
            return getattr(self, column).isoformat()
        stage = self.stage(now)
        return stage.status if column == "status" else stage.updated_at

    def json_at(self, now: float, artifact_of: Callable[[Package], ArtifactInfo]) -> str:
        """``to_json`` at ``now`` serialized, once per phase (the zip only looked at when ready)."""
        timeline = self.timeline  # _phase, inlined: this runs for every item of every list page
        phase = 0 if now < timeline.started_at else 1 if now < timeline.finished_at else 2
        text = self._json_by_phase.get(phase)
        if text is None:
            stage = self.stage(now)
            artifact = artifact_of(self) if stage.status == READY else None
            text = _encode(self.to_json(stage, artifact))
            self._json_by_phase[phase] = text
        return text

    def to_json(self, stage: Stage, artifact: ArtifactInfo | None) -> dict[str, Any]:
        """The MonthEndPackageResponse body; ``artifact`` is used only when ready."""
        ready = stage.status == READY and artifact is not None
        created_at = self.timeline.created_at
        created = iso_instant(created_at)
        return {
            "id": self.id,
            "business_id": self.business_id,
            "accounting_period_id": self.accounting_period_id,
            "period_start": date_as_instant(self.period_start),
            "period_end": date_as_instant(self.period_end),
            "status": stage.status,
            "report_format": self.report_format,
            "selected_reports": list(self.selected_reports),
            "workflow_id": self.workflow_id,
            "file_size_bytes": artifact.size if ready and artifact else None,
            "filename": artifact.filename if ready and artifact else None,
            "error_message": self.error_message if stage.status == "failed" else None,
            "requested_by_user_id": self.requested_by_user_id,
            "started_at": iso_instant(stage.started_at),
            "ready_at": iso_instant(stage.ready_at),
            "created_at": created,
            "updated_at": created if stage.updated_at == created_at else iso_instant(stage.updated_at),
        }
