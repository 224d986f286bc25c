"""Everything the mock remembers: periods and packages per business, reset to the fixtures."""

from __future__ import annotations

import random
import uuid
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date

from mock_server.domain.changes import PackagePut, Sink, nowhere
from mock_server.domain.identities import Fixtures
from mock_server.domain.packages import Package
from mock_server.domain.period_fixtures import shared_fixture_period_store
from mock_server.domain.period_store import PeriodStore


class PackageStore:
    """Packages by id and, per business, in (created_at, id) order."""

    def __init__(self) -> None:
        self._by_id: dict[str, Package] = {}
        self._keys: dict[str, list[tuple[float, str]]] = {}
        self._ordered: dict[str, list[Package]] = {}
        self._sink: Sink = nowhere

    def __len__(self) -> int:
        return len(self._by_id)

    def add(self, package: Package) -> None:
        self._by_id[package.id] = package
        keys = self._keys.setdefault(package.business_id, [])
        key = (package.timeline.created_at, package.id)
        index = bisect_right(keys, key)
        keys.insert(index, key)
        self._ordered.setdefault(package.business_id, []).insert(index, package)
        self._sink(PackagePut(package))

    def replace(self, package: Package) -> None:
        """Store a new version of a package already in the store (its created_at never changes)."""
        self._by_id[package.id] = package
        ordered = self._ordered[package.business_id]
        index = bisect_right(self._keys[package.business_id], (package.timeline.created_at, package.id)) - 1
        ordered[index] = package
        self._sink(PackagePut(package))

    def put(self, package: Package) -> None:
        """Add the package, or store its new version (applying the log: see stores/replica.py)."""
        if package.id in self._by_id:
            self.replace(package)
        else:
            self.add(package)

    def send_changes_to(self, sink: Sink) -> None:
        self._sink = sink

    def get(self, business_id: str, package_id: str) -> Package | None:
        """The package, or None when unknown or owned by another business."""
        package = self._by_id.get(package_id)
        return package if package is not None and package.business_id == business_id else None

    def find(self, package_id: str) -> Package | None:
        """The package with this id, whichever business owns it (for presigned links)."""
        return self._by_id.get(package_id)

    def by_created(self, business_id: str) -> tuple[list[tuple[float, str]], list[Package]]:
        """The business's (created_at, id) keys and packages, oldest first (read-only views)."""
        return self._keys.get(business_id, []), self._ordered.get(business_id, [])


@dataclass
class Ledger:
    """The mutable part of the mock, replaced as a whole on reset."""

    periods: PeriodStore
    packages: PackageStore
    ids: random.Random

    def new_id(self) -> str:
        return str(uuid.UUID(int=self.ids.getrandbits(128), version=4))

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
