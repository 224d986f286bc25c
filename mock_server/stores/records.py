"""The state's records as JSON and back: packages, periods, acks, sign-offs, score snapshots.

One generic codec over the frozen dataclasses, driven by their type hints (dates as ISO text,
tuples as lists, nested dataclasses as objects), so a new field needs no code here.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import types
import typing
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def to_record(value: Any) -> Any:
    """A dataclass (or anything inside one) as JSON-ready data; private fields (``_x``) left out."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: to_record(getattr(value, name)) for name in _public_fields(type(value))}
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, frozenset | set):
        return sorted(to_record(v) for v in value)
    if isinstance(value, tuple | list):
        return [to_record(v) for v in value]
    if isinstance(value, dict):
        return {k: to_record(v) for k, v in value.items()}
    return value


def from_record(kind: type[T], data: Any) -> T:
    """The dataclass ``kind`` rebuilt from ``to_record`` data."""
    return typing.cast(T, _decode(kind, data))


def dumps(value: Any) -> str:
    return json.dumps(to_record(value), separators=(",", ":"))


@functools.cache
def _public_fields(kind: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(kind) if not f.name.startswith("_"))


@functools.cache
def _hints(kind: type) -> dict[str, Any]:
    return typing.get_type_hints(kind)


def _decode(hint: Any, data: Any) -> Any:
    if data is None:
        return None
    if dataclasses.is_dataclass(hint):
        hints = _hints(typing.cast(type, hint))
        return typing.cast(Any, hint)(**{name: _decode(hints[name], value) for name, value in data.items()})
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return _decode(options[0], data) if len(options) == 1 else data
    if origin is tuple:
        (item, *_) = typing.get_args(hint)
        return tuple(_decode(item, v) for v in data)
    if origin in (frozenset, set):
        (item,) = typing.get_args(hint)
        return origin(_decode(item, v) for v in data)
    if origin is dict:
        _, item = typing.get_args(hint)
        return {k: _decode(item, v) for k, v in data.items()}
    if hint is date:
        return date.fromisoformat(data)
    if hint is Path:
        return Path(data)
    if hint is float:
        return float(data)
    return data
