"""The state's records as JSON and back: packages, periods, acks, sign-offs, score snapshots
(and the settings handed to worker processes), through pydantic's serializers and validators
of the frozen dataclasses (dates as ISO text, tuples as lists, nested dataclasses as objects)."""

from __future__ import annotations

import typing
from typing import Any, TypeVar

import msgspec
from pydantic import TypeAdapter
from pydantic_core import to_jsonable_python

T = TypeVar("T")


def to_record(value: Any) -> Any:
    """A dataclass (or a dict of them) as JSON-ready data."""
    return to_jsonable_python(value)


def from_record(kind: type[T], data: Any) -> T:
    """The dataclass ``kind`` rebuilt from ``to_record`` data."""
    adapter = _ADAPTERS.get(kind)
    if adapter is None:
        adapter = _ADAPTERS[kind] = TypeAdapter(kind)
    return typing.cast(T, adapter.validate_python(data))


def from_json(kind: type[T], text: str | bytes) -> T:
    """``from_record(kind, json.loads(text))`` in one step, by msgspec (parses and builds the
    dataclass, ``__post_init__`` included, in a quarter of pydantic's time: replaying the log
    is most of a restart on a store of 100k packages)."""
    decoder = _DECODERS.get(kind)
    if decoder is None:
        decoder = _DECODERS[kind] = msgspec.json.Decoder(kind, strict=False)
    return typing.cast(T, decoder.decode(text))


class _Created(msgspec.Struct):
    created_at: float


class _PackageKey(msgspec.Struct):
    id: str
    business_id: str
    timeline: _Created


_PACKAGE_KEY = msgspec.json.Decoder(_PackageKey)


def package_key(text: str | bytes) -> tuple[str, str, float]:
    """A package record's id, business and creation time, read without building the package
    (a tenth of its cost: the store places it by these and builds it when first read)."""
    key = _PACKAGE_KEY.decode(text)
    return key.id, key.business_id, key.timeline.created_at


_ADAPTERS: dict[type, TypeAdapter[Any]] = {}
_DECODERS: dict[type, msgspec.json.Decoder[Any]] = {}
