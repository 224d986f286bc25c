"""How the mock writes instants and dates on the wire (pydantic v2's JSON format)."""

from __future__ import annotations

from datetime import UTC, date, datetime


def iso_instant(timestamp: float | None) -> str | None:
    """A POSIX timestamp as pydantic writes an aware UTC datetime: ``...T..:..:..[.ffffff]Z``."""
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, UTC).isoformat().replace("+00:00", "Z")


def date_as_instant(day: date) -> str:
    """A date as the midnight UTC date-time the response schemas publish."""
    return f"{day.isoformat()}T00:00:00Z"
