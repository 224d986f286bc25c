"""What the close workflow records about a period: checklist acks, sign-offs, score snapshots."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from mock_server.domain.timestamps import iso_instant


@dataclass(frozen=True)
class ChecklistAck:
    """One manual checklist step acknowledged; keyed by (business, period_start, step_id)."""

    id: str
    business_id: str
    period_start: date
    step_id: str
    notes: str | None
    acked_by: str | None
    created_at: float
    updated_at: float

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "business_id": self.business_id,
            "period_start": self.period_start.isoformat(),
            "step_id": self.step_id,
            "notes": self.notes,
            "acked_by": self.acked_by,
            "created_at": iso_instant(self.created_at),
            "updated_at": iso_instant(self.updated_at),
        }


@dataclass(frozen=True)
class SignOff:
    """One user's sign-off in one role on a period; unique per (period, user, role)."""

    id: str
    period_id: str
    business_id: str
    user_id: str
    role: str
    notes: str | None
    score_snapshot: float
    created_at: float
    updated_at: float

    def to_json(self, close_score: float) -> dict[str, Any]:
        return {
            "id": self.id,
            "period_id": self.period_id,
            "business_id": self.business_id,
            "user_id": self.user_id,
            "role": self.role,
            "notes": self.notes,
            "score_snapshot": self.score_snapshot,
            "close_score": close_score,
            "created_at": iso_instant(self.created_at),
            "updated_at": iso_instant(self.updated_at),
        }

    def summary_json(self) -> dict[str, Any]:
        return {"user_id": self.user_id, "role": self.role, "signed_at": iso_instant(self.updated_at)}


@dataclass(frozen=True)
class ScoreSnapshot:
    """The close score of one UTC day (the day's last computation)."""

    day: date
    score: float
    components: dict[str, float]

    def to_json(self) -> dict[str, Any]:
        return {"date": self.day.isoformat(), "score": self.score, "components": dict(self.components)}
