"""The documented list contract on top of keyset pagination: filter, sort, cursors, total."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from mock_server.edge.errors import RequestValidationError, value_error
from mock_server.listing.cursors import CursorCodec, CursorError, Listing, Position
from mock_server.listing.pagination import page_slice

T = TypeVar("T")

DEFAULT_LIMIT = 50

Key = tuple[Any, str]
# (sort_by, status filter) -> the matching items and their (sort value, id) keys, ascending.
Entries = Callable[[str, str | None], tuple[Sequence[Key], Sequence[T]]]


def sorted_entries(items: Iterable[T], key: Callable[[T], Key]) -> tuple[list[Key], list[T]]:
    """Items and their keys in ascending key order (keys end with the unique id)."""
    keyed = sorted(((key(item), item) for item in items), key=lambda pair: pair[0])
    return [k for k, _ in keyed], [item for _, item in keyed]


def _reject(name: str, message: str, value: Any) -> RequestValidationError:
    return RequestValidationError([value_error(["query", name], message, value)])


def list_page(
    *,
    query: dict[str, Any],
    business_id: str,
    sort_columns: Sequence[str],
    entries: Entries[T],
    render_json: Callable[[T], str],
    codec: CursorCodec,
) -> str:
    """One page as the documented list response, serialized (item JSON comes pre-rendered)."""
    sort_by = query.get("sort_by") or "created_at"
    if sort_by not in sort_columns:
        raise _reject("sort_by", f"sort_by must be one of {', '.join(sort_columns)}", sort_by)
    direction = query.get("direction") or "next"
    if direction not in ("next", "prev"):
        raise _reject("direction", "direction must be 'next' or 'prev'", direction)
    limit = query.get("limit") or DEFAULT_LIMIT
    descending = bool(query.get("descending", True))
    status = query.get("status") or None  # empty means "no filter", like an absent parameter
    search = query.get("search") or None
    listing = Listing(business_id=business_id, sort_by=sort_by, descending=descending, status=status, search=search)

    after = None
    if query.get("cursor"):  # an empty cursor means the first page
        try:
            after = codec.decode(query["cursor"], listing).key
        except (CursorError, ValueError, KeyError, TypeError) as error:
            message = str(error) if isinstance(error, CursorError) else "The cursor is not one this server issued."
            raise _reject("cursor", message, query["cursor"]) from None

    keys, items = entries(sort_by, status)
    try:
        page = page_slice(keys, after=after, direction=direction, limit=limit, descending=descending)
    except TypeError:  # a cursor value that cannot be compared with this sort's values
        raise _reject("cursor", "The cursor is not one this server issued.", query["cursor"]) from None
    shown = list(page.indexes())
    has_next = page.has_next

    def cursor_at(key: Key | None) -> str | None:
        return codec.encode(listing, Position(*key)) if key is not None else None

    next_cursor = prev_cursor = None
    if has_next:
        next_cursor = cursor_at(keys[shown[-1]] if shown else after)
    if page.has_prev:
        prev_cursor = cursor_at(keys[shown[0]] if shown else after)
    envelope = json.dumps(
        {
            "total": len(keys) if query.get("include_total_count") else None,
            "limit": limit,
            "next_cursor": next_cursor,
            "prev_cursor": prev_cursor,
            "has_next": has_next,
            "has_prev": page.has_prev,
        },
        separators=(",", ":"),
    )
    return '{"items":[' + ",".join(render_json(items[i]) for i in shown) + "]," + envelope[1:]
