from hypothesis import given
from hypothesis import strategies as st

from mock_server.domain.lifecycle import STATUS_ORDER, Timeline, stage_at

timelines = st.builds(
    Timeline,
    created_at=st.floats(0, 1e9),
    queue_seconds=st.floats(0, 1e4),
    build_seconds=st.floats(0, 1e4),
    fails=st.booleans(),
)


@given(timeline=timelines, instants=st.lists(st.floats(0, 1.1e9), min_size=2, max_size=20))
def test_status_and_timestamps_never_go_backward_as_time_moves_forward(timeline, instants) -> None:
    previous = None
    for now in sorted(instants):
        stage = stage_at(timeline, now)
        if previous is not None:
            assert STATUS_ORDER.index(stage.status) >= STATUS_ORDER.index(previous.status) or previous.finished
            assert not (previous.finished and stage.status != previous.status)
            assert stage.updated_at >= previous.updated_at
            for field in ("started_at", "ready_at"):
                if getattr(previous, field) is not None:
                    assert getattr(stage, field) == getattr(previous, field)
        previous = stage


@given(timeline=timelines, now=st.floats(0, 1.1e9))
def test_timestamps_are_set_exactly_when_the_status_says_so(timeline, now) -> None:
    stage = stage_at(timeline, now)
    assert (stage.started_at is not None) == (stage.status != "queued")
    assert (stage.ready_at is not None) == (stage.status == "ready")
    assert stage.status != ("ready" if timeline.fails else "failed")
    assert stage.updated_at >= timeline.created_at
    if stage.ready_at is not None:
        assert timeline.created_at <= stage.started_at <= stage.ready_at == stage.updated_at
