"""Keyset pagination over an ascending (sort value, id) list, in either direction.

Pure: given the ordered keys, a cursor position, the direction and the limit, says which slice
is the page and whether items lie before and after it. Walking forward then back visits each
item once, even when items are inserted between requests, because a position is a key, not
an offset.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PageSlice:
    """Ascending indexes [start, stop) of the page; ``reverse`` when shown descending."""

    start: int
    stop: int
    reverse: bool
    has_next: bool
    has_prev: bool

    def indexes(self) -> range:
        return range(self.stop - 1, self.start - 1, -1) if self.reverse else range(self.start, self.stop)


def page_slice(
    keys: Sequence[tuple[Any, str]],
    *,
    after: tuple[Any, str] | None,
    direction: str,
    limit: int,
    descending: bool,
) -> PageSlice:
    """The page of ``keys`` (sorted ascending) from cursor key ``after`` in ``direction``.

    Without a cursor the first page of the requested order is returned, whatever the direction.
    """
    n = len(keys)
    if after is None:
        if descending:
            return PageSlice(max(0, n - limit), n, True, has_next=n > limit, has_prev=False)
        return PageSlice(0, min(n, limit), False, has_next=n > limit, has_prev=False)
    lo = bisect_left(keys, after)  # ascending index of the first key >= cursor
    hi = bisect_right(keys, after)  # ascending index of the first key > cursor
    # "forward" means towards larger keys in ascending index space.
    forward = (direction == "next") != descending
    if forward:
        start, stop = hi, min(n, hi + limit)
        before_exists, after_exists = hi > 0, stop < n
    else:
        start, stop = max(0, lo - limit), lo
        before_exists, after_exists = start > 0, lo < n
    # Items on the smaller-key side are "next" for a descending listing, "prev" otherwise.
    if descending:
        has_next, has_prev = before_exists, after_exists
    else:
        has_next, has_prev = after_exists, before_exists
    return PageSlice(start, stop, descending, has_next=has_next, has_prev=has_prev)
