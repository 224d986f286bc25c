"""The mock's own control API (openapi/control.yaml): reset and move the clock."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.responses import Response

from mock_server.clock import Clock
from mock_server.errors import RequestValidationError, value_error
from mock_server.journal import Journal, records_json
from mock_server.json_responses import json_body
from mock_server.sessions import Sessions
from mock_server.state import Ledger
from mock_server.steering import SteeringSettings


class ControlApi:
    def __init__(
        self, *, clock: Clock, ledger: Callable[[], Ledger], reset: Callable[[], None], journal: Journal
    ) -> None:
        self._clock = clock
        self._ledger = ledger
        self._reset = reset
        self._journal = journal
        self.steering = SteeringSettings()  # the app's own, set by create_app

    def handlers(self) -> dict[str, Callable[..., Any]]:
        return {
            "reset": self.reset,
            "advance_clock": self.advance_clock,
            "get_state": self.get_state,
            "list_requests": self.list_requests,
            "clear_requests": self.clear_requests,
            "get_steering": self.get_steering,
            "set_steering": self.set_steering,
        }

    def _state(self) -> dict[str, Any]:
        return {
            "now": self._clock.now().isoformat().replace("+00:00", "Z"),
            "clock_offset_seconds": self._clock.offset_seconds,
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

    async def get_state(self) -> Response:
        return json_body(self._state())

    async def list_requests(self, query: dict[str, Any]) -> Response:
        records = self._journal.select(
            method=query.get("method") or None,
            path=query.get("path") or None,
            operation=query.get("operation") or None,
            status=query.get("status"),
            since=query.get("since"),
        )
        return json_body(records_json(records, self._journal.size))

    async def get_steering(self) -> Response:
        return json_body(self.steering.to_json())

    async def set_steering(self, payload: Any) -> Response:
        # Validated against control.yaml: latency_ms {min, max} or null, chaos in [0, 1]; absent fields stay.
        data = payload.model_dump(by_alias=True, exclude_unset=True)
        if "latency_ms" in data:
            latency = data["latency_ms"]
            if latency is not None and latency["max"] < latency["min"]:
                raise RequestValidationError(
                    [value_error(["body", "latency_ms"], "max must not be below min", latency)]
                )
            self.steering.latency_ms = (latency["min"], latency["max"]) if latency and latency["max"] else None
        if "chaos" in data:
            self.steering.chaos = float(data["chaos"])
        return json_body(self.steering.to_json())

    async def clear_requests(self) -> Response:
        self._journal.clear()
        return Response(status_code=204)
