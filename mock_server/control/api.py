"""The mock's own control API (openapi/control.yaml, ours): reset, the clock, steering, faults,
forced failures, the journal and the overview the console draws."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from starlette.responses import Response

from mock_server.bending.faults import FAULTS, FaultSwitches, UnknownFaultError
from mock_server.bending.sessions import Sessions
from mock_server.bending.steering import SteeringSettings
from mock_server.control.journal import Journal, records_json
from mock_server.domain.clock import Clock
from mock_server.domain.identities import Fixtures
from mock_server.domain.lifecycle import failing_now
from mock_server.domain.packages import Package
from mock_server.domain.periods import Period
from mock_server.domain.state import Ledger
from mock_server.domain.timestamps import iso_instant
from mock_server.edge.errors import ApiError, RequestValidationError, not_found, value_error
from mock_server.edge.json_responses import json_body

FORCED_FAILURE = "Build failed: forced through the mock's control API (POST /__mock/packages/{}/fail)."


class ControlApi:
    def __init__(
        self,
        *,
        clock: Clock,
        ledger: Callable[[], Ledger],
        fixtures: Fixtures,
        reset: Callable[[], None],
        journal: Journal,
        steering: SteeringSettings,
        faults: FaultSwitches,
    ) -> None:
        self._clock = clock
        self._ledger = ledger
        self._fixtures = fixtures
        self._reset = reset
        self._journal = journal
        self._steering = steering
        self._faults = faults

    def handlers(self) -> dict[str, Callable[..., Any]]:
        return {
            "reset": self.reset,
            "advance_clock": self.advance_clock,
            "freeze_clock": self.freeze_clock,
            "resume_clock": self.resume_clock,
            "get_state": self.get_state,
            "get_overview": self.get_overview,
            "fail_package": self.fail_package,
            "list_requests": self.list_requests,
            "clear_requests": self.clear_requests,
            "get_steering": self.get_steering,
            "set_steering": self.set_steering,
            "get_faults": self.get_faults,
            "set_faults": self.set_faults,
        }

    # -- state and clock ---------------------------------------------------------------------

    def _state(self) -> dict[str, Any]:
        return {
            "now": iso_instant(self._clock.timestamp()),
            "clock_offset_seconds": self._clock.offset_seconds,
            "frozen": self._clock.frozen,
            "packages": len(self._ledger().packages),
            "session": Sessions.current_name(),
        }

    async def reset(self) -> Response:
        self._reset()
        return json_body(self._state())

    async def advance_clock(self, payload: Any) -> Response:
        # The body was validated against control.yaml: seconds is a number in [0, 366 days].
        self._clock.advance(float(payload.model_dump(by_alias=True)["seconds"]))
        return json_body(self._state())

    async def freeze_clock(self) -> Response:
        self._clock.freeze()
        return json_body(self._state())

    async def resume_clock(self) -> Response:
        self._clock.resume()
        return json_body(self._state())

    async def get_state(self) -> Response:
        return json_body(self._state())

    async def get_overview(self, query: dict[str, Any]) -> Response:
        """Every business with its newest packages (lifecycle timeline included) and its periods."""
        limit = query.get("packages") or 50
        now = self._clock.timestamp()
        ledger = self._ledger()
        businesses = []
        for business in self._fixtures.businesses.values():
            _, packages = ledger.packages.by_created(business.id)
            periods = ledger.periods.of_business(business.id)
            businesses.append(
                {
                    "id": business.id,
                    "name": business.name,
                    "package_count": len(packages),
                    "packages": [_package_entry(p, now) for p in reversed(packages[-limit:])],
                    "periods": [_period_entry(p) for p in reversed(periods)],
                }
            )
        return json_body({"state": self._state(), "businesses": businesses})

    async def fail_package(self, package_id: str) -> Response:
        """Make a queued or in_progress package fail now (a finished one keeps its outcome: 409)."""
        store = self._ledger().packages
        package = store.find(package_id)
        if package is None:
            raise not_found()
        now = self._clock.timestamp()
        status = package.stage(now).status
        if status in ("ready", "failed"):
            raise ApiError(409, f"Package is already {status}; only a queued or in_progress package can be failed.")
        failed = replace(
            package,
            timeline=failing_now(package.timeline, now),
            error_message=FORCED_FAILURE.format(package.id),
        )
        store.replace(failed)
        return json_body(_package_entry(failed, now))

    # -- journal -----------------------------------------------------------------------------

    async def list_requests(self, query: dict[str, Any]) -> Response:
        records = self._journal.select(
            method=query.get("method") or None,
            path=query.get("path") or None,
            operation=query.get("operation") or None,
            status=query.get("status"),
            since=query.get("since"),
        )
        return json_body(records_json(records, self._journal.size))

    async def clear_requests(self) -> Response:
        self._journal.clear()
        return Response(status_code=204)

    # -- steering and faults (every session) -------------------------------------------------

    async def get_steering(self) -> Response:
        return json_body(self._steering.to_json())

    async def set_steering(self, payload: Any) -> Response:
        # Validated against control.yaml: latency_ms {min, max} or null, chaos in [0, 1]; absent fields stay.
        data = payload.model_dump(by_alias=True, exclude_unset=True)
        latency_ms, chaos = self._steering.latency_ms, self._steering.chaos
        if "latency_ms" in data:
            latency = data["latency_ms"]
            if latency is not None and latency["max"] < latency["min"]:
                raise RequestValidationError(
                    [value_error(["body", "latency_ms"], "max must not be below min", latency)]
                )
            latency_ms = (latency["min"], latency["max"]) if latency and latency["max"] else None
        if "chaos" in data:
            chaos = float(data["chaos"])
        self._steering.set(latency_ms=latency_ms, chaos=chaos)
        return json_body(self._steering.to_json())

    async def get_faults(self) -> Response:
        return json_body(self._faults.to_json())

    async def set_faults(self, payload: Any) -> Response:
        names = payload.model_dump(by_alias=True)["active"]
        try:
            self._faults.set(names)
        except UnknownFaultError as error:
            raise RequestValidationError(
                [
                    value_error(["body", "active", i], str(error), name)
                    for i, name in enumerate(names)
                    if name not in FAULTS
                ]
            ) from None
        return json_body(self._faults.to_json())


def _package_entry(package: Package, now: float) -> dict[str, Any]:
    stage = package.stage(now)
    timeline = package.timeline
    return {
        "id": package.id,
        "status": stage.status,
        "report_format": package.report_format,
        "period_start": package.period_start.isoformat(),
        "period_end": package.period_end.isoformat(),
        "created_at": iso_instant(timeline.created_at),
        "starts_at": iso_instant(timeline.started_at),
        "finishes_at": iso_instant(timeline.finished_at),
        "ends_as": "failed" if timeline.fails else "ready",
        "error_message": package.error_message if stage.status == "failed" else None,
    }


def _period_entry(period: Period) -> dict[str, Any]:
    shown = ("id", "period_start", "period_end", "status", "closed_at", "reopened_at", "reopen_reason", "lock_reason")
    entry = period.to_json()
    return {key: entry[key] for key in shown}
