"""The documented list contract on top of keyset pagination: filter, sort, cursors, total."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from mock_server.cursors import CursorCodec, CursorError, Listing, Position
from mock_server.errors import RequestValidationError, value_error
from mock_server.pagination import page_slice

T = TypeVar("T")

DEFAULT_LIMIT = 50


def _reject(name: str, message: str, value: Any) -> RequestValidationError:
    return RequestValidationError([value_error(["query", name], message, value)])


def list_page(
    items: Sequence[T],
    *,
    query: dict[str, Any],
    business_id: str,
    sort_columns: Sequence[str],
    sort_value: Callable[[T, str], Any],
    item_id: Callable[[T], str],
    status_of: Callable[[T], str],
    render: Callable[[T], dict[str, Any]],
    codec: CursorCodec,
) -> dict[str, Any]:
    """One page of ``items`` as the documented list response body."""
    sort_by = query.get("sort_by") or "created_at"
    if sort_by not in sort_columns:
        raise _reject("sort_by", f"sort_by must be one of {', '.join(sort_columns)}", sort_by)
    direction = query.get("direction") or "next"
    if direction not in ("next", "prev"):
        raise _reject("direction", "direction must be 'next' or 'prev'", direction)
    limit = query.get("limit") or DEFAULT_LIMIT
    descending = bool(query.get("descending", True))
    status = query.get("status") or None  # empty means "no filter", like an absent parameter
    listing = Listing(business_id=business_id, sort_by=sort_by, descending=descending, status=status)

    after = None
    if query.get("cursor"):  # an empty cursor means the first page
        try:
            after = codec.decode(query["cursor"], listing).key
        except CursorError as error:
            raise _reject("cursor", str(error), query["cursor"]) from None
        except (ValueError, KeyError, TypeError):
            raise _reject("cursor", "The cursor is not one this server issued.", query["cursor"]) from None

    selected = [item for item in items if status is None or status_of(item) == status]
    keyed = sorted(((sort_value(item, sort_by), item_id(item)), item) for item in selected) if selected else []
    keys = [key for key, _ in keyed]
    try:
        page = page_slice(keys, after=after, direction=direction, limit=limit, descending=descending)
    except TypeError:  # a cursor whose value cannot be compared with this sort's values
        raise _reject("cursor", "The cursor is not one this server issued.", query["cursor"]) from None
    shown = [keyed[i] for i in page.indexes()]

    def cursor_at(key: tuple[Any, str]) -> str:
        return codec.encode(listing, Position(*key))

    next_cursor = prev_cursor = None
    if page.has_next:
        next_cursor = cursor_at(shown[-1][0] if shown else after)  # type: ignore[arg-type]
    if page.has_prev:
        prev_cursor = cursor_at(shown[0][0] if shown else after)  # type: ignore[arg-type]
    return {
        "items": [render(item) for _, item in shown],
        "total": len(selected) if query.get("include_total_count") else None,
        "limit": limit,
        "next_cursor": next_cursor,
        "prev_cursor": prev_cursor,
        "has_next": page.has_next,
        "has_prev": page.has_prev,
    }
