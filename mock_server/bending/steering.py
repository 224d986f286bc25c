"""Steering: answers a frontend developer asks for, bent around the contract's own shapes.

Per request, Prism's ``Prefer`` conventions where a stateful mock can honour them:
``Prefer: code=404`` answers that declared status with the contract's error body (a status
the operation does not declare is a 400 that lists the ones it may force; a declared 2xx
changes nothing), ``Prefer: delay=1500`` waits that many milliseconds first. (``outcome=``
steers a package build: see the package handlers.) Per server, and at run time through
``PUT /__mock/steering``: ``latency`` (milliseconds, a seeded draw in a range, on every
contract request) and ``chaos`` (that share of contract requests answers 429 with
Retry-After, 500 or 503, the statuses the conventions document). What was applied is noted
for the request journal.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from mock_server.domain.changes import LatencyRange, Sink, SteeringSet, nowhere
from mock_server.edge.scopes import header, operation_id

STEERING_KEY = "dayzero_steering"  # in scope["extensions"]: what was applied, for the journal
CHAOS: tuple[tuple[int, str, dict[str, str]], ...] = (
    (429, "Too many requests; retry after the time in Retry-After.", {"retry-after": "1"}),
    (500, "Internal Server Error", {}),
    (503, "Service temporarily unavailable; try again shortly.", {}),
)
MAX_DELAY_MS = 60_000


@dataclass
class SteeringSettings:
    """What the server bends on every contract request; changed at run time by the control API."""

    latency_ms: tuple[int, int] | None = None
    chaos: float = 0.0
    _sink: Sink = field(default=nowhere, init=False, repr=False, compare=False)  # told of every change

    def send_changes_to(self, sink: Sink) -> None:
        self._sink = sink

    def set(self, *, latency_ms: tuple[int, int] | None, chaos: float) -> None:
        self.latency_ms = latency_ms
        self.chaos = chaos
        latency = LatencyRange(*latency_ms) if latency_ms else None
        self._sink(SteeringSet(latency_ms=latency, chaos=chaos))

    def restore(self, settings: SteeringSet) -> None:
        latency = settings.latency_ms
        self.latency_ms = (latency.min, latency.max) if latency else None
        self.chaos = float(settings.chaos)

    def to_json(self) -> dict[str, Any]:
        latency = {"min": self.latency_ms[0], "max": self.latency_ms[1]} if self.latency_ms else None
        return {"latency_ms": latency, "chaos": self.chaos}


def parse_latency(text: str) -> tuple[int, int] | None:
    """``"50..400"`` or ``"120"`` (milliseconds) -> (min, max); ``""`` or ``"0"`` -> None."""
    match = re.fullmatch(r"\s*(\d+)\s*(?:\.\.\s*(\d+)\s*)?", text or "0")
    if not match:
        raise ValueError(f"latency must look like 50..400 or 120 (milliseconds), not {text!r}.")
    low = int(match.group(1))
    high = int(match.group(2) or low)
    if high < low or high > MAX_DELAY_MS:
        raise ValueError(f"latency {text!r}: the range must go up, to at most {MAX_DELAY_MS} ms.")
    return None if high == 0 else (low, high)


def prefer(header: str | None) -> dict[str, str]:
    """``Prefer: code=404, delay=100`` (or ``;``-separated) -> {"code": "404", "delay": "100"}."""
    found = {}
    for part in (header or "").replace(";", ",").split(","):
        name, _, value = part.strip().partition("=")
        if name and value:
            found[name.strip().lower()] = value.strip().strip('"')
    return found


def error_body(status: int, detail: str) -> bytes:
    """The contract's error shapes: pydantic's list for 422, ``{"detail": text}`` otherwise."""
    if status == 422:
        entry = {
            "type": "value_error",
            "loc": ["body"],
            "msg": f"Value error, {detail}",
            "input": None,
            "ctx": {"error": detail},
        }
        return json.dumps({"detail": [entry]}, separators=(",", ":")).encode()
    return json.dumps({"detail": detail}, separators=(",", ":")).encode()


class SteeringMiddleware:
    """Applies Prefer, latency and chaos to the contract's operations (never to the control API)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        settings: SteeringSettings,
        declared: Mapping[str, Mapping[str, str]],
        seed: int,
    ) -> None:
        self.app = app
        self.settings = settings
        self.declared = declared  # operationId -> {status: the contract's detail text for it}
        self._rng = random.Random(f"{seed}:steering")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        routed = operation_id(scope)
        if scope["type"] != "http" or routed is None or routed not in self.declared:
            await self.app(scope, receive, send)
            return
        applied: dict[str, Any] = {}
        scope.setdefault("extensions", {})[STEERING_KEY] = applied
        asked = prefer((header(scope, b"prefer") or b"").decode("latin-1"))
        wait_ms = 0
        if "delay" in asked and asked["delay"].isdigit():
            wait_ms += min(int(asked["delay"]), MAX_DELAY_MS)
            applied["delay_ms"] = int(asked["delay"])
        if self.settings.latency_ms:
            latency = self._rng.randint(*self.settings.latency_ms)
            applied["latency_ms"] = latency
            wait_ms += latency
        if wait_ms:
            await asyncio.sleep(wait_ms / 1000)
        if self.settings.chaos and self._rng.random() < self.settings.chaos:
            status, detail, headers = self._rng.choice(CHAOS)
            applied["chaos"] = status
            await _answer(send, status, error_body(status, detail), headers)
            return
        if "code" in asked:
            forced = self._forced(routed, asked["code"])
            if forced is not None:
                status, body = forced
                applied["code"] = status
                headers = {"www-authenticate": "Bearer"} if status == 401 else {}
                await _answer(send, status, body, headers)
                return
        await self.app(scope, receive, send)

    def _forced(self, operation_id: str, code: str) -> tuple[int, bytes] | None:
        """The answer ``Prefer: code=`` asks for; None when the request should run as usual."""
        statuses = self.declared[operation_id]
        if code in statuses and code.startswith("2"):
            return None  # a success is the operation's own work: it runs
        if code == "422":
            return 422, error_body(422, "forced by Prefer: code=422")
        if code in statuses:
            return int(code), error_body(int(code), statuses[code])
        errors = ", ".join(sorted(s for s in statuses if not s.startswith("2")))
        return 400, error_body(
            400, f"Prefer: code={code} is not a status this operation declares; it may force: {errors}"
        )


async def _answer(send: Send, status: int, body: bytes, headers: Mapping[str, str]) -> None:
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(name.encode(), value.encode()) for name, value in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def declared_statuses(document: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """operationId -> {status: the detail its example gives (or its description)} for every operation."""
    declared: dict[str, dict[str, str]] = {}
    for item in document["paths"].values():
        for operation in item.values():
            statuses = {}
            for status, response in operation["responses"].items():
                example = response.get("content", {}).get("application/json", {}).get("example", {})
                detail = example.get("detail") if isinstance(example, dict) else None
                statuses[status] = str(detail or response.get("description", "Error"))
            declared[operation["operationId"]] = statuses
    return declared
