"""The periods a fresh mock starts with, and the close history of the closed and locked ones.

Every period the fixture closed carries what its close would have left behind: the checklist
acknowledged before the close, preparer and reviewer sign-offs (a controller's on some), and
a daily score trend from the day after the period ended up to the close, rising to 100.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from mock_server.domain.close_records import ChecklistAck, ScoreSnapshot, SignOff
from mock_server.domain.close_score import CHECKLIST_STEPS, close_score, period_activity
from mock_server.domain.identities import Fixtures
from mock_server.domain.ids import uuid4_from
from mock_server.domain.period_store import PeriodStore
from mock_server.domain.periods import Period, make_periods

ACK_NOTES = (
    None,
    "Tied out to the bank statement",
    "Variance over 10% explained in the close memo",
    "Reviewed with the controller",
)


_SHARED: dict[tuple[int, date, int], tuple[Fixtures, PeriodStore]] = {}
_SHARED_DAYS = 4  # fixture stores kept (sessions made on different days, resets moving the clock)


def shared_fixture_period_store(fixtures: Fixtures, *, today: date, seed: int) -> PeriodStore:
    """A fork of the fixtures' store for ``today``: every session of that day shares its
    periods, close records and score histories (and what the periods cache: their JSON, their
    books' activity) until it changes them. The base store of a day is made once."""
    key = (id(fixtures), today, seed)
    entry = _SHARED.get(key)
    if entry is None or entry[0] is not fixtures:
        while len(_SHARED) >= _SHARED_DAYS:
            del _SHARED[next(iter(_SHARED))]
        entry = _SHARED[key] = (fixtures, fixture_period_store(fixtures, today=today, seed=seed))
    return entry[1].fork()


def fixture_period_store(fixtures: Fixtures, *, today: date, seed: int) -> PeriodStore:
    """Every business's periods and their close history, identical for the same inputs."""
    store = PeriodStore()
    for business in fixtures.businesses.values():
        users = sorted({token.user.id for token in fixtures.tokens.values() if business.id in token.user.business_ids})
        periods = make_periods(
            business, users, today=today, months=fixtures.period_months, closed_months=fixtures.closed_months, seed=seed
        )
        rng = random.Random(f"{seed}:{business.id}:close-history")
        for period in periods:
            store.add(period)
            if period.closed_at is not None and users:
                _add_close_history(store, period, users, rng, seed=seed, today=today)
    return store


def _add_close_history(
    store: PeriodStore, period: Period, users: list[str], rng: random.Random, *, seed: int, today: date
) -> None:
    assert period.closed_at is not None
    closed_at = period.closed_at
    closer = period.closed_by_user_id or users[0]
    for index, step in enumerate(CHECKLIST_STEPS):
        written = closed_at - 3600 * (len(CHECKLIST_STEPS) - index) * rng.randint(2, 6)
        store.put_ack(
            ChecklistAck(
                id=uuid4_from(rng),
                business_id=period.business_id,
                period_start=period.period_start,
                step_id=step,
                notes=rng.choice(ACK_NOTES),
                acked_by=rng.choice(users),
                created_at=written,
                updated_at=written,
            )
        )
    roles = ["preparer", "reviewer"] + (["controller"] if rng.random() < 0.5 else [])
    as_open = replace(period, status="open")
    reviewed = period_activity(seed, period)  # a period that was closed was reviewed: nothing left open
    for index, role in enumerate(roles):
        signed = closed_at - 1800 * (len(roles) - index)
        score = close_score(as_open, reviewed, set(CHECKLIST_STEPS), set(roles[: index + 1])).total
        store.put_sign_off(
            SignOff(
                id=uuid4_from(rng),
                period_id=period.id,
                business_id=period.business_id,
                user_id=closer if role == "preparer" else rng.choice(users),
                role=role,
                notes=None,
                score_snapshot=score,
                created_at=signed,
                updated_at=signed,
            )
        )
    # The trend: from the score of the untouched books the day after the period ended, up to 100.
    untouched = replace(period, status="open", closed_at=None)
    start = close_score(untouched, period_activity(seed, untouched), set(), set())
    last = min(datetime.fromtimestamp(closed_at, UTC).date(), today)
    first = min(period.period_end + timedelta(days=1), last)  # closed on its last day: one point
    days = max((last - first).days, 0)
    for offset in range(days + 1):
        share = offset / days if days else 1.0
        components = {k: round(v + (100 - v) * share, 1) for k, v in start.components.items()}
        store.record_snapshot(
            period.id,
            ScoreSnapshot(
                day=first + timedelta(days=offset),
                score=round(start.total + (100 - start.total) * share, 1),
                components=components,
            ),
        )
