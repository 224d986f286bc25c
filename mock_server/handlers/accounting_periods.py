"""Handlers of the accounting-periods operations (tag ``accounting-periods``, operations 5-17).

One business's periods hang together on the mock's clock: create, close, reopen and
bulk-lock move a period through open -> closed -> locked (and back to open on reopen), and
checklist acks and sign-offs feed the close score, whose daily snapshots make the trend.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from pydantic import BaseModel

from dayzero_mock_kit.openapi.operations import Operation
from mock_server.domain.clock import Clock
from mock_server.domain.close_records import ChecklistAck, ScoreSnapshot, SignOff
from mock_server.domain.close_score import Score, close_score, period_activity, readiness_items
from mock_server.domain.period_store import PeriodStore
from mock_server.domain.periods import Period
from mock_server.domain.state import Ledger
from mock_server.domain.timestamps import iso_instant
from mock_server.edge.access import Principal
from mock_server.edge.errors import ApiError, RequestValidationError, not_found, value_error
from mock_server.edge.generations import Reply, json_reply
from mock_server.listing.cursors import CursorCodec
from mock_server.listing.lists import Key, list_page, sorted_entries
from mock_server.settings import Settings

# Documented: what bulk-lock writes when the request gives no reason.
DEFAULT_BULK_LOCK_REASON = "Historical migration - bulk locked"
SEARCHED_FIELDS = ("status", "period_start", "period_end", "lock_reason", "reopen_reason")


class AccountingPeriodsApi:
    """The mock's behaviour behind the accounting-periods operations."""

    def __init__(
        self,
        *,
        settings: Settings,
        ledger: Callable[[], Ledger],
        clock: Clock,
        codec: CursorCodec,
        sort_columns: dict[str, list[str]],
        read_only_statuses: frozenset[str] = frozenset({"closed", "locked"}),
    ) -> None:
        self._seed = settings.seed
        self._read_only_statuses = read_only_statuses
        self._ledger = ledger
        self._clock = clock
        self._codec = codec
        self._sort_columns = sort_columns[Operation.LIST_PERIODS]

    def handlers(self) -> dict[str, Callable[..., Any]]:
        """operationId -> handler."""
        return {
            Operation.LIST_PERIODS: self.list_periods,
            Operation.CREATE_PERIOD: self.create_period,
            Operation.GET_PERIOD: self.get_period,
            Operation.CLOSE_PERIOD: self.close_period,
            Operation.REOPEN_PERIOD: self.reopen_period,
            Operation.BULK_LOCK_PERIODS: self.bulk_lock_periods,
            Operation.CHECK_CLOSE_READINESS: self.close_readiness,
            Operation.GET_CLOSE_SCORE: self.get_close_score,
            Operation.GET_SCORE_HISTORY: self.get_score_history,
            Operation.LIST_CHECKLIST_ACKS: self.list_acks,
            Operation.ACKNOWLEDGE_CHECKLIST_STEP: (self.acknowledge_step),
            Operation.CREATE_SIGN_OFF: self.sign_off,
            Operation.DELETE_SIGN_OFF: self.revoke_sign_off,
        }

    # -- helpers ---------------------------------------------------------------------------

    @property
    def _store(self) -> PeriodStore:
        return self._ledger().periods

    def _period(self, principal: Principal, period_id: str) -> Period:
        """The caller's business's period, or 404 (another business's period is 404 too)."""
        period = self._store.get(principal.business.id, period_id)
        if period is None:
            raise not_found()
        return period

    def _inputs(self, period: Period) -> tuple[set[str], set[str]]:
        """Acknowledged step ids and signed roles: what the checklist component counts."""
        acked = set(self._store.acks(period))
        signed = {role for (_, role) in self._store.sign_offs(period.id)}
        return acked, signed

    def _score(self, period: Period) -> Score:
        """The period's close score now; recorded as the day's snapshot (one per UTC day)."""
        acked, signed = self._inputs(period)
        score = close_score(period, period_activity(self._seed, period), acked, signed)
        day = self._clock.now().date()
        self._store.record_snapshot(period.id, ScoreSnapshot(day, score.total, score.components))
        return score

    @staticmethod
    def _describe(period: Period) -> str:
        return f"Accounting period {period.period_start.isoformat()} to {period.period_end.isoformat()}"

    def _still_open(self, period: Period, change: str) -> None:
        """Ours (the overlay's ``x-dayzero.read-only-periods``): a closed or locked period
        refuses acks, sign-offs and sign-off removals with 400 until it is reopened."""
        if period.status in self._read_only_statuses:
            raise ApiError(
                400,
                f"{self._describe(period)} is {period.status} and can no longer be modified; "
                f"reopen it first to {change}.",
            )

    # -- periods ---------------------------------------------------------------------------

    async def list_periods(self, principal: Principal, query: dict[str, Any]) -> Reply:
        periods = self._store.of_business(principal.business.id)
        search = (query.get("search") or "").lower()

        def matches(period: Period) -> bool:
            if not search:
                return True
            values = (getattr(period, name) for name in SEARCHED_FIELDS)
            return any(search in (v.isoformat() if isinstance(v, date) else (v or "")).lower() for v in values)

        def entries(sort_by: str, status: str | None) -> tuple[Sequence[Key], Sequence[Period]]:
            selected = (p for p in periods if (status is None or p.status == status) and matches(p))
            return sorted_entries(selected, lambda p: (p.sort_value(sort_by), p.id))

        text = list_page(
            query=query,
            business_id=principal.business.id,
            sort_columns=self._sort_columns,
            entries=entries,
            render_json=lambda p: p.json_text,
            codec=self._codec,
        )
        return Reply(text)

    async def create_period(self, principal: Principal, payload: BaseModel) -> Reply:
        data = payload.model_dump(by_alias=True)
        start: date = data["period_start"]
        end: date = data["period_end"]
        if end < start:
            raise RequestValidationError(
                [
                    value_error(
                        ["body"],
                        "period_end must be on or after period_start",
                        {"period_start": start.isoformat(), "period_end": end.isoformat()},
                    )
                ]
            )
        business_id = principal.business.id
        clash = self._store.overlapping(business_id, start, end)
        if clash is not None:
            raise ApiError(
                409,
                f"{self._describe(clash)} overlaps {start.isoformat()} to {end.isoformat()}; "
                "periods of a business may not share a day.",
            )
        now = self._clock.timestamp()
        period = Period(
            id=self._ledger().new_id(),
            business_id=business_id,
            period_start=start,
            period_end=end,
            status="open",
            closed_at=None,
            closed_by_user_id=None,
            lock_reason=None,
            reopen_reason=None,
            reopened_at=None,
            reopened_by_user_id=None,
            created_at=now,
            updated_at=now,
        )
        self._store.add(period)
        return Reply(period.json_text, 201)

    async def get_period(self, principal: Principal, period_id: str) -> Reply:
        return Reply(self._period(principal, period_id).json_text)

    async def close_period(self, principal: Principal, payload: BaseModel) -> Reply:
        data = payload.model_dump(by_alias=True)
        period = self._store.ending_on(principal.business.id, data["period_end"])
        if period is None:
            raise ApiError(404, f"No accounting period of this business ends on {data['period_end'].isoformat()}.")
        if period.status != "open":
            raise ApiError(
                400, f"{self._describe(period)} is already {period.status}; only an open period can be closed."
            )
        now = self._clock.timestamp()
        closed = replace(
            period,
            status="closed",
            closed_at=now,
            closed_by_user_id=principal.user.id,
            lock_reason=data.get("lock_reason"),
            updated_at=now,
        )
        self._store.replace(closed)
        self._score(closed)
        return Reply(closed.json_text, 201)

    async def reopen_period(self, principal: Principal, period_id: str, payload: BaseModel) -> Reply:
        period = self._period(principal, period_id)
        if period.status == "open":
            raise ApiError(
                400, f"{self._describe(period)} is already open; only a closed or locked period can be reopened."
            )
        now = self._clock.timestamp()
        # The close fields stay: together with the reopen fields they are the audit trail.
        reopened = replace(
            period,
            status="open",
            reopen_reason=payload.model_dump(by_alias=True)["reopen_reason"],
            reopened_at=now,
            reopened_by_user_id=principal.user.id,
            updated_at=now,
        )
        self._store.replace(reopened)
        self._score(reopened)
        return Reply(reopened.json_text, 201)

    async def bulk_lock_periods(self, principal: Principal, payload: BaseModel) -> Reply:
        data = payload.model_dump(by_alias=True)
        reason = data.get("lock_reason") or DEFAULT_BULK_LOCK_REASON
        now = self._clock.timestamp()
        locked_ids: list[str] = []
        skipped: list[dict[str, str]] = []
        for period_id in dict.fromkeys(data["period_ids"]):  # an id listed twice is handled once
            period = self._store.get(principal.business.id, period_id)
            if period is None:
                skipped.append({"period_id": period_id, "reason": "not found"})
                continue
            if period.status == "locked":
                skipped.append({"period_id": period_id, "reason": "already locked"})
                continue
            # An open period is closed first (by the caller, now), then locked.
            locked = replace(
                period,
                status="locked",
                closed_at=period.closed_at if period.status == "closed" else now,
                closed_by_user_id=period.closed_by_user_id if period.status == "closed" else principal.user.id,
                lock_reason=reason,
                updated_at=now,
            )
            self._store.replace(locked)
            self._score(locked)
            locked_ids.append(period_id)
        return json_reply(
            {
                "locked_count": len(locked_ids),
                "skipped_count": len(skipped),
                "locked_ids": locked_ids,
                "skipped": skipped,
            },
            201,
        )

    # -- close readiness and score -----------------------------------------------------------

    async def close_readiness(self, principal: Principal, period_id: str) -> Reply:
        period = self._period(principal, period_id)
        acked, signed = self._inputs(period)
        activity = period_activity(self._seed, period)
        body = {
            "score": self._score(period).total,
            "items": readiness_items(activity, acked, signed),
            "summary": {
                "transaction_count": activity.transaction_count,
                "unreviewed_count": activity.unreviewed,
                "uncategorized_count": activity.uncategorized,
            },
        }
        return json_reply(body, 201)

    async def get_close_score(self, principal: Principal, period_id: str) -> Reply:
        period = self._period(principal, period_id)
        score = self._score(period)
        sign_offs = sorted(self._store.sign_offs(period.id).values(), key=lambda s: (s.created_at, s.role))
        body = {
            "period_id": period.id,
            "score": score.total,
            "components": score.components,
            "sign_offs": [s.summary_json() for s in sign_offs],
            "computed_at": iso_instant(self._clock.timestamp()),
        }
        return json_reply(body)

    async def get_score_history(self, principal: Principal, period_id: str, query: dict[str, Any]) -> Reply:
        period = self._period(principal, period_id)
        self._score(period)  # the trend always ends with today's score
        limit = query.get("limit") or 60
        snapshots = self._store.history(period.id)[-limit:]
        return Reply(
            '{"period_id":'
            + json.dumps(period.id)
            + ',"items":['
            + ",".join(json.dumps(s.to_json(), separators=(",", ":")) for s in snapshots)
            + "]}"
        )

    # -- checklist acks ---------------------------------------------------------------------

    async def list_acks(self, principal: Principal, period_id: str) -> Reply:
        period = self._period(principal, period_id)
        acks = sorted(self._store.acks(period).values(), key=lambda a: (a.created_at, a.step_id))
        return json_reply(
            {
                "period_id": period.id,
                "period_start": period.period_start.isoformat(),
                "items": [ack.to_json() for ack in acks],
            }
        )

    async def acknowledge_step(self, principal: Principal, period_id: str, step_id: str, payload: BaseModel) -> Reply:
        period = self._period(principal, period_id)
        self._still_open(period, "acknowledge a checklist step")
        now = self._clock.timestamp()
        notes = payload.model_dump(by_alias=True).get("notes")
        existing = self._store.acks(period).get(step_id)
        if existing is not None:
            ack = replace(existing, notes=notes, acked_by=principal.user.id, updated_at=now)
        else:
            ack = ChecklistAck(
                id=self._ledger().new_id(),
                business_id=period.business_id,
                period_start=period.period_start,
                step_id=step_id,
                notes=notes,
                acked_by=principal.user.id,
                created_at=now,
                updated_at=now,
            )
        self._store.put_ack(ack)
        self._score(period)
        return json_reply(ack.to_json())

    # -- sign-offs --------------------------------------------------------------------------

    async def sign_off(self, principal: Principal, period_id: str, payload: BaseModel) -> Reply:
        period = self._period(principal, period_id)
        self._still_open(period, "sign it off")
        data = payload.model_dump(by_alias=True)
        role = getattr(data["role"], "value", data["role"])
        now = self._clock.timestamp()
        before = self._score(period).total
        existing = self._store.sign_offs(period.id).get((principal.user.id, role))
        if existing is not None:
            # Idempotent per (user, role): the same row, with fresh notes and score snapshot.
            sign_off = replace(existing, notes=data.get("notes"), score_snapshot=before, updated_at=now)
        else:
            sign_off = SignOff(
                id=self._ledger().new_id(),
                period_id=period.id,
                business_id=period.business_id,
                user_id=principal.user.id,
                role=role,
                notes=data.get("notes"),
                score_snapshot=before,
                created_at=now,
                updated_at=now,
            )
        self._store.put_sign_off(sign_off)
        return json_reply(sign_off.to_json(self._score(period).total), 201)

    async def revoke_sign_off(self, principal: Principal, period_id: str, query: dict[str, Any]) -> Reply:
        period = self._period(principal, period_id)
        self._still_open(period, "remove a sign-off")
        role = getattr(query["role"], "value", query["role"])
        if self._store.remove_sign_off(period.id, principal.user.id, role) is None:
            raise ApiError(404, f"You have no {role} sign-off on this period.")
        self._score(period)
        return Reply(None, 204)
