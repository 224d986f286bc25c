"""Every kind of change survives the log: encoded, written to each store that keeps a log
(SQLite, PostgreSQL), read back and decoded, it is the change it was, and it keeps the identity
compaction goes by. The changes are drawn by Hypothesis from the dataclasses' own fields, so a
field added to a record is covered without touching this test."""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_server.domain.changes import PackagePut
from mock_server.persistence import open_log
from mock_server.persistence.events import KINDS, PackageLogged, decode, encode, identity, package_of
from tests.postgres import fresh_database

FINITE = st.floats(allow_nan=False, allow_infinity=False, width=64)
TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12)


def values_of(kind: Any) -> st.SearchStrategy[Any]:
    """Values of an annotated field type (the few kinds the records use)."""
    origin, arguments = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(values_of(argument) for argument in arguments))
    if origin is tuple:
        return st.lists(values_of(arguments[0]), max_size=3).map(tuple)
    if origin is dict:
        return st.dictionaries(values_of(arguments[0]), values_of(arguments[1]), max_size=3)
    if dataclasses.is_dataclass(kind):
        return instances_of(kind)
    simple: dict[Any, st.SearchStrategy[Any]] = {
        type(None): st.none(),
        bool: st.booleans(),
        int: st.integers(-(2**53), 2**53),
        float: FINITE,
        str: TEXT,
        date: st.dates(),
    }
    return simple[kind]


def instances_of(cls: type) -> st.SearchStrategy[Any]:
    hints = typing.get_type_hints(cls)
    fields = {field.name: values_of(hints[field.name]) for field in dataclasses.fields(cls) if field.init}
    return st.builds(cls, **fields)


EVENTS = st.one_of(*(instances_of(kind) for kind in KINDS))


def built(event: Any) -> Any:
    """A decoded event as the change it stands for (a package is read from the log unbuilt)."""
    if isinstance(event, PackageLogged):
        package = package_of(event.text)
        assert (event.id, event.business_id, event.created_at) == (
            package.id,
            package.business_id,
            package.timeline.created_at,
        )
        return PackagePut(package)
    return event


@given(EVENTS)
def test_every_kind_of_event_decodes_to_what_was_encoded(event: Any) -> None:
    encoded = encode(event)
    assert encoded.kind == KINDS[type(event)]
    assert built(decode(encoded.kind, encoded.data)) == event
    assert encoded.identity == identity(event)


def test_every_kind_of_change_of_the_domain_has_an_event_kind() -> None:
    from mock_server.domain import changes

    assert set(typing.get_args(changes.Change)) <= set(KINDS)


def test_a_kind_this_version_does_not_know_is_skipped_not_a_failure() -> None:
    assert decode("a_kind_from_a_later_version", "{}") is None


@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
def test_every_kind_of_event_comes_back_from_the_store_as_it_went_in(
    store: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if store == "sqlite":
        _round_trip_through(f"sqlite:///{tmp_path / 'events.db'}")
    else:
        with fresh_database(request.getfixturevalue("postgres_cluster_url")) as url:
            _round_trip_through(url)


def _round_trip_through(url: str) -> None:
    log = open_log(url)
    try:

        @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(st.lists(EVENTS, min_size=1, max_size=6))
        def written_and_read(events: list[Any]) -> None:
            start = log.head()
            for event in events:
                encoded = encode(event)
                log.append("test", "round-trip", encoded.kind, encoded.data, None)  # no compaction here
            read = [built(decode(row.kind, row.data)) for row in log.events_after(start)]
            assert read == events

        written_and_read()
    finally:
        log.close()
