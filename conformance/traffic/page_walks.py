"""Page walks against other listings of the same traffic: a walk that skips or repeats items.

A walk (the forward pages of one listing, followed by their next_cursor) is compared with every
other finished view of the same listing (a complete one-page listing, or a walk with another
limit) seen since the last write in the traffic. Only where that comparison cannot cry wolf on a
shared system, where other clients create items the traffic never shows:

- only unfiltered listings sorted by created_at (no status, no search): a new item is newer than
  every item of an earlier view, so it sorts outside the range both views cover; a status filter
  would let items leave a listing without any write (packages build by themselves);
- only inside the range of created_at values both views cover (strictly between its ends);
- only between views with no 2xx write in between (any POST, PUT or DELETE the traffic shows);
- the API has no delete, and created_at never changes, so nothing leaves that range.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from conformance.results import Finding
from conformance.traffic.rules import traffic_finding


@dataclass
class View:
    """The items of one listing in order, as a walk or one page showed them."""

    listing: tuple[str, ...]
    limit: str
    epoch: int
    ids: list[str] = field(default_factory=list)
    created: dict[str, str] = field(default_factory=dict)
    pages: int = 0

    def add(self, items: list[dict[str, Any]]) -> None:
        self.pages += 1
        for item in items:
            if isinstance(item.get("created_at"), str):
                self.ids.append(str(item.get("id")))
                self.created[str(item.get("id"))] = item["created_at"]


KEPT_VIEWS = 4  # finished views kept per listing (between two writes)
OPEN_WALKS = 256  # walks followed at once (a cursor nobody follows must not be kept for ever)


class PageWalks:
    """Follows walks through their cursors and compares finished views of one listing."""

    def __init__(self) -> None:
        self._epoch = 0  # 2xx writes seen so far
        self._open: dict[str, View] = {}  # next_cursor -> the walk it continues
        self._done: dict[tuple[str, ...], list[View]] = {}

    def write_seen(self) -> None:
        """A 2xx write: listings before it and after it are not compared."""
        self._epoch += 1
        self._open.clear()
        self._done.clear()

    def see(self, path: str, query: dict[str, str], page: dict[str, Any]) -> list[Finding]:
        if query.get("status") or query.get("search") or (query.get("sort_by") or "created_at") != "created_at":
            return []
        if query.get("direction", "next") != "next":
            return []
        listing = (path, query.get("descending", "true").lower())
        cursor = query.get("cursor")
        if cursor:
            view = self._open.pop(cursor, None)
            if view is None or view.epoch != self._epoch:
                return []  # the walk's start was not seen (or a write came in between)
        else:
            view = View(listing, query.get("limit", ""), self._epoch)
        listed = page.get("items")
        items = [i for i in listed if isinstance(i, dict)] if isinstance(listed, list) else []
        view.add(items)
        if page.get("has_next") and isinstance(page.get("next_cursor"), str):
            self._open[page["next_cursor"]] = view
            if len(self._open) > OPEN_WALKS:  # bounded: the oldest walk nobody continued is dropped
                del self._open[next(iter(self._open))]
            return []
        earlier = self._done.get(listing, [])
        found = [v for other in earlier for v in _compare(view, other)]
        self._done[listing] = [*earlier, view][-KEPT_VIEWS:]  # bounded: a long session compares recent views
        return found


def _compare(new: View, old: View) -> list[Finding]:
    """What the walk among the two skipped or repeated, inside the range both cover."""
    if new.pages == old.pages == 1 or not new.ids or not old.ids:
        return []
    low = max(min(new.created.values()), min(old.created.values()))
    high = min(max(new.created.values()), max(old.created.values()))
    walk, other = (new, old) if new.pages > 1 else (old, new)
    inside = [i for i in walk.ids if low < walk.created[i] < high]
    shown = {i for i in other.ids if low < other.created[i] < high}
    found = [
        _finding(f"{item} appears {count} times on the forward pages (limit {walk.limit or 'default'})")
        for item, count in Counter(inside).items()
        if count > 1
    ]
    found += [
        _finding(
            f"{item} (created_at {other.created[item]}) is in the listing with limit {other.limit or 'default'} "
            f"but was skipped by the walk with limit {walk.limit or 'default'}"
        )
        for item in sorted(shown - set(inside))
    ]
    return found


def _finding(actual: str) -> Finding:
    return traffic_finding(
        "response",
        "page-walk",
        "/body/items",
        "every item exactly once, as another listing of the same range showed (no write in between)",
        actual,
    )
