"""Fault switches: each breaks exactly one behaviour the way a real backend might.

They exist to prove the conformance kit catches real breaks (``dayzero-mock serve --fault``).
"""

from __future__ import annotations

FAULTS: dict[str, str] = {
    "skip-first-on-next-page": "pages after the first silently drop their first item",
    "ignore-status-filter": "list filters by status are ignored",
    "leak-other-business": "package lists include other businesses' packages",
    "ready-regresses": "a ready package goes back to in_progress a second later",
    "wrong-file-size": "file_size_bytes is one more than the zip's length",
    "missing-report": "the zip lacks the last selected report",
    "cursor-500": "a garbage cursor answers 500",
    "accept-unknown-reports": "unknown report keys are accepted on create",
    "has-next-on-last-page": "the last page says has_next: true",
    "total-ignores-filter": "total counts every item, not the filtered ones",
    "token-any-business": "a token is accepted on any business with the add-on",
    "ignore-period-dates": "a package created for a period gets the current month's dates",
}


class UnknownFaultError(ValueError):
    """A fault name that does not exist."""


def check_faults(names: list[str]) -> frozenset[str]:
    unknown = sorted(set(names) - FAULTS.keys())
    if unknown:
        raise UnknownFaultError(f"Unknown fault(s) {', '.join(unknown)}; known: {', '.join(sorted(FAULTS))}.")
    return frozenset(names)
