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
    "period-overlap-accepted": "a period overlapping another one is created (201, not 409)",
    "period-cross-tenant": "another business's period is found by id on every period operation",
    "close-without-audit": "close leaves closed_at and closed_by_user_id empty",
    "close-twice-accepted": "closing a closed or locked period answers 201",
    "reopen-without-audit": "reopen leaves reopened_at and reopened_by_user_id empty",
    "bulk-lock-unknown-404": "bulk-lock answers 404 for an unknown id instead of skipping it",
    "bulk-lock-miscounts": "bulk-lock counts skipped periods in locked_count",
    "ack-not-idempotent": "acknowledging a step again writes a new ack (new id and created_at)",
    "score-out-of-range": "close readiness reports its score on a 0-1000 scale",
    "download-before-ready": "download hands out a URL while the package is still queued or in_progress",
}


class UnknownFaultError(ValueError):
    """A fault name that does not exist."""


def check_faults(names: list[str]) -> frozenset[str]:
    unknown = sorted(set(names) - FAULTS.keys())
    if unknown:
        raise UnknownFaultError(f"Unknown fault(s) {', '.join(unknown)}; known: {', '.join(sorted(FAULTS))}.")
    return frozenset(names)
