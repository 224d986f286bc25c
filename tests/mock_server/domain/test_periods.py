from datetime import date

from mock_server.domain.identities import Business
from mock_server.domain.periods import make_periods

ACME = Business(id="b1", name="Acme", cfo_suite=True)


def periods(seed: int = 1):
    return make_periods(ACME, ["u1", "u2"], today=date(2026, 11, 21), months=24, closed_months=3, seed=seed)


def test_monthly_periods_end_with_the_open_current_month() -> None:
    result = periods()
    assert len(result) == 24
    assert [p.status for p in result[-5:]] == ["locked", "closed", "closed", "closed", "open"]
    assert result[-1].period_start == date(2026, 11, 1) and result[-1].period_end == date(2026, 11, 30)
    assert result[0].period_start == date(2024, 12, 1)
    for earlier, later in zip(result, result[1:], strict=False):
        assert (later.period_start.toordinal() - earlier.period_end.toordinal()) == 1


def test_close_lock_and_reopen_fields_tell_one_consistent_story() -> None:
    for period in periods():
        if period.status == "open":
            assert period.closed_at is None and period.closed_by_user_id is None and period.lock_reason is None
        else:
            assert period.closed_at is not None and period.closed_by_user_id in ("u1", "u2") and period.lock_reason
            assert period.closed_at > period.created_at
        if period.reopened_at is not None:
            assert period.reopen_reason and period.reopened_by_user_id
            assert period.closed_at is not None and period.reopened_at < period.closed_at
        assert period.updated_at == max(t for t in (period.created_at, period.closed_at, period.reopened_at) if t)
    assert any(p.reopened_at for p in periods()), "some periods were reopened once"


def test_periods_are_the_same_on_every_start() -> None:
    assert periods(5) == periods(5)
    assert periods(5)[0].id != periods(6)[0].id
