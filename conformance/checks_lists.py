"""Cursor pagination, sorting, filters and totals (list seed pages, pagination guide)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conformance.context import PACKAGES, PERIODS, RunContext, instant
from conformance.documented import PERIOD_STATUSES
from conformance.registry import BEHAVIOUR, MUST, SHOULD, check
from dayzero_mock_kit.openapi.operations import Operation

LIST_OPS = (Operation.LIST_PACKAGES.route, Operation.LIST_PERIODS.route)
MAX_LIMIT = 1000  # documented maximum page size


@dataclass(frozen=True)
class Listing:
    """A list request and, as the oracle, all of its items fetched in one page of the maximum size."""

    path: str
    params: dict[str, Any]
    everything: list[dict[str, Any]]


def _everything(ctx: RunContext, path: str, params: dict[str, Any]) -> list[dict[str, Any]] | None:
    """All items of the listing in one page, or None when it holds too many for one page."""
    exchange = ctx.client.get(path, params={**params, "limit": MAX_LIMIT})
    ctx.expect_status(exchange, {200}, "a page of the maximum size is served")
    items: list[dict[str, Any]] = exchange.json()["items"]
    # A full page may be truncated: comparing a walk with it would report breaks that are not there.
    return items if len(items) < MAX_LIMIT else None


def _ensure_packages(ctx: RunContext, count: int) -> None:
    """Enough packages for several pages (created only when writes are allowed)."""
    exchange = ctx.client.get(PACKAGES, params={"limit": count, "include_total_count": True})
    have = len((exchange.json() or {}).get("items", []))
    if have < count and not ctx.settings.read_only:
        for _ in range(count - have):
            ctx.create(ctx.valid_body())


def _listings(ctx: RunContext) -> list[Listing]:
    """Small-page listings of both operations, in both directions, that can be checked whole."""
    _ensure_packages(ctx, 7)
    listings = []
    for path, params in (
        (PERIODS, {"limit": 5}),
        (PACKAGES, {"limit": 3}),
        (PERIODS, {"limit": 4, "descending": False}),
        (PACKAGES, {"limit": 2, "descending": False}),
    ):
        everything = _everything(ctx, path, params)
        if everything is not None:
            listings.append(Listing(path, params, everything))
    if not listings:
        ctx.skip(f"every listing holds {MAX_LIMIT} items or more: no single page to compare the walk with")
    return listings


def _ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in items]


@check(
    "PAGINATION-WALK",
    "Every item exactly once, forward and back",
    level=MUST,
    layer=BEHAVIOUR,
    operations=LIST_OPS,
    source="G/pagination: cursor pagination, next and prev",
    traffic=("pagination-skip", "page-walk"),
    rationale="Documented: cursor pagination with next/prev; a walk must neither skip nor repeat items.",
)
def walk_both_ways(ctx: RunContext) -> None:
    for listing in _listings(ctx):
        path, params = listing.path, listing.params
        forward, backward_pages, exchanges = ctx.walk(path, params)
        all_ids = _ids(listing.everything)
        backward = [item for page in backward_pages for item in page]
        ctx.expect(
            _ids(forward) == all_ids,
            f"walking {path} forward yields every item once, in order",
            expected=f"{len(all_ids)} items: {all_ids[:6]}...",
            actual=f"{len(forward)} items: {_ids(forward)[:6]}...",
            exchange=exchanges[min(1, len(exchanges) - 1)],
        )
        ctx.expect(
            _ids(backward) == all_ids,
            f"walking {path} back yields the same items",
            expected=f"{len(all_ids)} items",
            actual=f"{len(backward)} items",
            exchange=exchanges[-1],
        )


@check(
    "PAGINATION-ORDER",
    "Items follow sort_by and descending",
    level=MUST,
    layer=BEHAVIOUR,
    operations=LIST_OPS,
    source="list slices + G/pagination: sort_by (default created_at), descending (default true)",
    traffic=("page-order",),
    rationale="Documented: sort_by (default created_at) and descending (default true).",
)
def order(ctx: RunContext) -> None:
    for listing in _listings(ctx):
        path, params = listing.path, listing.params
        items, _, exchanges = ctx.walk(path, params)
        values = [instant(item["created_at"]) for item in items]
        descending = params.get("descending", True)
        ctx.expect(
            values == sorted(values, reverse=descending),
            f"{path} is ordered by created_at",
            expected=f"created_at {'descending' if descending else 'ascending'}",
            actual=", ".join(item["created_at"] for item in items[:6]),
            exchange=exchanges[0],
        )
    for column in ("period_start", "period_end"):
        exchange = ctx.client.get(PERIODS, params={"sort_by": column, "descending": False, "limit": MAX_LIMIT})
        if exchange.status != 200:
            continue  # sortable columns beyond created_at are not published
        values = [item[column] for item in exchange.json()["items"]]
        ctx.expect(
            values == sorted(values),
            f"periods sorted by {column}",
            expected="ascending",
            actual=str(values[:6]),
            exchange=exchange,
        )


@check(
    "PAGINATION-LIMIT",
    "limit is honoured",
    level=MUST,
    layer=BEHAVIOUR,
    operations=LIST_OPS,
    source="list slices: limit 1-1000; G/pagination: default 50",
    traffic=("page-limit",),
    rationale="Documented: limit caps the page size (default 50).",
)
def limit_honoured(ctx: RunContext) -> None:
    for listing in _listings(ctx):
        path, params = listing.path, listing.params
        exchange = ctx.client.get(path, params=params)
        page = exchange.json()
        expected = min(params["limit"], len(listing.everything))
        ctx.expect(
            len(page["items"]) == expected,
            f"{path} returns limit items when there are more",
            expected=f"{expected} items",
            actual=f"{len(page['items'])} items",
            exchange=exchange,
        )


@check(
    "PAGINATION-FLAGS",
    "has_next, has_prev and cursors agree at both ends",
    level=MUST,
    layer=BEHAVIOUR,
    operations=LIST_OPS,
    source="list schemas: has_next/has_prev required, cursors null at the ends",
    traffic=("pagination-flags",),
    rationale="Documented: has_next/has_prev required; cursors null when there is no page that way.",
)
def flags(ctx: RunContext) -> None:
    for listing in _listings(ctx):
        path, params = listing.path, listing.params
        first = ctx.client.get(path, params=params)
        page = first.json()
        ctx.expect(
            page["has_prev"] is False and page.get("prev_cursor") is None,
            f"{path}: first page has no prev",
            expected="has_prev false, prev_cursor null",
            actual=f"has_prev {page['has_prev']}, prev_cursor {page.get('prev_cursor')!r}",
            exchange=first,
        )
        exchange = first
        for _ in range(200):
            if not page["has_next"]:
                break
            following = ctx.client.get(path, params={**params, "cursor": page["next_cursor"]})
            ctx.expect(
                bool(following.json()["items"]),
                f"{path}: has_next true led to an empty page",
                expected="has_next false on the last page",
                actual="has_next true, next page empty",
                exchange=exchange,
            )
            exchange, page = following, following.json()
        ctx.expect(
            page.get("next_cursor") is None,
            f"{path}: last page has no next cursor",
            expected="next_cursor null on the last page",
            actual=repr(page.get("next_cursor")),
            exchange=exchange,
        )
        if len(listing.everything) > params["limit"]:
            ctx.expect(
                first.json()["has_next"] is True,
                f"{path}: a first page with more items says has_next",
                expected="has_next true",
                actual="has_next false",
                exchange=first,
            )


@check(
    "PAGINATION-TOTAL",
    "total is the real count when asked, null otherwise",
    level=MUST,
    layer=BEHAVIOUR,
    operations=LIST_OPS,
    source="list schemas: total is null when not calculated; include_total_count",
    traffic=("total",),
    rationale="Documented: total is null when not calculated; include_total_count asks for it.",
)
def total(ctx: RunContext) -> None:
    statuses = sorted({p["status"] for p in ctx.periods()})
    for path, params in [
        (PERIODS, {"limit": 2}),
        *((PERIODS, {"limit": 2, "status": s}) for s in statuses[:2]),
        (PACKAGES, {"limit": 2}),
    ]:
        everything = _everything(ctx, path, params)
        if everything is None:
            continue
        counted = len(everything)
        without = ctx.client.get(path, params=params)
        ctx.expect(
            without.json().get("total") is None,
            f"{path}: total is null unless asked",
            expected="total null",
            actual=str(without.json().get("total")),
            exchange=without,
        )
        exchange = ctx.client.get(path, params={**params, "include_total_count": True})
        ctx.expect(
            exchange.json().get("total") == counted,
            f"{path}: total counts the filtered items",
            expected=f"total {counted}",
            actual=f"total {exchange.json().get('total')}",
            exchange=exchange,
        )


@check(
    "FILTER-STATUS",
    "The status filter returns only that status",
    level=MUST,
    layer=BEHAVIOUR,
    operations=LIST_OPS,
    source="list-packages/list-periods: status filters by status",
    traffic=("status-filter",),
    rationale="Documented: status filters by status (periods: open, closed, locked).",
)
def status_filter(ctx: RunContext) -> None:
    for wanted in PERIOD_STATUSES:
        items, _, exchanges = ctx.walk(PERIODS, {"status": wanted, "limit": 50})
        wrong = [i["status"] for i in items if i["status"] != wanted]
        ctx.expect(
            not wrong,
            f"status={wanted} returns only {wanted} periods",
            expected=f"only {wanted}",
            actual=f"{len(wrong)} others: {sorted(set(wrong))}",
            exchange=exchanges[0],
        )
    exchange = ctx.client.get(PACKAGES, params={"status": "ready", "limit": MAX_LIMIT})
    wrong = [i["status"] for i in exchange.json()["items"] if i["status"] != "ready"]
    ctx.expect(
        not wrong,
        "status=ready returns only ready packages",
        expected="only ready",
        actual=f"{sorted(set(wrong))}",
        exchange=exchange,
    )


@check(
    "PAGINATION-GARBAGE-CURSOR",
    "A garbage cursor is a 4xx, never a 5xx",
    level=MUST,
    layer=BEHAVIOUR,
    operations=LIST_OPS,
    source="G/pagination: cursors are opaque; G/errors: bad parameters are 4xx",
    rationale="Documented: cursors are opaque; a bad one is invalid input (4xx), not a crash.",
)
def garbage_cursor(ctx: RunContext) -> None:
    for path in (PACKAGES, PERIODS):
        for cursor in ("garbage", "eyJub3QiOiAiYSBjdXJzb3IifQ==", "%%%", "A" * 2000):
            exchange = ctx.client.get(path, params={"cursor": cursor})
            ctx.expect_status(exchange, range(400, 500), "a made-up cursor is refused")


@check(
    "PAGINATION-PREV-EMPTY-SORT",
    "Another sort's cursor is not silently reused",
    level=SHOULD,
    layer=BEHAVIOUR,
    operations=LIST_OPS,
    source="ours: another sort's cursor is a 4xx (G/pagination: 'When changing sort, reset cursor')",
    rationale="Documented: 'When changing sort, reset cursor'; ours: a cursor of another sort is a 4xx.",
)
def cursor_of_other_sort(ctx: RunContext) -> None:
    cursor = ctx.client.get(PERIODS, params={"limit": 1}).json().get("next_cursor")
    if not cursor:
        ctx.skip("fewer than two periods")
    exchange = ctx.client.get(PERIODS, params={"limit": 1, "cursor": cursor, "descending": False})
    ctx.expect_status(exchange, range(400, 500), "a cursor used with another sort direction is refused")
