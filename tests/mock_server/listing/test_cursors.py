import pytest

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
