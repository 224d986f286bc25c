"""Accounting periods the kit makes for itself, in a year no period of the business touches.

Closing, locking and reopening are irreversible business events on a real system, so the
kit changes only periods it created, far from real books: it lists the business's periods,
takes the latest year from 2199 down that none of them touches, and creates monthly periods
there. Every period it creates is listed at the end of the run.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import TYPE_CHECKING, Any

from conformance.http import ApiClient
from dayzero_mock_kit.openapi.operations import Operation

if TYPE_CHECKING:
    from conformance.context import RunContext

PERIODS = Operation.LIST_PERIODS.path
LATEST_YEAR, EARLIEST_YEAR = 2199, 2100
MAX_PAGES = 100


class OwnPeriods:
    """Creates the kit's own periods for one identity, month after month in a free year."""

    def __init__(self, ctx: RunContext, client: ApiClient) -> None:
        self._ctx = ctx
        self._client = client
        self._year: int | None = None
        self._month = 0

    def _taken(self) -> list[tuple[date, date]]:
        """Every (start, end) of the business's periods, walking all pages."""
        spans: list[tuple[date, date]] = []
        query: dict[str, Any] = {"limit": 1000}
        for _ in range(MAX_PAGES):
            exchange = self._client.get(PERIODS, params=query)
            self._ctx.expect_status(exchange, {200}, "listing accounting periods works")
            page = exchange.json()
            spans += [
                (date.fromisoformat(p["period_start"]), date.fromisoformat(p["period_end"])) for p in page["items"]
            ]
            if not page.get("has_next") or not page.get("next_cursor"):
                break
            query = {"limit": 1000, "cursor": page["next_cursor"], "direction": "next"}
        return spans

    def _free_year(self, after: int | None = None) -> int:
        spans = self._taken()
        top = LATEST_YEAR if after is None else after - 1
        for year in range(top, EARLIEST_YEAR - 1, -1):
            first, last = date(year, 1, 1), date(year, 12, 31)
            if not any(start <= last and first <= end for start, end in spans):
                return year
        self._ctx.skip(f"no free year between {EARLIEST_YEAR} and {LATEST_YEAR} to create the kit's own periods in")

    def end_without_period(self) -> date:
        """A day in the kit's year on which no period ends (for a close that must find nothing)."""
        if self._year is None:
            self._year = self._free_year()
        return date(self._year, 12, 30)  # months are allocated whole: no period ends on the 30th of December

    def new(self) -> dict[str, Any]:
        """Create the next month of the free year as a period (201); returns the period."""
        self._ctx.require_writes()
        for _ in range(24):
            if self._year is None or self._month == 11:  # December stays free for end_without_period
                self._year = self._free_year(after=self._year)
                self._month = 0
            self._month += 1
            start = date(self._year, self._month, 1)
            end = date(self._year, self._month, calendar.monthrange(self._year, self._month)[1])
            exchange = self._client.post(
                PERIODS, json_body={"period_start": start.isoformat(), "period_end": end.isoformat()}
            )
            if exchange.status == 409:  # someone made a period there since: the next month
                continue
            self._ctx.expect_status(exchange, {201}, "creating an accounting period in a free range answers 201")
            period = exchange.json()
            self._ctx.created_periods.append(period["id"])
            return dict(period)
        self._ctx.skip("could not find a free month to create the kit's own period in")
