"""Opaque, signed keyset cursors: a position (sort value, id) bound to one listing.

A cursor names the sort column, the direction, the status filter and the business it was
made for; one used with anything else, altered, or made up is refused (``CursorError``).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any


class CursorError(ValueError):
    """The cursor cannot be used for this listing; the message says why."""


@dataclass(frozen=True)
class Listing:
    """What a cursor is bound to."""

    business_id: str
    sort_by: str
    descending: bool
    status: str | None
    search: str | None = None  # list-periods' `search` (envelope generation)


@dataclass(frozen=True)
class Position:
    """A place in the (sort value, id) order."""

    value: Any
    id: str

    @property
    def key(self) -> tuple[Any, str]:
        return (self.value, self.id)


class CursorCodec:
    """Encodes and checks cursors with an HMAC key."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _sign(self, payload: bytes) -> str:
        digest = hmac.new(self._secret, payload, hashlib.sha256).digest()[:16]
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def encode(self, listing: Listing, position: Position) -> str:
        """The signed cursor of ``position`` in ``listing`` (a pure function of the two: the
        cursors of the pages clients ask for again, a first page's above all, are kept)."""
        return self._encode(listing, position, type(position.value).__name__)  # 1 and 1.0 are equal keys

    @functools.lru_cache(maxsize=1024)  # noqa: B019 (one codec per process: it lives as long as the cache)
    def _encode(self, listing: Listing, position: Position, _value_type: str) -> str:
        payload = json.dumps(
            {
                "b": listing.business_id,
                "s": listing.sort_by,
                "d": listing.descending,
                "f": listing.status,
                **({"q": listing.search} if listing.search is not None else {}),
                "v": position.value,
                "i": position.id,
            },
            separators=(",", ":"),
        ).encode()
        body = base64.urlsafe_b64encode(payload).rstrip(b"=").decode()
        return f"{body}.{self._sign(payload)}"

    def decode(self, cursor: str, listing: Listing) -> Position:
        body, _, signature = cursor.partition(".")
        try:
            payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except ValueError:
            raise CursorError("The cursor is not one this server issued.") from None
        if not signature or not hmac.compare_digest(signature, self._sign(payload)):
            raise CursorError("The cursor is not one this server issued.")
        data = json.loads(payload)
        issued_for = Listing(data["b"], data["s"], data["d"], data["f"], data.get("q"))
        if issued_for.business_id != listing.business_id:
            raise CursorError("The cursor belongs to another business.")
        if (issued_for.sort_by, issued_for.descending) != (listing.sort_by, listing.descending):
            raise CursorError(
                f"The cursor was issued for sort_by={issued_for.sort_by} "
                f"descending={str(issued_for.descending).lower()}; reset the cursor when changing the sort."
            )
        if (issued_for.status, issued_for.search) != (listing.status, listing.search):
            raise CursorError("The cursor was issued for another filter; reset the cursor when changing it.")
        return Position(data["v"], data["i"])
