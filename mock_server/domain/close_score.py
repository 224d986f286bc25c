"""The close score and the readiness check of a period, from its books and its close records.

Deterministic for a seed: a period's activity (transactions, their review and categorization,
unmatched bank lines, anomalies) is read from the business's general ledger
(``reports.books``), the one the package reports are views of, so the readiness screen and
the reports agree. A period that was ever closed had its books reviewed then: only the checklist
and the sign-offs can still move its score after a reopen. A closed or locked period scores as
done. Every number is in 0-100.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from dayzero_mock_kit.openapi import load_contract
from mock_server.domain.periods import Period
from mock_server.reports.books import Activity, books_activity

# The manual checklist steps the mock counts (any step id may be acknowledged; these score).
CHECKLIST_STEPS = (
    "bank_feeds_synced",
    "trial_balance_review",
    "pl_variance_review",
    "balance_sheet_review",
    "accruals_posted",
    "depreciation_posted",
    "prepaids_amortized",
    "payroll_reconciled",
)
SIGN_OFF_ROLES = tuple(load_contract().sign_off_roles())
# Documented component keys, with our weights (they sum to 100).
WEIGHTS = {"txn_review": 25, "categorization": 15, "reconciliation": 20, "checklist": 30, "anomalies": 10}


@dataclass(frozen=True)
class Score:
    total: float
    components: dict[str, float]


@lru_cache(maxsize=4096)
def _open_activity(seed: int, business_id: str, start: date, end: date) -> Activity:
    return books_activity(seed, business_id, start, end)


def period_activity(seed: int, period: Period) -> Activity:
    """The period's activity; reviewed, categorized and matched if it was ever closed."""
    activity = _open_activity(seed, period.business_id, period.period_start, period.period_end)
    if period.closed_at is None:
        return activity
    return Activity(activity.transaction_count, 0, 0, 0, 0)


def close_score(period: Period, activity: Activity, acked_steps: set[str], signed_roles: set[str]) -> Score:
    """The gauge: a weighted mean of the five components."""
    if period.status in ("closed", "locked"):
        return Score(100.0, dict.fromkeys(WEIGHTS, 100.0))
    total = max(activity.transaction_count, 1)
    done = len(acked_steps & set(CHECKLIST_STEPS)) + len(signed_roles & set(SIGN_OFF_ROLES))
    components = {
        "txn_review": 100 * (1 - activity.unreviewed / total),
        "categorization": 100 * (1 - activity.uncategorized / total),
        "reconciliation": max(0.0, 100 - 15 * activity.unmatched_bank_lines),
        "checklist": 100 * done / (len(CHECKLIST_STEPS) + len(SIGN_OFF_ROLES)),
        "anomalies": max(0.0, 100 - 20 * activity.anomalies),
    }
    components = {key: round(float(value), 1) for key, value in components.items()}
    return Score(round(sum(WEIGHTS[k] * v for k, v in components.items()) / 100, 1), components)


def _status(count: float, warn_up_to: float) -> str:
    """pass at zero, warning up to ``warn_up_to``, fail above."""
    if count == 0:
        return "pass"
    return "warning" if count <= warn_up_to else "fail"


def readiness_items(activity: Activity, acked_steps: set[str], signed_roles: set[str]) -> list[dict[str, Any]]:
    """The itemized blockers of a close, each pass, warning or fail."""
    total = activity.transaction_count
    missing_steps = [s for s in CHECKLIST_STEPS if s not in acked_steps]
    missing_roles = [r for r in SIGN_OFF_ROLES if r not in signed_roles]
    lines = activity.unmatched_bank_lines
    return [
        {
            "check": "transactions_reviewed",
            "status": _status(activity.unreviewed, total * 0.05),
            "detail": f"{activity.unreviewed} of {total} transactions are not reviewed yet.",
            "count": activity.unreviewed,
        },
        {
            "check": "transactions_categorized",
            "status": _status(activity.uncategorized, total * 0.05),
            "detail": f"{activity.uncategorized} of {total} transactions have no category.",
            "count": activity.uncategorized,
        },
        {
            "check": "bank_reconciliation",
            "status": _status(lines, 3),
            "detail": f"{lines} bank statement lines are not matched to the books.",
            "count": lines,
        },
        {
            "check": "checklist_steps",
            "status": _status(len(missing_steps), 2),
            "detail": "Every checklist step is acknowledged."
            if not missing_steps
            else f"Not acknowledged: {', '.join(missing_steps)}.",
            "count": len(missing_steps),
        },
        {
            "check": "reviewer_sign_offs",
            "status": _status(len(missing_roles), 2),
            "detail": "Every role has signed off."
            if not missing_roles
            else f"No sign-off yet: {', '.join(missing_roles)}.",
            "count": len(missing_roles),
        },
        {
            "check": "anomalies",
            "status": "pass" if activity.anomalies == 0 else "warning",
            "detail": f"{activity.anomalies} unusual transactions are waiting for a look.",
            "count": activity.anomalies,
        },
    ]
