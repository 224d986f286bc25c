from hypothesis import given
from hypothesis import strategies as st

from mock_server.listing.pagination import page_slice


def walk(keys, limit, descending, insert_between=()):
    """Walk pages forward then back; return the ids seen each way."""
    keys = sorted(keys)
    pending = list(insert_between)
    forward, cursor = [], None
    while True:
        page = page_slice(keys, after=cursor, direction="next", limit=limit, descending=descending)
        shown = [keys[i] for i in page.indexes()]
        forward.extend(shown)
        if pending:  # a concurrent insert between two requests
            keys = sorted([*keys, pending.pop()])
        if not page.has_next:
            break
        assert shown, "has_next with an empty page"
        cursor = shown[-1]
    backward = []
    cursor = forward[-1] if forward else None
    if cursor is not None:
        backward.append(cursor)
        while True:
            page = page_slice(keys, after=cursor, direction="prev", limit=limit, descending=descending)
            shown = [keys[i] for i in page.indexes()]
            backward[:0] = shown
            if not page.has_prev:
                break
            cursor = shown[0]
    return forward, backward, keys


keys_strategy = st.lists(
    st.tuples(st.integers(0, 20), st.text("abcdef", min_size=1, max_size=3)), unique=True, max_size=60
)


@given(keys=keys_strategy, limit=st.integers(1, 12), descending=st.booleans())
def test_walking_forward_then_back_visits_every_item_once_in_order(keys, limit, descending) -> None:
    forward, backward, final = walk(keys, limit, descending)
    expected = sorted(keys, reverse=descending)
    assert forward == expected
    assert backward == expected


@given(keys=keys_strategy, extra=keys_strategy, limit=st.integers(1, 12), descending=st.booleans())
def test_items_inserted_while_paging_never_cause_repeats_or_skips_of_existing_items(
    keys, extra, limit, descending
) -> None:
    extra = [k for k in extra if k not in keys]
    forward, _, final = walk(keys, limit, descending, insert_between=extra)
    assert len(forward) == len(set(forward)), "an item was shown twice"
    assert set(keys) <= set(forward), "an existing item was skipped"
    assert forward == sorted(forward, reverse=descending)


def test_first_page_flags_and_limit() -> None:
    keys = [(i, "x") for i in range(5)]
    page = page_slice(keys, after=None, direction="next", limit=2, descending=False)
    assert list(page.indexes()) == [0, 1] and page.has_next and not page.has_prev
    page = page_slice(keys, after=None, direction="next", limit=10, descending=True)
    assert list(page.indexes()) == [4, 3, 2, 1, 0] and not page.has_next and not page.has_prev
    assert not page_slice([], after=None, direction="next", limit=3, descending=True).has_next
