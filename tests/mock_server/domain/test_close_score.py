"""The close score's arithmetic, for any activity and any close records (Hypothesis): every
number in 0-100, the total the documented components' weighted mean, more work done never
lowering it, and a closed or locked period scoring as done."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from mock_server.domain.close_score import CHECKLIST_STEPS, SIGN_OFF_ROLES, WEIGHTS, close_score
from mock_server.domain.periods import Period
from mock_server.reports.books import Activity

OPEN = Period(
    id="p1",
    business_id="b1",
    period_start=date(2026, 11, 1),
    period_end=date(2026, 11, 30),
    status="open",
    closed_at=None,
    closed_by_user_id=None,
    lock_reason=None,
    reopen_reason=None,
    reopened_at=None,
    reopened_by_user_id=None,
    created_at=0.0,
    updated_at=0.0,
)


@st.composite
def activities(draw) -> Activity:
    transactions = draw(st.integers(0, 5000))
    return Activity(
        transactions,
        draw(st.integers(0, transactions)),
        draw(st.integers(0, transactions)),
        draw(st.integers(0, 30)),
        draw(st.integers(0, 30)),
    )


STEPS = st.sets(st.sampled_from([*CHECKLIST_STEPS, "a_step_we_do_not_score"]))
ROLES = st.sets(st.sampled_from(SIGN_OFF_ROLES))


@given(activities(), STEPS, ROLES)
def test_every_number_is_in_range_and_the_total_is_the_weighted_mean(activity, steps, roles) -> None:
    score = close_score(OPEN, activity, steps, roles)
    assert set(score.components) == set(WEIGHTS)
    assert all(0 <= value <= 100 for value in score.components.values())
    assert 0 <= score.total <= 100
    mean = sum(WEIGHTS[key] * value for key, value in score.components.items()) / 100
    assert abs(score.total - mean) <= 0.05 + 1e-9


@given(activities(), STEPS, ROLES, STEPS, ROLES)
def test_more_acks_and_sign_offs_never_lower_the_score(activity, steps, roles, more_steps, more_roles) -> None:
    before = close_score(OPEN, activity, steps, roles)
    after = close_score(OPEN, activity, steps | more_steps, roles | more_roles)
    assert after.components["checklist"] >= before.components["checklist"]
    assert after.total >= before.total


@given(activities(), STEPS, ROLES, st.sampled_from(["closed", "locked"]))
def test_a_closed_or_locked_period_scores_as_done(activity, steps, roles, status) -> None:
    score = close_score(replace(OPEN, status=status), activity, steps, roles)
    assert score.total == 100 and set(score.components.values()) == {100.0}
