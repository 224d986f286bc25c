import pytest
from hypothesis import given
from hypothesis import strategies as st

from mock_server.listing.cursors import CursorCodec, CursorError, Listing, Position

LISTING = Listing(business_id="b1", sort_by="created_at", descending=True, status=None)


def test_a_cursor_round_trips_its_position() -> None:
    codec = CursorCodec(b"k")
    assert codec.decode(codec.encode(LISTING, Position(12.5, "id-1")), LISTING) == Position(12.5, "id-1")


@pytest.mark.parametrize(
    "other, message",
    [
        (Listing("b2", "created_at", True, None), "another business"),
        (Listing("b1", "status", True, None), "sort_by=created_at"),
        (Listing("b1", "created_at", False, None), "descending=true"),
        (Listing("b1", "created_at", True, "ready"), "another filter"),
        (Listing("b1", "created_at", True, None, "closed"), "another filter"),
    ],
)
def test_a_cursor_only_pages_the_listing_it_was_made_for(other, message) -> None:
    codec = CursorCodec(b"k")
    with pytest.raises(CursorError, match=message):
        codec.decode(codec.encode(LISTING, Position(1, "x")), other)


@pytest.mark.parametrize("garbage", ["", "abc", "!!!.", "eyJ9.xx", "a.b.c", "\u00e9\u00e9"])
def test_garbage_and_forged_cursors_are_refused(garbage) -> None:
    with pytest.raises(CursorError):
        CursorCodec(b"k").decode(garbage, LISTING)


def test_a_cursor_signed_with_another_key_is_refused() -> None:
    cursor = CursorCodec(b"other").encode(LISTING, Position(1, "x"))
    with pytest.raises(CursorError):
        CursorCodec(b"k").decode(cursor, LISTING)


# -- any position, any listing, any tampering (Hypothesis) -------------------------------------------

LISTINGS = st.builds(
    Listing,
    business_id=st.uuids().map(str),
    sort_by=st.sampled_from(["created_at", "updated_at", "status", "period_start", "period_end"]),
    descending=st.booleans(),
    status=st.none() | st.sampled_from(["queued", "ready", "open", "closed"]),
    search=st.none() | st.text(max_size=10),
)
POSITIONS = st.builds(
    Position,
    value=st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20) | st.dates().map(str),
    id=st.text(max_size=40),
)


@given(listing=LISTINGS, position=POSITIONS)
def test_any_position_of_any_listing_round_trips(listing: Listing, position: Position) -> None:
    codec = CursorCodec(b"k")
    assert codec.decode(codec.encode(listing, position), listing) == position


@given(listing=LISTINGS, position=POSITIONS, data=st.data())
def test_a_cursor_changed_anywhere_is_refused_never_misread(listing: Listing, position: Position, data) -> None:
    codec = CursorCodec(b"k")
    cursor = codec.encode(listing, position)
    index = data.draw(st.integers(0, len(cursor) - 1))
    replacement = data.draw(st.characters(codec="ascii").filter(lambda c: c != cursor[index]))
    tampered = cursor[:index] + replacement + cursor[index + 1 :]
    try:
        decoded = codec.decode(tampered, listing)
    except CursorError:
        return
    # Base64 has spare bits: a change that leaves the decoded bytes as they were reads the same.
    assert decoded == position
