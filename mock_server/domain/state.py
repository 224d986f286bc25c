"""Everything the mock remembers: periods and packages per business, reset to the fixtures."""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import overload

from mock_server.domain.changes import PackagePut, Sink, nowhere
from mock_server.domain.identities import Fixtures
from mock_server.domain.ids import uuid4_from
from mock_server.domain.packages import Package
from mock_server.domain.period_fixtures import shared_fixture_period_store
from mock_server.domain.period_store import PeriodStore


class PackageStore:
    """Packages by id and, per business, in (created_at, id) order.

    A package applied from the store's log may be kept as its JSON (``put_encoded``) and built
    when it is first read: a restart on 100,000 packages builds the 20 its first list shows,
    not all of them (benchmarks/restart.py).
    """

    def __init__(self) -> None:
        self._by_id: dict[str, Package | str] = {}
        self._keys: dict[str, list[tuple[float, str]]] = {}
        self._ordered: dict[str, list[Package | str]] = {}
        self._decode: Callable[[str], Package] = _no_decoder
        self._sink: Sink = nowhere

    def __len__(self) -> int:
        return len(self._by_id)

    def add(self, package: Package) -> None:
        self._place(package.business_id, package.timeline.created_at, package.id, package, known=False)
        self._sink(PackagePut(package))

    def replace(self, package: Package) -> None:
        """Store a new version of a package already in the store (its created_at never changes)."""
        self._place(package.business_id, package.timeline.created_at, package.id, package, known=True)
        self._sink(PackagePut(package))

    def put(self, package: Package) -> None:
        """Add the package, or store its new version (applying the log: see stores/replica.py)."""
        if package.id in self._by_id:
            self.replace(package)
        else:
            self.add(package)

    def send_changes_to(self, sink: Sink) -> None:
        self._sink = sink

    def put_encoded(
        self, package_id: str, business_id: str, created_at: float, text: str, decode: Callable[[str], Package]
    ) -> None:
        """``put`` the package ``decode(text)`` gives, built only when first read (the log's
        record of it: told to no sink)."""
        self._decode = decode
        self._place(business_id, created_at, package_id, text, known=package_id in self._by_id)

    def _place(
        self, business_id: str, created_at: float, package_id: str, entry: Package | str, *, known: bool
    ) -> None:
        self._by_id[package_id] = entry
        keys = self._keys.setdefault(business_id, [])
        key = (created_at, package_id)
        if not known and (not keys or keys[-1] < key):  # the usual create: the newest package
            keys.append(key)
            self._ordered.setdefault(business_id, []).append(entry)
            return
        index = bisect_right(keys, key)
        if known:
            self._ordered[business_id][index - 1] = entry
        else:
            keys.insert(index, key)
            self._ordered.setdefault(business_id, []).insert(index, entry)

    def get(self, business_id: str, package_id: str) -> Package | None:
        """The package, or None when unknown or owned by another business."""
        package = self.find(package_id)
        return package if package is not None and package.business_id == business_id else None

    def find(self, package_id: str) -> Package | None:
        """The package with this id, whichever business owns it (for presigned links)."""
        entry = self._by_id.get(package_id)
        if not isinstance(entry, str):
            return entry
        package = self._built(entry)
        index = bisect_right(self._keys[package.business_id], (package.timeline.created_at, package.id)) - 1
        self._ordered[package.business_id][index] = package
        return package

    def by_created(self, business_id: str) -> tuple[list[tuple[float, str]], Sequence[Package]]:
        """The business's (created_at, id) keys and packages, oldest first (read-only views)."""
        return self._keys.get(business_id, []), _Packages(self, self._ordered.get(business_id, []))

    def _built(self, text: str) -> Package:
        package = self._decode(text)
        self._by_id[package.id] = package
        return package


class _Packages(Sequence[Package]):
    """One business's packages in created order, each built from its JSON on first read."""

    __slots__ = ("_entries", "_store")

    def __init__(self, store: PackageStore, entries: list[Package | str]) -> None:
        self._store = store
        self._entries = entries

    def __len__(self) -> int:
        return len(self._entries)

    @overload
    def __getitem__(self, index: int) -> Package: ...

    @overload
    def __getitem__(self, index: slice) -> list[Package]: ...

    def __getitem__(self, index: int | slice) -> Package | list[Package]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self._entries)))]
        entry = self._entries[index]
        if isinstance(entry, str):
            entry = self._entries[index] = self._store._built(entry)
        return entry

    def __iter__(self) -> Iterator[Package]:
        for index in range(len(self._entries)):
            yield self[index]


def _no_decoder(text: str) -> Package:
    raise AssertionError("no package was put encoded")


@dataclass
class Ledger:
    """The mutable part of the mock, replaced as a whole on reset."""

    periods: PeriodStore
    packages: PackageStore
    ids: random.Random

    def new_id(self) -> str:
        return uuid4_from(self.ids)

    def send_changes_to(self, sink: Sink) -> None:
        """Tell ``sink`` of every change from now on (domain/changes.py)."""
        self.packages.send_changes_to(sink)
        self.periods.send_changes_to(sink)


def fresh_ledger(
    fixtures: Fixtures, *, today: date, seed: int, session: str | None = None, seeded_ids: bool = True
) -> Ledger:
    """The state the fixtures describe, as of ``today``.

    Every session draws its own ids, so a package id names one package whichever session made
    it; ``seeded_ids=False`` (several processes sharing one store) draws them at random instead.
    """
    periods = shared_fixture_period_store(fixtures, today=today, seed=seed)
    if not seeded_ids:
        ids = random.Random()
    else:
        ids = random.Random(f"{seed}:ids" if session is None else f"{seed}:session:{session}:ids")
    return Ledger(periods=periods, packages=PackageStore(), ids=ids)
