"""What a check works with: clients per identity, the contract, helpers, and ways to report."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

from conformance.generation import BodyGeneration
from conformance.http import OTHER_TOKEN_PLACEHOLDER, TOKEN_PLACEHOLDER, ApiClient, Exchange, RateLimiter
from conformance.own_periods import OwnPeriods
from conformance.results import Finding
from conformance.settings import Identity, KitSettings
from dayzero_mock_kit.openapi import Contract, load_contract
from dayzero_mock_kit.openapi.operations import Operation

PACKAGES = Operation.CREATE_PACKAGE.path
PERIODS = Operation.LIST_PERIODS.path
FINAL = ("ready", "failed")


def instant(text: str) -> datetime:
    """An RFC 3339 date-time as an aware datetime (so that comparisons are by time, not by text)."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class CheckFailed(Exception):
    def __init__(self, findings: list[Finding]) -> None:
        super().__init__(findings[0].message if findings else "failed")
        self.findings = findings


class CheckSkipped(Exception):
    """The check cannot run here; the message says why."""


class RunContext:
    """Shared by the checks of one run; created packages are remembered for the final list."""

    def __init__(self, settings: KitSettings, storage: Path) -> None:
        self.settings = settings
        self.storage = storage  # this run's cache directory (conformance.storage)
        self.rng = random.Random(settings.seed)
        self.generation = BodyGeneration.from_choice(settings.generation)
        limiter = RateLimiter(settings.rate_limit)

        def client(identity: Identity | None) -> ApiClient:
            return ApiClient(settings.base_url, identity, limiter, settings.request_timeout, self.generation)

        self.client = client(settings.identity)
        self.anonymous = client(None)
        self.other = client(settings.other) if settings.other else None
        # The first token on the second business: must be refused.
        self.crossed = client(Identity(settings.identity.token, settings.other.business_id)) if settings.other else None
        self.created: list[str] = []
        self.created_periods: list[str] = []
        self.notes: list[str] = []  # what the report should say about how the run was done
        self._cache: dict[str, Any] = {}
        self._ready: dict[str, dict[str, Any]] = {}
        self._periods: list[dict[str, Any]] | None = None
        self._stalled: Finding | None = None  # the first build that never finished
        self.own_periods = OwnPeriods(self, self.client)
        self.other_own_periods = OwnPeriods(self, self.other) if self.other else None

    @property
    def contract(self) -> Contract:
        """The contract of the generation the server speaks (decided by the preflight with auto)."""
        return load_contract(self.generation.decided)

    def close(self) -> None:
        for client in (self.client, self.anonymous, self.other, self.crossed):
            if client is not None:
                client.close()

    # -- reporting ---------------------------------------------------------------------------

    def secrets(self) -> dict[str, str]:
        found = {self.settings.identity.token: TOKEN_PLACEHOLDER}
        if self.settings.other:
            found[self.settings.other.token] = OTHER_TOKEN_PLACEHOLDER
        return found

    def finding(self, message: str, *, expected: str, actual: str, exchange: Exchange | None) -> Finding:
        exchange = exchange or self.client.last
        return Finding(
            message=message,
            expected=expected,
            actual=actual,
            curl=exchange.curl(self.secrets()) if exchange else "",
            operation=f"{exchange.method} {exchange.url.split('?')[0].replace(self.settings.base_url, '')}"
            if exchange
            else "",
        )

    def fail(self, message: str, *, expected: str, actual: str, exchange: Exchange | None = None) -> NoReturn:
        raise CheckFailed([self.finding(message, expected=expected, actual=actual, exchange=exchange)])

    def expect(
        self, condition: bool, message: str, *, expected: str, actual: str, exchange: Exchange | None = None
    ) -> None:
        if not condition:
            self.fail(message, expected=expected, actual=actual, exchange=exchange)

    def expect_status(self, exchange: Exchange, allowed: set[int] | range, what: str) -> None:
        shown = sorted(allowed) if isinstance(allowed, set) else f"{allowed.start}-{allowed.stop - 1}"
        self.expect(
            exchange.status in allowed, what, expected=f"status {shown}", actual=exchange.excerpt(), exchange=exchange
        )

    @staticmethod
    def skip(reason: str) -> NoReturn:
        raise CheckSkipped(reason)

    # -- helpers -----------------------------------------------------------------------------

    def cached(self, key: str, compute: Callable[[], Any]) -> Any:
        """Work shared by several checks (e.g. one Schemathesis run), done once per run."""
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def require_writes(self) -> None:
        if self.settings.read_only:
            self.skip("creates data; skipped with --read-only")

    def require_other(self) -> ApiClient:
        if self.other is None:
            self.skip("needs a second identity (--other-token, --other-business-id)")
        return self.other

    def periods(self) -> list[dict[str, Any]]:
        """Every period of the first business, fetched once (default order)."""
        if self._periods is None:
            exchange = self.client.get(PERIODS, params={"limit": 1000})
            self.expect_status(exchange, {200}, "listing accounting periods works")
            self._periods = exchange.json()["items"]
        return self._periods

    def create(
        self, body: dict[str, Any], client: ApiClient | None = None, headers: dict[str, str] | None = None
    ) -> tuple[Exchange, dict[str, Any]]:
        """POST a package that must be accepted (201); returns the exchange and the package."""
        self.require_writes()
        client = client or self.client
        exchange = client.post(PACKAGES, json_body=body, headers=headers)
        self.expect_status(exchange, {201}, "a valid create request is accepted with 201")
        data = exchange.json()
        self.expect(
            isinstance(data, dict) and isinstance(data.get("package"), dict),
            "the 201 body holds the package",
            expected="{package: {...}, workflow_id}",
            actual=exchange.excerpt(),
            exchange=exchange,
        )
        if client is self.client:
            self.created.append(data["package"]["id"])
        return exchange, data["package"]

    def remember_if_created(self, exchange: Exchange) -> None:
        """A create the server should have refused made a period after all: list it at the end."""
        if exchange.status == 201:
            self.created_periods.append(str((exchange.json() or {}).get("id")))

    def valid_body(self, report_format: str = "pdf", reports: list[str] | None = None) -> dict[str, Any]:
        keys = self.contract.report_keys()
        chosen = reports or sorted(self.rng.sample(keys, self.rng.randint(1, 3)), key=keys.index)
        return {
            "selected_reports": chosen,
            "period_start": "2026-01-01",
            "period_end": "2026-01-31",
            "report_format": report_format,
        }

    def poll_until_final(self, package_id: str, client: ApiClient | None = None) -> list[dict[str, Any]]:
        """Every observation of the package until it is ready or failed (bounded by --ready-timeout).

        Waits at most once per run: after one build has not finished in time, every later
        check that needs a finished package is skipped at once, naming that first finding.
        """
        if self._stalled is not None:
            self.skip(
                f"no build finished: {self._stalled.message} ({self._stalled.operation}, "
                f"{self._stalled.actual}); not waiting --ready-timeout again"
            )
        client = client or self.client
        seen: list[dict[str, Any]] = []
        deadline = time.monotonic() + self.settings.ready_timeout
        delay = 0.05
        while True:
            exchange = client.get(Operation.GET_PACKAGE.path.format(package_id=package_id))
            self.expect_status(exchange, {200}, "a created package can be fetched")
            seen.append(exchange.json())
            if seen[-1]["status"] in FINAL:
                return seen
            if time.monotonic() > deadline:
                self._stalled = self.finding(
                    "the package did not finish within --ready-timeout",
                    expected=f"ready or failed within {self.settings.ready_timeout:.0f} s",
                    actual=f"status {seen[-1]['status']}",
                    exchange=exchange,
                )
                raise CheckFailed([self._stalled])
            time.sleep(delay)
            delay = min(delay * 1.5, 2.0)

    def ready_package(self, report_format: str) -> dict[str, Any]:
        """A package built to ready in this format, created once per run and reused."""
        if report_format not in self._ready:
            reports = self.contract.report_keys()
            _, package = self.create(self.valid_body(report_format, reports), headers={"Prefer": "outcome=ready"})
            history = self.poll_until_final(package["id"])
            if history[-1]["status"] != "ready":
                self.skip(
                    f"the {report_format} package built for artifact checks failed: {history[-1].get('error_message')}"
                )
            self._ready[report_format] = history[-1]
        return self._ready[report_format]

    def walk(
        self, path: str, params: dict[str, Any], client: ApiClient | None = None, max_pages: int = 200
    ) -> tuple[list[dict[str, Any]], list[list[dict[str, Any]]], list[Exchange]]:
        """Pages forward to the end, then back to the start; (forward items, backward pages, exchanges)."""
        client = client or self.client
        exchanges, forward, backward_pages = [], [], []
        query = dict(params)
        for _ in range(max_pages):
            exchange = client.get(path, params=query)
            exchanges.append(exchange)
            self.expect_status(exchange, {200}, "a list page is served")
            page = exchange.json()
            forward.extend(page["items"])
            if not page["has_next"]:
                break
            self.expect(
                bool(page.get("next_cursor")),
                "has_next comes with a next_cursor",
                expected="next_cursor set when has_next is true",
                actual="next_cursor null",
                exchange=exchange,
            )
            query = {**params, "cursor": page["next_cursor"], "direction": "next"}
        backward_pages.append(page["items"])
        for _ in range(max_pages):
            if not page["has_prev"]:
                break
            self.expect(
                bool(page.get("prev_cursor")),
                "has_prev comes with a prev_cursor",
                expected="prev_cursor set when has_prev is true",
                actual="prev_cursor null",
                exchange=exchange,
            )
            exchange = client.get(path, params={**params, "cursor": page["prev_cursor"], "direction": "prev"})
            exchanges.append(exchange)
            self.expect_status(exchange, {200}, "a list page is served")
            page = exchange.json()
            backward_pages.insert(0, page["items"])
        return forward, backward_pages, exchanges
