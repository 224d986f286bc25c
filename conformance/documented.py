"""Documented values the checks and the traffic rules both judge by, each written once.

Every one is a [D] point of ../shared/contract (CONTRACT.md for packages, PERIODS.md for
periods): ``run`` asks a target for it, the proxy and ``validate-har`` watch traffic for it.
"""

from __future__ import annotations

from typing import Any

# A package's status moves forward only (queued -> in_progress -> ready | failed).
PACKAGE_STATUS_ORDER = {"queued": 0, "in_progress": 1, "ready": 2, "failed": 2}
# What a package's status promises is set (MonthEndPackageResponse's field descriptions).
SET_WHEN = {
    "in_progress": ("started_at",),
    "ready": ("started_at", "ready_at", "filename", "file_size_bytes"),
    "failed": ("error_message",),
}
PERIOD_STATUSES = ("open", "closed", "locked")
READINESS_STATUSES = ("pass", "warning", "fail")
# The close score's five components (AP/get-close-score's description; where in the body is not published).
SCORE_COMPONENTS = ("txn_review", "categorization", "reconciliation", "checklist", "anomalies")


def keys_at_any_depth(value: Any) -> set[str]:
    """Every key of a JSON value, at any depth (where the unpublished close score puts its components)."""
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in keys_at_any_depth(item)}
    if isinstance(value, list):
        return {key for item in value for key in keys_at_any_depth(item)}
    return set()
